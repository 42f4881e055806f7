import Foundation
import TestSupport
import Testing

/// `egress-audit diff` as a CI job runs it on the bundled apim-vnet demo report.
@Suite struct DiffCommandTests {
    static let report = CLI.repoRoot.appendingPathComponent("Captures/demo-apim-vnet.expected.json").path

    @Test func itselfIsNoDriftAndANewDestinationFails() throws {
        let same = try CLI.run(["diff", Self.report, Self.report, "--fail-on", "new-undocumented,newly-blocked,profile-changed"])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout == "no drift: the reports agree\n")
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.report))) as? [String: Any])
        doc["undocumented"] = (doc["undocumented"] as? [[String: Any]] ?? []).filter { $0["destination"] as? String != "13.107.213.40" }
        let old = dir.appendingPathComponent("old.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: old)
        let drift = try CLI.run(["diff", old.path, Self.report, "--fail-on", "new-undocumented", "--json"])
        #expect(drift.status == 3)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(drift.stdout.utf8)) as? [String: Any])
        let destinations = parsed["destinations"] as? [[String: Any]] ?? []
        #expect(destinations.count == 1 && destinations.first?["destination"] as? String == "13.107.213.40")
        let notThatKind = try CLI.run(["diff", old.path, Self.report, "--fail-on", "newly-blocked"])
        #expect(notThatKind.status == 0)
        #expect(notThatKind.stdout.contains("+ undocumented outbound 13.107.213.40 tcp/443"))
    }

    @Test func badInputIsOneLine() throws {
        let kind = try CLI.run(["diff", Self.report, Self.report, "--fail-on", "new-stuff"])
        #expect(kind.status == 64)
        #expect(kind.stderr.contains("unknown kind \"new-stuff\""))
        let missing = try CLI.run(["diff", Self.report, "/nonexistent.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent.json: no such file"))
    }
}
