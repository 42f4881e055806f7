// Side-by-side timing of egress-audit's read paths against a bare libpcap
// pcap_next_ex loop over the same file, alternating rounds so both see the
// same machine state. Prints each path's best and median time and its ratio
// to the bare loop (ratios, not absolute times, are the figure to quote).
//
//   swift run -c release --package-path Benchmarks read-loop-ratio [FILE] [--rounds N] [--cli PATH-TO-egress-audit]
import CaptureRuntime
import BenchmarkSupport
import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire

@main
struct ReadLoopRatio {
    static func main() throws {
        var args = Array(CommandLine.arguments.dropFirst())
        var rounds = 7
        if let i = args.firstIndex(of: "--rounds"), i + 1 < args.count { rounds = Int(args[i + 1]) ?? 7; args.removeSubrange(i...(i + 1)) }
        var only: String?
        if let i = args.firstIndex(of: "--only"), i + 1 < args.count { only = args[i + 1]; args.removeSubrange(i...(i + 1)) }
        // `--cli PATH`: also time the built executable, whole process (start, profile, report file).
        var cli: String?
        if let i = args.firstIndex(of: "--cli"), i + 1 < args.count { cli = args[i + 1]; args.removeSubrange(i...(i + 1)) }
        let path = args.first ?? BenchmarkCapture.path()
        let packets = BenchmarkCapture.packetCount(path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("capture: \(path) (\(packets) packets, \(size / 1_000_000) MB); \(rounds) alternating rounds")

        let auditProfile = try BenchmarkProfile.audit()
        // The report stage alone: one audit's aggregates rendered and written as JSON.
        var analyzed = CapturePipeline(audit: AuditAccumulator(profile: auditProfile, nodes: []))
        analyzed.read(path: path)
        analyzed.finish()
        var paths: [(String, () throws -> Int)] = [
            ("bare libpcap pcap_next_ex loop", { BareLoop.run(path) }),
            ("PacketCapture read", {
                var bytes = 0
                try OfflineCapture(path: path).forEachPacket { bytes &+= $0.bytes.count }
                return bytes
            }),
            ("read + PacketWire decode + counters", {
                let decoder = PacketDecoder()
                var packet = DecodedPacket()
                var counters = DecodeCounters()
                try OfflineCapture(path: path).forEachPacket { p in
                    decoder.decode(p.bytes, linkType: LinkType(rawValue: p.linkType), originalLength: p.originalLength, into: &packet)
                    counters.record(packet, wireLength: p.originalLength)
                }
                return counters.decoded
            }),
            ("audit: analyze --profile apim-self-hosted-gateway", {
                try BenchmarkAudit.run(path, profile: auditProfile)
            }),
            ("audit report alone (render + JSON)", {
                try BenchmarkAudit.report(analyzed)
            }),
            ("analyze: read + decode + flows + names", {
                var analyzer = CapturePipeline()
                analyzer.read(path: path)
                analyzer.finish()
                return analyzer.summary.flows
            }),
            ("analyze, one thread (no decode-ahead)", {
                var analyzer = CapturePipeline()
                analyzer.decodesAhead = false
                analyzer.read(path: path)
                analyzer.finish()
                return analyzer.summary.flows
            }),
            ("analyze, one thread, libpcap reader", {
                var analyzer = CapturePipeline()
                analyzer.decodesAhead = false
                analyzer.reader = .libpcap
                analyzer.read(path: path)
                analyzer.finish()
                return analyzer.summary.flows
            }),
        ]
        if let cli {
            paths.insert(("egress-audit analyze --profile --json (process)", {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: cli)
                process.arguments = ["analyze", path, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso",
                                     "--param", "region=westus", "--feature", "entra-id", "--feature", "storage", "--feature", "app-insights",
                                     "--json", "--output", NSTemporaryDirectory() + "read-loop-ratio-cli-report.json"]
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                return Int(process.terminationStatus)
            }), at: 4)
        }
        if let only {
            // Profiling aid: run one path once (e.g. under callgrind).
            for (name, body) in paths where name.hasPrefix(only) { print(name, try body()) }
            return
        }
        var times = [[Double]](repeating: [], count: paths.count)
        var cpu = [[Double]](repeating: [], count: paths.count)
        // This process's CPU time and its waited-for children's (the `--cli` runs).
        func cpuSeconds() -> Double {
            var total = 0.0
            for who in [RUSAGE_SELF.rawValue, RUSAGE_CHILDREN.rawValue] {
                var usage = rusage()
                getrusage(who, &usage)
                total += Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
            }
            return total
        }
        for _ in 0..<rounds {
            for (i, (_, body)) in paths.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                let cpuStart = cpuSeconds()
                _ = try body()
                times[i].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                cpu[i].append(cpuSeconds() - cpuStart)
            }
        }
        let bareBest = times[0].min() ?? 1
        let bareMedian = times[0].sorted()[rounds / 2]
        let bareCPU = cpu[0].sorted()[rounds / 2]
        print(String(repeating: "-", count: 100))
        print("wall-clock ratios; the CPU column is the CPU time each path used (decode-ahead runs on two threads)")
        for (i, (name, _)) in paths.enumerated() {
            let best = times[i].min() ?? 0, median = times[i].sorted()[rounds / 2]
            print(name.padding(toLength: 42, withPad: " ", startingAt: 0)
                + String(format: "best %.3f s (%.2f M pkt/s)  median %.3f s   ratio to bare: best %.2f×  median %.2f×   CPU (user+sys, median) %.2f×",
                         best, Double(packets) / best / 1e6, median, best / bareBest, median / bareMedian,
                         cpu[i].sorted()[rounds / 2] / bareCPU))
        }
    }
}
