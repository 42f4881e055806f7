// Read+decode throughput beside a bare libpcap loop over the same file, in the
// same run. The ratio between them is the figure that matters (machines are
// noisy; absolute times are not compared anywhere).
import CaptureRuntime
import BenchmarkSupport
import Benchmark
import EgressAudit
import EgressPolicy
import PacketCapture
import PacketWire

let benchmarks: @Sendable () -> Void = {
    let path = BenchmarkCapture.path()
    let packets = BenchmarkCapture.packetCount(path)
    let config = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident],
        scalingFactor: .one,
        maxDuration: .seconds(20),
        maxIterations: 8
    )

    Benchmark("bare libpcap pcap_next_ex loop (\(packets) packets)", configuration: config) { benchmark in
        blackHole(BareLoop.run(path))
    }

    Benchmark("PacketCapture read (\(packets) packets)", configuration: config) { benchmark in
        let capture = try OfflineCapture(path: path)
        var bytes = 0
        try capture.forEachPacket { bytes &+= $0.bytes.count }
        blackHole(bytes)
    }

    Benchmark("PacketCapture read + PacketWire decode (\(packets) packets)", configuration: config) { benchmark in
        let capture = try OfflineCapture(path: path)
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        var counters = DecodeCounters()
        try capture.forEachPacket { p in
            decoder.decode(p.bytes, linkType: LinkType(rawValue: p.linkType), originalLength: p.originalLength, into: &packet)
            counters.record(packet, wireLength: p.originalLength)
        }
        blackHole(counters.decoded)
    }

    Benchmark("analyze pipeline: read + decode + flows (\(packets) packets)", configuration: config) { benchmark in
        var analyzer = CapturePipeline()
        analyzer.read(path: path)
        analyzer.finish()
        blackHole(analyzer.summary.flows)
    }

    Benchmark("analyze pipeline, one thread (\(packets) packets)", configuration: config) { benchmark in
        var analyzer = CapturePipeline()
        analyzer.decodesAhead = false
        analyzer.read(path: path)
        analyzer.finish()
        blackHole(analyzer.summary.flows)
    }

    let auditProfile = try! BenchmarkProfile.audit()
    Benchmark("audit: analyze --profile --json (\(packets) packets)", configuration: config) { benchmark in
        blackHole(try BenchmarkAudit.run(path, profile: auditProfile))
    }
}
