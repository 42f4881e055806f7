import Foundation
import TestSupport
import Testing

/// `--baseline` as a CI job runs it, on the bundled apim-vnet demo: a waived finding stops failing,
/// an expired waiver fails again, a new destination fails; analyze, merge.
@Suite struct BaselineCommandTests {
    static let report = CLI.repoRoot.appendingPathComponent("Captures/demo-apim-vnet.expected.json").path
    static let capture = CLI.repoRoot.appendingPathComponent("Captures/demo-apim-vnet.pcap").path
    static let profile = ["--profile", "apim-vnet", "--param", "cloud=public", "--param", "platform=stv2", "--param", "region=westus",
                          "--param", "sku=premium", "--param", "virtual-network=10.10.0.0/16", "--param", "vnet-mode=internal",
                          "--feature", "azure-monitor", "--feature", "cert-chain", "--node", "10.10.1.4", "--node", "10.10.1.5"]

    static func waivers(_ dir: URL) throws -> String {
        let path = dir.appendingPathComponent("waivers.yaml").path
        try Data("""
            waivers:
              - {kind: undocumented, destination: 13.107.213.40, reason: Front Door health checks, expires: 2027-01-31}
              - {kind: undocumented, destination: api.github.com, reason: CI, expires: 2027-01-31}
              - {kind: undocumented, destination: objects.githubusercontent.com, reason: CI, expires: 2026-12-31}
            """.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func mergeFailsOnlyOnWhatTheWaiversDoNotCover() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try Self.waivers(dir)
        let plain = try CLI.run(["merge", Self.report, "--fail-on", "undocumented"])
        #expect(plain.status == 3)
        let waived = try CLI.run(["merge", Self.report, "--fail-on", "undocumented", "--baseline", w, "--as-of", "2026-12-06", "--json"])
        #expect(waived.status == 0, "\(waived.stderr)")
        #expect(waived.stderr.contains("3 finding(s) known"))
        #expect(waived.stdout.contains("\"known\" : \"waived until 2027-01-31: CI\""))
        // The third waiver's last day was 2026-12-31.
        let expired = try CLI.run(["merge", Self.report, "--fail-on", "undocumented", "--baseline", w, "--as-of", "2027-01-01"])
        #expect(expired.status == 3)
        #expect(expired.stderr.contains("expired 2026-12-31"))
        // Other kinds still fail.
        let blocked = try CLI.run(["merge", Self.report, "--fail-on", "blocked", "--baseline", w, "--as-of", "2026-12-06"])
        #expect(blocked.status == 3)
    }

    @Test(.requires(.shared)) func analyzeAgainstYesterdaysReportFailsOnANewDestinationOnly() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tags = ["--service-tags", SharedFolder.azurePublicServiceTags]
        let same = try CLI.run(["analyze", Self.capture] + Self.profile + tags + ["--baseline", Self.report, "--fail-on", "undocumented,blocked,wrong-port"])
        #expect(same.status == 0, "\(same.stderr)")
        // Yesterday's report without api.github.com: today that destination is new.
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.report))) as? [String: Any])
        doc["findings"] = (doc["findings"] as? [[String: Any]] ?? []).filter { $0["destination"] as? String != "api.github.com" }
        let yesterday = dir.appendingPathComponent("yesterday.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: yesterday)
        let new = try CLI.run(["analyze", Self.capture] + Self.profile + tags + ["--baseline", yesterday.path, "--fail-on", "undocumented"])
        #expect(new.status == 3)
        #expect(new.stderr.contains("1 new"))
    }

    @Test func aBadBaselineIsOneLine() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.yaml").path
        try Data("waivers:\n  - {kind: undocumented, reason: x, expires: 2027-01-01}\n".utf8).write(to: URL(fileURLWithPath: path))
        let r = try CLI.run(["merge", Self.report, "--baseline", path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("w.yaml:2:5: waivers[0]: expected a destination or a rule the waiver covers"), "\(r.stderr)")
    }
}
