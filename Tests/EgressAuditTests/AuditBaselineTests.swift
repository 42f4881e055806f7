import EgressPolicy
import Foundation
import Testing
@testable import EgressAudit

/// `--baseline` on the bundled demo's checked-in report (Captures/demo-apim-vnet.expected.json:
/// undocumented 13.107.213.40, api.github.com and objects.githubusercontent.com; blocked-required
/// sql at contoso-apim-sql.database.windows.net:1433; …): what a waiver covers, until when, and
/// what a previous report covers.
@Suite struct AuditBaselineTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures/demo-apim-vnet.expected.json").path

    static let waivers = """
        waivers:
          - kind: undocumented
            destination: API.GitHub.com
            reason: CI pulls actions from GitHub (OPS-123)
            expires: 2027-01-31
          - kind: blocked
            rule: sql
            reason: SQL is being moved behind a private endpoint
            expires: 2026-12-31
        """

    func report() throws -> AuditReport { try AuditReportFile.read(Self.demo) }

    @Test func aWaiverCoversItsFindingUntilItsLastDay() throws {
        let waivers = try AuditBaseline.parseWaivers(Self.waivers, file: "waivers.yaml")
        var r = try report()
        let outcome = AuditBaseline(.waivers(path: "waivers.yaml", waivers)).apply(to: &r, today: "2026-12-31")
        let known = r.findings.filter { $0.known != nil }.map { "\($0.kind.rawValue) \($0.destination ?? $0.rule ?? "")" }
        #expect(known == ["blocked-required contoso-apim-sql.database.windows.net:1433", "undocumented api.github.com"])
        #expect(outcome.known == 2 && outcome.new == r.findings.count - 2 && outcome.expired.isEmpty)
        #expect(r.findings.first { $0.destination == "api.github.com" }?.known == "waived until 2027-01-31: CI pulls actions from GitHub (OPS-123)")
        // The other undocumented destinations are new, so --fail-on undocumented still fails.
        #expect(r.findings.contains { $0.kind == .undocumented && $0.known == nil && $0.destination == "13.107.213.40" })
    }

    @Test func anExpiredWaiverFailsAgainAndIsSaid() throws {
        let waivers = try AuditBaseline.parseWaivers(Self.waivers, file: "waivers.yaml")
        var r = try report()
        let outcome = AuditBaseline(.waivers(path: "waivers.yaml", waivers)).apply(to: &r, today: "2027-01-01")
        #expect(r.findings.first { $0.kind == .blockedRequired }?.known == nil)
        #expect(r.findings.first { $0.destination == "api.github.com" }?.known != nil)
        #expect(outcome.expired == ["waiver waivers.yaml:6 (blocked-required rule sql) expired 2026-12-31: it covers nothing"])
        #expect(r.warnings.contains(outcome.expired[0]))
    }

    @Test func aPreviousReportCoversItsFindingsAndANewDestinationIsNew() throws {
        var same = try report()
        let all = AuditBaseline(.report(path: Self.demo, findings: try report().findings)).apply(to: &same, today: "2026-12-06")
        #expect(all.new == 0 && all.known == same.findings.count)
        // Yesterday's report did not have api.github.com: today it is new.
        let yesterday = try report().findings.filter { $0.destination != "api.github.com" }
        var today = try report()
        let outcome = AuditBaseline(.report(path: "yesterday.json", findings: yesterday)).apply(to: &today, today: "2026-12-06")
        #expect(outcome.new == 1)
        #expect(today.findings.filter { $0.known == nil }.map(\.destination) == ["api.github.com"])
    }

    @Test func aBadWaiversFileSaysWhereAndWhat() throws {
        let bad = """
            waivers:
              - kind: undocumentd
                destination: api.github.com
                reason: x
                expires: soon
            """
        #expect {
            _ = try AuditBaseline.parseWaivers(bad, file: "w.yaml")
        } throws: { error in
            let text = (error as? ProfileValidationErrors)?.description ?? ""
            return text.contains("w.yaml:2:11: waivers[0].kind: expected a finding kind") && text.contains("found \"undocumentd\"")
                && text.contains("w.yaml:5:14: waivers[0].expires: expected a date YYYY-MM-DD (the last day it covers), found \"soon\"")
        }
    }
}
