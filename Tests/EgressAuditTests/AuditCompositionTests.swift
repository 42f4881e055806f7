import CaptureRuntime
import CaptureSynth
import EgressPolicy
import Foundation
import TestSupport
import Testing
@testable import EgressAudit

/// Several profiles at once (`--profile apim-self-hosted-gateway --profile aks`): one
/// compiled matcher whose answer is allowed when either profile's own answer is, every rule
/// and finding naming its profile. Checked against each profile audited alone.
@Suite struct AuditCompositionTests {
    static let captures = AuditDemoTests.captures
    static let tagFolder = AuditDemoTests.tagFolder

    static func audit(_ expanded: ExpandedProfile, plants: AuditFindingPlants) throws -> AuditReport {
        let catalog = try ServiceTagSources.catalog(files: [tagFolder.appendingPathComponent(plants.serviceTagFile).path],
                                                    virtualNetwork: expanded.virtualNetwork)
        let audit = AuditAccumulator(profile: CompiledProfile(expanded, catalog: catalog), nodes: plants.nodes.compactMap { CIDR($0.address) })
        var analyzer = CapturePipeline(audit: audit)
        analyzer.read(path: captures.appendingPathComponent("demo-apim-self-hosted-gateway.pcap").path)
        analyzer.finish()
        return try #require(analyzer.auditReport(serviceTagFiles: [plants.serviceTagFile]))
    }

    static func plants() throws -> AuditFindingPlants {
        try AuditFindingPlants.decode(from: Data(contentsOf: captures.appendingPathComponent("demo-apim-self-hosted-gateway.findings.json")))
    }

    static func profiles() throws -> [Profile] {
        [try #require(BuiltinProfiles.profile(id: "apim-self-hosted-gateway")), try #require(BuiltinProfiles.profile(id: "aks"))]
    }

    /// The verdict each report gives each destination it saw (name or address, with its ports).
    static func verdicts(_ r: AuditReport) -> [String: String] {
        var v: [String: String] = [:]
        for d in r.allowed { for p in d.ports { v["\(d.destination) \(p)"] = "allowed" } }
        for d in r.wrongPort { for p in d.ports { v["\(d.destination) \(p)"] = "wrong-port" } }
        for d in r.undocumented { for p in d.ports { v["\(d.destination) \(p)"] = "undocumented" } }
        return v
    }

    @Test(.requires(.shared))
    func gatewayDemoWithAKSAllowsTheUnionAndNamesEachProfile() throws {
        let p = try Self.plants()
        let (gateway, aks) = (try Self.profiles()[0], try Self.profiles()[1])
        let alone = try Self.audit(try gateway.expand(parameters: p.parameters, features: Set(p.features)), plants: p)
        let aksAlone = try Self.audit(try aks.expand(parameters: ["region": "westus"]), plants: p)
        // region and cloud unscoped: both profiles declare them; apim-name and vault-name only the gateway.
        let composed = try Self.audit(try ProfileComposition.expand([gateway, aks], parameters: p.parameters, features: p.features), plants: p)

        let a = Self.verdicts(alone), b = Self.verdicts(aksAlone), c = Self.verdicts(composed)
        #expect(Set(c.keys) == Set(a.keys).union(b.keys))
        for (key, verdict) in c {
            let either = a[key] == "allowed" || b[key] == "allowed"
            #expect((verdict == "allowed") == either, "\(key): composed \(verdict), gateway \(a[key] ?? "-"), aks \(b[key] ?? "-")")
        }
        // The planted allowed destinations of the gateway demo stay allowed, by the gateway's rules.
        for plant in p.findings where plant.kind == .allowedRequired || plant.kind == .allowedOptional {
            let d = composed.allowed.first { $0.destination == (plant.name ?? plant.address) }
            if let rule = plant.rule { #expect(d?.rules.contains { $0.hasPrefix("apim-self-hosted-gateway/\(rule)") } == true, "\(rule)") }
        }
        // Each required rule keeps its profile: the gateway's configuration endpoint, AKS's MCR (never seen here).
        #expect(composed.requiredRules.first { $0.rule == "apim-self-hosted-gateway/configuration-endpoint" }?.profile == "apim-self-hosted-gateway")
        #expect(composed.requiredRules.first { $0.rule == "aks/mcr" }?.status == "not-seen")
        #expect(composed.requiredRules.allSatisfy { $0.rule.hasPrefix($0.profile + "/") })
        #expect(Set(composed.requiredRules.map(\.profile)) == ["apim-self-hosted-gateway", "aks"])
        // Each finding names its profile: a rule's own, else the composition.
        for f in composed.findings {
            if let rule = f.rule {
                #expect(f.profile.map { rule.hasPrefix($0 + "/") } == true, "\(f.summary)")
            } else {
                #expect(f.profile == "apim-self-hosted-gateway+aks", "\(f.summary)")
            }
        }
        #expect(composed.findings.contains { $0.kind == .requiredNotSeen && $0.profile == "aks" && $0.rule == "aks/mcr" })
        #expect(composed.findings.contains { $0.kind == .blockedRequired && $0.profile == "apim-self-hosted-gateway" })
        #expect(composed.profiles.map(\.id) == ["apim-self-hosted-gateway", "aks"])
        #expect(composed.profiles[1].parameters["region"] == "westus" && composed.profile.parameters["aks.region"] == "westus")
        // Scoped parameters give the same audit as unscoped ones here.
        var scoped = p.parameters
        scoped["region"] = nil
        scoped["apim-self-hosted-gateway.region"] = "westus"
        scoped["aks.region"] = "westus"
        let again = try Self.audit(try ProfileComposition.expand([gateway, aks], parameters: scoped, features: p.features), plants: p)
        #expect(again == composed)
    }

    @Test func composedDecisionIsTheUnionOfEachProfilesOwn() throws {
        let (gateway, aks) = (try Self.profiles()[0], try Self.profiles()[1])
        let catalog = ServiceTagCatalog(tags: [], sources: [])
        let g = CompiledProfile(try gateway.expand(parameters: ["apim-name": "contoso", "region": "westus"]), catalog: catalog)
        let k = CompiledProfile(try aks.expand(parameters: ["region": "westus"]), catalog: catalog)
        let both = CompiledProfile(
            try ProfileComposition.expand([gateway, aks], parameters: ["apim-name": "contoso", "region": "westus"], features: []), catalog: catalog)
        // Names typed from the two documents, and two neither names.
        let cases: [(String, UInt16)] = [
            ("contoso.configuration.azure-api.net", 443), ("mcr.microsoft.com", 443), ("abc.hcp.westus.azmk8s.io", 443),
            ("login.microsoftonline.com", 443), ("login.microsoftonline.com", 80), ("pastebin.com", 443), ("contoso.management.azure-api.net", 443),
        ]
        for (name, port) in cases {
            let x = g.evaluate(name: name, address: nil, port: port, transport: .tcp).verdict
            let y = k.evaluate(name: name, address: nil, port: port, transport: .tcp).verdict
            let z = both.evaluate(name: name, address: nil, port: port, transport: .tcp)
            #expect((z.verdict == .allowed) == (x == .allowed || y == .allowed), "\(name):\(port)")
            // Each allowing rule is one of the allowing profile's, under its qualified name.
            for m in z.allowedBy { #expect(m.rule.id == "\(m.rule.profile)/" + m.rule.id.split(separator: "/").last!) }
        }
        #expect(both.evaluate(name: "login.microsoftonline.com", address: nil, port: 80, transport: .tcp).verdict == .wrongPort)
        #expect(both.evaluate(name: "mcr.microsoft.com", address: nil, port: 443, transport: .tcp).allowedBy.map(\.rule.id) == ["aks/mcr"])
    }

    @Test func unknownAndDuplicateNamesAreBadInput() throws {
        let (gateway, aks) = (try Self.profiles()[0], try Self.profiles()[1])
        #expect(throws: ProfileValidationErrors.self) { try ProfileComposition.expand([gateway, aks], parameters: ["aks.regoin": "westus"], features: []) }
        #expect(throws: ProfileValidationErrors.self) { try ProfileComposition.expand([gateway, aks], parameters: ["nonsense": "1"], features: []) }
        #expect(throws: ProfileValidationErrors.self) { try ProfileComposition.expand([gateway, aks], parameters: [:], features: ["aks.nope"]) }
        #expect(throws: ProfileValidationErrors.self) { try ProfileComposition.expand([aks, aks], parameters: [:], features: []) }
        do {
            _ = try ProfileComposition.expand([gateway, aks], parameters: ["aks.regoin": "westus"], features: [])
        } catch {
            #expect(error.errors.map(\.description).contains { $0.contains("aks.parameters.regoin") && $0.contains("did you mean \"region\"") },
                    "\(error.errors.map(\.description))")
        }
    }

    /// Past 256 rules a `RuleSet` keeps the rest in a `Set`: answers stay right for rules beyond it.
    @Test func compositionsPastTheInlineRuleCapacityAnswerRight() throws {
        // Every built-in profile, hdinsight last; no region, so apim-vnet keeps every region's control-plane rows.
        let profiles = BuiltinProfiles.all.filter { $0.id != "hdinsight" } + [try #require(BuiltinProfiles.profile(id: "hdinsight"))]
        let expanded = try ProfileComposition.expand(profiles, parameters: ["account": "contosohdi"], features: ["hdinsight.nva"])
        #expect(expanded.rules.count == 261, "README quotes this count")
        let compiled = CompiledProfile(expanded, catalog: ServiceTagCatalog(tags: [], sources: []))
        // HDInsight's NVA service blob (other-services.md §7 row 15), the composition's last rule but one.
        let e = compiled.evaluate(name: "wawsinfraprodbay063.blob.core.windows.net", address: nil, port: 443, transport: .tcp)
        let hdi = try #require(e.allowedBy.first { $0.rule.id == "hdinsight/nva-service-blob" })
        #expect(hdi.ruleIndex >= 256)
        #expect(compiled.decide(name: nil, address: nil, port: 443, transport: .tcp).allowedBy.contains(hdi.ruleIndex) == false)
        #expect(compiled.evaluate(name: "wawsinfraprodbay063.blob.core.windows.net", address: nil, port: 8080, transport: .tcp).verdict == .wrongPort)
    }

    @Test(.requires(.shared))
    func mergeRefusesReportsOfDifferentProfileSets() throws {
        let p = try Self.plants()
        let (gateway, aks) = (try Self.profiles()[0], try Self.profiles()[1])
        let composed = try Self.audit(try ProfileComposition.expand([gateway, aks], parameters: p.parameters, features: p.features), plants: p)
        let alone = try Self.audit(try gateway.expand(parameters: p.parameters, features: Set(p.features)), plants: p)
        #expect(throws: AuditMerge.Mismatch.self) { try AuditMerge.merge([composed, alone]) }
        let twice = try AuditMerge.merge([composed, composed])
        #expect(twice.profiles == composed.profiles)
        #expect(twice.requiredRules.first { $0.rule == "apim-self-hosted-gateway/configuration-endpoint" }?.flows
                == 2 * (composed.requiredRules.first { $0.rule == "apim-self-hosted-gateway/configuration-endpoint" }?.flows ?? 0))
    }
}
