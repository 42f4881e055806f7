import Foundation
import Testing
@testable import EgressAudit

/// `diff` on the bundled demos' checked-in reports (Captures/demo-*.expected.json).
@Suite struct AuditDiffTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")

    static func demo(_ name: String) throws -> AuditReport {
        try AuditReportFile.read(captures.appendingPathComponent("demo-\(name).expected.json").path)
    }

    @Test(arguments: ["apim-self-hosted-gateway", "apim-vnet", "cassandra-mi"])
    func aReportDiffedWithItselfIsEmpty(demo: String) throws {
        let r = try Self.demo(demo)
        let d = AuditDiff(old: r, new: r)
        #expect(d.isEmpty)
        #expect(d.kinds.isEmpty)
        #expect(d.render(markdown: false) == "no drift: the reports agree\n")
    }

    /// Yesterday had no api.github.com, a satisfied sql rule and no name mismatch; today is the demo.
    @Test func whatChangedIsNamed() throws {
        let today = try Self.demo("apim-vnet")
        var yesterday = today
        yesterday.undocumented.removeAll { $0.destination == "api.github.com" }
        let sql = try #require(yesterday.requiredRules.firstIndex { $0.rule == "sql" })
        #expect(today.requiredRules[sql].status == "attempted-but-failing")
        yesterday.requiredRules[sql].status = "satisfied"
        yesterday.nameMismatches = []
        let d = AuditDiff(old: yesterday, new: today)
        #expect(d.profileChanges.isEmpty)
        #expect(d.destinations == [.init(change: "appeared", table: "undocumented", direction: "outbound", destination: "api.github.com", port: "tcp/443")])
        #expect(d.rules == [.init(rule: "sql", required: true, old: "satisfied", new: "attempted-but-failing")])
        #expect(d.nameMismatches.map(\.sni) == ["objects.githubusercontent.com"])
        #expect(d.kinds == [.newUndocumented, .newlyBlocked, .newNameMismatch])
        // Backwards, the same changes read the other way; nothing new to fail on but the rule going back to satisfied.
        let back = AuditDiff(old: today, new: yesterday)
        #expect(back.destinations.map(\.change) == ["disappeared"])
        #expect(back.kinds.isEmpty)
    }

    @Test func differentProfilesAreNamedFirst() throws {
        let d = AuditDiff(old: try Self.demo("apim-vnet"), new: try Self.demo("cassandra-mi"))
        #expect(d.profileChanges.first == "profile apim-vnet → cassandra-mi")
        #expect(d.profileChanges.contains("parameter platform: stv2 → (unset)"))
        #expect(d.profileChanges.contains("feature cert-chain: removed"))
        #expect(d.kinds.contains(.profileChanged))
        #expect(d.render(markdown: true).hasPrefix("## Profile\n\n- profile apim-vnet → cassandra-mi"))
    }
}
