import CaptureRuntime
import CaptureSynth
import EgressPolicy
import Foundation
import TestSupport
import Testing
@testable import EgressAudit

/// The bundled audit demonstrations (`Captures/demo-*`): each report equals its
/// checked-in expected report, and every finding the generator planted is
/// found and none is invented — judged against the generator's findings file,
/// not against the engine's own output.
@Suite struct AuditDemoTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")
    static let tagFolder = SharedFolder.root.appendingPathComponent("data/azure")
    static let demos = ["apim-self-hosted-gateway", "apim-vnet", "cassandra-mi", "aks", "container-apps"]

    static func run(_ demo: String) throws -> (report: AuditReport, plants: AuditFindingPlants) {
        let plants = try AuditFindingPlants.decode(from: Data(contentsOf: captures.appendingPathComponent("demo-\(demo).findings.json")))
        let profile = try #require(BuiltinProfiles.profile(id: plants.profile))
        let expanded = try profile.expand(parameters: plants.parameters, features: Set(plants.features))
        let virtualNetwork = (expanded.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) }
        let catalog = try ServiceTagSources.catalog(files: [tagFolder.appendingPathComponent(plants.serviceTagFile).path], virtualNetwork: virtualNetwork)
        let audit = AuditAccumulator(profile: CompiledProfile(expanded, catalog: catalog), nodes: plants.nodes.compactMap { CIDR($0.address) })
        var analyzer = CapturePipeline(audit: audit)
        analyzer.read(path: captures.appendingPathComponent("demo-\(demo).pcap").path)
        analyzer.finish()
        return (try #require(analyzer.auditReport(serviceTagFiles: [plants.serviceTagFile])), plants)
    }

    @Test(.requires(.shared), arguments: demos)
    func everyPlantedFindingIsFoundAndNoneInvented(demo: String) throws {
        let (r, p) = try Self.run(demo)
        func planted(_ kind: AuditFindingPlant.Kind) -> [AuditFindingPlant] { p.findings.filter { $0.kind == kind } }
        func reported(_ kind: AuditReport.Severity) -> [AuditReport.Finding] { r.findings.filter { $0.kind == kind } }

        #expect(Set(r.undocumented.map(\.destination)) == Set(planted(.undocumented).compactMap { $0.name ?? $0.address }))
        for u in planted(.undocumented) where u.name == nil {
            // An address-only destination: the report says which service tags contain it.
            let d = r.undocumented.first { $0.destination == u.address }
            #expect(Set(d?.serviceTags ?? []) == Set((u.containingTags ?? []).filter { $0 != "Internet" }), "\(u.address ?? "")")
        }
        #expect(Set(r.wrongPort.flatMap { d in d.ports.map { "\(d.destination) \($0)" } })
                == Set(planted(.wrongPort).map { "\($0.name ?? $0.address ?? "") \($0.transport ?? "tcp")/\($0.port ?? 0)" }))
        #expect(Set(reported(.blockedRequired).compactMap(\.rule)) == Set(planted(.blockedRequired).compactMap(\.rule)))
        #expect(reported(.blockedRequired).count == planted(.blockedRequired).count)
        #expect(Set(r.requiredRules.filter { $0.status == "not-seen" }.map(\.rule))
                == Set(p.requiredRules.filter { $0.status == .notSeen }.map(\.rule)))
        #expect(Set(r.optionalRules.filter { $0.status == "unused" }.map(\.rule))
                == Set(p.optionalRules.filter { $0.status == .unused }.map(\.rule)))
        let rcodes = ["nameError": "NXDOMAIN", "serverFailure": "SERVFAIL"]
        #expect(Set(reported(.failingDNS).compactMap(\.destination)) == Set(planted(.failingDNS).compactMap(\.name)))
        for f in planted(.failingDNS) {
            #expect(r.dnsFailures.contains { $0.name == f.name && $0.rcode == rcodes[f.rcode ?? ""] && $0.required }, "\(f.name ?? "")")
        }
        #expect(Set(reported(.nameMismatch).compactMap(\.destination)) == Set(planted(.nameMismatch).compactMap(\.name)))
        for m in planted(.nameMismatch) {
            #expect(reported(.nameMismatch).contains { $0.summary.contains(m.name ?? "?") && $0.summary.contains(m.dnsName ?? "?") })
        }
        for a in planted(.allowedRequired) + planted(.allowedOptional) {
            let destination = a.name ?? a.address ?? ""
            let d = r.allowed.first { $0.destination == destination }
            #expect(d != nil, "allowed \(destination) not in the report")
            if let rule = a.rule { #expect(d?.rules.contains(rule) == true, "\(destination) allowed by \(rule)") }
        }
        // Rule statuses, per node where the generator planted a difference.
        for planted in p.requiredRules {
            let status = r.requiredRules.first { $0.rule == planted.rule }?.status
            let names: [AuditRuleStatusPlant.Status: String] = [.satisfied: "satisfied", .attemptedButFailing: "attempted-but-failing", .notSeen: "not-seen"]
            let expected = names[planted.status]
            #expect(status == expected, "\(planted.rule)")
            for (node, nodeStatus) in planted.nodes ?? [:] {
                let address = p.nodes.first { $0.name == node }?.address ?? node
                let want = names[nodeStatus]
                #expect(r.requiredRules.first { $0.rule == planted.rule }?.nodes?[address] == want, "\(planted.rule) on \(node)")
            }
        }
        // None invented: as many findings of each kind as were planted.
        #expect(reported(.undocumented).count == planted(.undocumented).count)
        #expect(reported(.wrongPort).count == Set(planted(.wrongPort).map { $0.name ?? $0.address ?? "" }).count)
        #expect(reported(.nameMismatch).count == planted(.nameMismatch).count)
        #expect(reported(.failingDNS).count == planted(.failingDNS).count)
        #expect(reported(.optionalUnused).count == p.optionalRules.filter { $0.status == .unused }.count)
    }

    /// Golden: the whole report, byte for byte. Regenerate after a deliberate
    /// change with EGRESS_UPDATE_GOLDEN=1 and review the diff.
    @Test(.requires(.shared), arguments: demos)
    func reportEqualsTheCheckedInExpectedReport(demo: String) throws {
        let json = try ReportOutput.json(try Self.run(demo).report)
        let expected = Self.captures.appendingPathComponent("demo-\(demo).expected.json")
        if ProcessInfo.processInfo.environment["EGRESS_UPDATE_GOLDEN"] == "1" {
            try ReportOutput.writeAtomically(json, to: expected.path)
        }
        let golden = try String(contentsOf: expected, encoding: .utf8)
        #expect(json == golden, "report differs from \(expected.lastPathComponent); regenerate with EGRESS_UPDATE_GOLDEN=1 if the change is deliberate")
    }

    /// `--suggest-rules` narrows the tag that allowed an address-only flow to
    /// the narrowest tag within it containing the address (hand-worked from
    /// ServiceTags_Public_20251109.json: 13.86.218.230 is in AzureMonitor.WestUS,
    /// a subset of the AzureMonitor the azure-monitor rule names).
    @Test(.requires(.shared))
    func suggestionsNameTheNarrowestTagWithinTheAllowingOne() throws {
        let r = try Self.run("apim-vnet").report
        let monitor = r.allowed.first { $0.destination == "13.86.218.230" }
        #expect(monitor?.rules == ["azure-monitor"])
        let tags = r.suggestions.filter { $0.kind == "serviceTag" }
        #expect(tags.contains { $0.value == "AzureMonitor.WestUS" && $0.port == 1886 && $0.transport == "tcp" })
        #expect(!tags.contains { $0.value == "AzureMonitor" }, "the global tag is wider than the address needs")
    }
}
