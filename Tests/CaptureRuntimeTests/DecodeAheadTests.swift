import CaptureSynth
import Foundation
import TestSupport
import Testing
@testable import CaptureRuntime
import EgressAudit
import PacketCapture
import PacketWire

/// Decoding on a second thread ahead of tracking changes nothing: on every
/// bundled and every real capture, the summary, the files, the errors, every
/// flow with its names, and every DNS answer are those of the one-thread run.
/// A ring of 4 slots makes both threads wait on each other constantly.
@Suite struct DecodeAheadTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var captures: [String] {
        let fm = FileManager.default
        var paths: [String] = []
        let bundled = repository.appendingPathComponent("Captures")
        for name in (try? fm.contentsOfDirectory(atPath: bundled.path)) ?? [] where name.contains(".pcap") {
            paths.append(bundled.appendingPathComponent(name).path)
        }
        if Prerequisite.shared.check("the real captures") {
            for name in (try? fm.contentsOfDirectory(atPath: RealCaptures.folder.path)) ?? [] where name.contains(".pcap") {
                paths.append(RealCaptures.path(name))
            }
        }
        return paths.sorted()
    }

    static func analyze(_ path: String, ahead: Bool, capacity: Int) -> CapturePipeline {
        var analyzer = CapturePipeline(keepsFlows: true)
        analyzer.decodesAhead = ahead
        analyzer.decodeAheadCapacity = capacity
        analyzer.read(path: path)
        analyzer.finish()
        return analyzer
    }

    @Test func thereAreCapturesToCompare() {
        #expect(Self.captures.count >= 10)
    }

    @Test(arguments: captures)
    func decodingAheadGivesTheSameAnalysis(path: String) {
        let one = Self.analyze(path, ahead: false, capacity: 1024)
        for capacity in [4, 1024] {
            let two = Self.analyze(path, ahead: true, capacity: capacity)
            #expect(two.summary == one.summary)
            #expect(two.files == one.files)
            #expect(two.errors.map(\.description) == one.errors.map(\.description))
            #expect(two.flowEntries == one.flowEntries)
            #expect(two.dnsEntries == one.dnsEntries)
            #expect(two.tracker.dnsObservations == one.tracker.dnsObservations)
            // The ring was used wherever it can be: every file, mapped or (gzip) copied, on two cores.
            if DecodeAheadRing.worthwhile && two.errors.isEmpty { #expect(two.passesDecodedAhead == 1, "\(path)") }
            #expect(one.passesDecodedAhead == 0)
        }
        #expect(one.summary.packets > 0 || !one.errors.isEmpty)
    }
}

/// A capture large enough (38 MB) that the tracking thread maps pages in
/// while it waits: the analysis is still the one-thread, libpcap-read one.
@Suite struct DecodeAheadLargeCaptureTests {
    @Test func largeBulkCaptureGivesTheSameAnalysis() throws {
        let path = TestScratch.path("decode-ahead.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Scenario.generate("bulk", options: CaptureOptions(seed: 7, packets: 80_000), output: FileOutput(path: path))
        var one = CapturePipeline(keepsFlows: true)
        one.decodesAhead = false
        one.read(path: path, reader: .libpcap)
        one.finish()
        let two = DecodeAheadTests.analyze(path, ahead: true, capacity: 1024)
        #expect(one.summary.packets == 80_000)
        #expect(two.summary == one.summary)
        #expect(two.flowEntries == one.flowEntries)
        #expect(two.dnsEntries == one.dnsEntries)
        #expect(two.passesDecodedAhead == (DecodeAheadRing.worthwhile ? 1 : 0))
    }
}

/// The copies a decode-ahead ring makes of packets a source does not lend lastingly.
@Suite struct SlotBytesTests {
    @Test func packetsAreCopiedWhole_smallAndLarge_andSlotsReused() {
        let copies = SlotBytes(slots: 4)
        for (slot, size) in [(0, 60), (1, 5000), (1, 100), (1, 9000), (3, 2048), (3, 2049)] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ slot &+ size) }
            let kept = bytes.withUnsafeBytes { raw in
                copies.keep(CapturedPacket(timestampNanoseconds: 7, bytes: ByteView(raw), originalLength: size + 4, linkType: 1), in: slot)
            }
            // The source's buffer is gone; the copy holds the same bytes.
            #expect(kept.bytes.withUnsafeBytes { Array($0) } == bytes, "slot \(slot), \(size) bytes")
            #expect(kept.originalLength == size + 4 && kept.timestampNanoseconds == 7 && kept.linkType == 1)
        }
    }
}

/// Either side of the ring decodes: the producer while the consumer is the slower one, the consumer
/// (as a packet comes into look-ahead range) while the producer is. Whichever did, the body gets
/// each packet decoded as the one-thread decoder decodes it. The consumer here sleeps through the
/// middle third of the pass (the producer gets ahead and decodes, and counts) and takes the rest at
/// once (the producer is behind and leaves decoding to it).
@Suite struct DecodeAheadSidesTests {
    static func fields(_ p: UnsafePointer<DecodedPacket>) -> String {
        let d = p.pointee
        return "\(d.status) \(d.truncated) \(d.network) \(d.transport) \(d.source) \(d.sourcePort) \(d.destination) \(d.destinationPort) \(d.payload.count)"
    }

    @Test func eitherSideDecodesAsTheDecoderDoes() throws {
        let path = TestScratch.path("decode-sides.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Scenario.generate("per-flow", options: CaptureOptions(seed: 3, packets: 3_000), output: FileOutput(path: path))
        var reference: [String] = []
        let decoder = PacketDecoder()
        _ = try CaptureFileSource(paths: [path]).forEachPacket(shouldStop: { false }) { _, captured in
            var packet = DecodedPacket()
            decoder.decode(captured.bytes, linkType: LinkType(rawValue: captured.linkType), originalLength: captured.originalLength, into: &packet)
            withUnsafePointer(to: &packet) { reference.append(Self.fields($0)) }
        }
        #expect(reference.count == 3_000)
        guard DecodeAheadRing.worthwhile else { return }
        let ring = DecodeAheadRing(source: CaptureFileSource(paths: [path]), capacity: 64)
        var seen: [String] = [], countedByProducer = 0
        _ = try ring.run { _, packet, _, _, counted, _ in
            if counted { countedByProducer += 1 }
            seen.append(Self.fields(packet))
            if (1_000..<2_000).contains(seen.count) { usleep(100) }
        }
        #expect(seen.count == reference.count)
        let differs = seen.indices.first { $0 < reference.count && seen[$0] != reference[$0] }
        #expect(differs == nil, "packet \(differs ?? 0): \(differs.map { seen[$0] } ?? "") instead of \(differs.map { reference[$0] } ?? "")")
        // The producer decoded (and counted) some; the consumer the rest (the first eighth of a ring at least).
        #expect(countedByProducer > 0 && countedByProducer < 3_000)
    }
}
