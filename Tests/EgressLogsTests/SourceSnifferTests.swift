@testable import EgressLogs
import Foundation
import TestSupport
import Testing

/// The reader is chosen by the file's first bytes, never its name.
@Suite struct SourceSnifferTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    @Test(arguments: [
        ("Captures/gateway-egress.pcap", SourceFormat.capture),
        ("Captures/gateway-egress.pcapng", .capture),
        ("Captures/logs/azure-firewall-legacy.json", .azureFirewall),
        ("Captures/logs/azure-firewall-structured.json", .azureFirewall),
        ("Captures/logs/azure-firewall-log-analytics.csv", .azureFirewall),
        ("Captures/logs/vnet-flow-log-v4.json", .flowLog),
        ("Captures/logs/nsg-flow-log-v2.json", .flowLog),
        ("Captures/logs/nsg-flow-log-v2.json.gz", .flowLog),
        ("Captures/logs/README.md", .capture),
    ])
    func fixtures(_ file: String, _ format: SourceFormat) {
        #expect(SourceSniffer.sniff(path: Self.path(file)) == format)
    }

    @Test func magicBeatsTheName() throws {
        // A pcap's magic under a .json name is a capture; a flow log under .pcap is a flow log.
        let dir = try TestScratch.directory("sniff")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pcapAsJSON = dir.appendingPathComponent("x.json"), logAsPcap = dir.appendingPathComponent("x.pcap")
        try Data([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]).write(to: pcapAsJSON)
        try Data(#"{"records":[{"flowRecords":{"flows":[]}}]}"#.utf8).write(to: logAsPcap)
        #expect(SourceSniffer.sniff(path: pcapAsJSON.path) == .capture)
        #expect(SourceSniffer.sniff(path: logAsPcap.path) == .flowLog)
        #expect(SourceSniffer.sniff(path: dir.appendingPathComponent("missing").path) == .capture)
    }

    @Test func pipesAndStandardInputAreLeftUntouched() throws {
        // Looking would consume bytes a pipe cannot give twice (and block on one without a writer):
        // they are captures, whose reader sniffs without losing bytes.
        let fifo = TestScratch.path("sniff-fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        #expect(SourceSniffer.sniff(path: fifo) == .capture)
        #expect(SourceSniffer.sniff(path: "-") == .capture)
    }
}
