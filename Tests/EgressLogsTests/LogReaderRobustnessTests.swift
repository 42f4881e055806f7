@testable import EgressLogs
import Foundation
import Testing

/// Every prefix of every fixture (a file cut anywhere, as a copy interrupted
/// mid-way leaves it) reads without a trap, and every record is accounted for:
/// a flow, a DNS query, a skip or a rejection with its line.
@Suite struct LogReaderRobustnessTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: [("azure-firewall-legacy.json", SourceFormat.azureFirewall), ("azure-firewall-structured.json", .azureFirewall),
                      ("azure-firewall-log-analytics.csv", .azureFirewall), ("nsg-flow-log-v2.json", .flowLog)])
    func everyPrefixIsAccountedFor(_ file: String, _ format: SourceFormat) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent("Captures/logs/\(file)")))
        var whole = LogFileResult(path: file, format: format)
        LogSourceReader.read(bytes: bytes, into: &whole, flow: { _ in }, dns: { _ in })
        #expect(whole.rejected == (file == "azure-firewall-legacy.json" ? 1 : 0))
        for cut in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 400)) {
            var r = LogFileResult(path: file, format: format)
            var flows = 0
            LogSourceReader.read(bytes: Array(bytes[..<cut]), into: &r, flow: { _ in flows += 1 }, dns: { _ in })
            #expect(flows == r.flows)
            #expect(r.flows <= whole.flows)
            if format == .azureFirewall {
                #expect(r.flows + r.dnsQueries + r.skipped.values.reduce(0, +) + r.rejected == r.records, "cut at \(cut)")
            }
            #expect(r.rejections.allSatisfy { $0.hasPrefix("\(file):") })
        }
    }
}
