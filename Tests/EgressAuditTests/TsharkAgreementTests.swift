import CaptureRuntime
import TestSupport
import Testing
@testable import EgressAudit

/// The whole read+decode pipeline against tshark's ground truth for every
/// real capture: same packet count and the same set of TCP SYN destination ports.
@Suite struct TsharkAgreementTests {
    /// Files where tshark's SYN ports cannot match, with the verified reason.
    static let knownDifferences: [String: String] = [
        // Frame 83 (SYN 192.168.1.6:2721 → 147.234.1.253:58999) says IPv4 total length 122
        // while the frame holds 48 bytes of IP (caplen = len = 62): a fuzzed, lying length.
        // tshark flags it (expert error "IPv4 total length exceeds packet length") yet
        // dissects TCP anyway; egress-audit counts the frame malformed (ipv4:
        // length-exceeds-enclosing) and takes nothing from it, so 58999 is absent.
        // Every other SYN port of the file is checked below.
        "ndpi-fuzz-2006-06-26-2594.pcap": "58999",
    ]

    @Test(.requires(.shared))
    func packetsAndSynPortsMatchTshark() throws {
        let entries = try SharedCaptures.manifest()
        #expect(entries.count >= RealCaptures.manifestEntryCount)
        for entry in entries {
            var analyzer = CapturePipeline()
            analyzer.read(path: SharedCaptures.path(entry.file))
            analyzer.finish()
            #expect(analyzer.errors.isEmpty, "\(entry.file): \(analyzer.errors)")
            let summary = analyzer.summary
            #expect(summary.packets == entry.packet_count, "\(entry.file): packets")
            #expect(summary.truncated == entry.truncated_frames, "\(entry.file): truncated frames")
            var expected = entry.tcp_dst_ports
            if let port = Self.knownDifferences[entry.file].flatMap(Int.init) { expected.removeAll { $0 == port } }
            #expect(summary.synDestinationPorts == expected, "\(entry.file): SYN destination ports")
        }
    }
}
