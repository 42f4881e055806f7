import EgressExport
import EgressPolicy
import Foundation
import PacketWire
import TestSupport
import Testing

/// Azure Firewall FQDN tags: the azure-firewall export writes a tag Azure Firewall offers as an
/// application rule's `fqdnTags` (Microsoft's "FQDN tags overview": tags go in application rules,
/// protocols Http:80 / Https:443), every other target the names Microsoft publishes for it. Expected
/// values are worked by hand from aks.yaml (`firewall-fqdn-tag`: AzureKubernetesService, TCP 443),
/// hdinsight.yaml (`fqdn-tags`: HDInsight and WindowsUpdate, TCP 80 and 443) and those documents.
@Suite struct FQDNTagExportTests {
    static func applicationRules(_ text: String) throws -> [[String: Any]] {
        let doc = try ExportSemanticsTests.jsonDocument(text)
        let resources = try #require(doc["resources"] as? [[String: Any]])
        return resources.flatMap { r in
            ((r["properties"] as? [String: Any])?["ruleCollections"] as? [[String: Any]] ?? []).flatMap { $0["rules"] as? [[String: Any]] ?? [] }
        }.filter { $0["ruleType"] as? String == "ApplicationRule" }
    }

    static func protocols(_ rule: [String: Any]) -> [String] {
        (rule["protocols"] as? [[String: Any]] ?? []).map { "\($0["protocolType"] ?? "?"):\($0["port"] ?? "?")" }
    }

    @Test(.requires(.shared))
    func aksTagIsOneApplicationRuleWithTheTagAndDecidesByItsPublishedNames() throws {
        let d = Deployment.fqdnTagged[0]
        let compiled = try d.compiled()
        let result = try d.export(.azureFirewall)
        let tagged = try Self.applicationRules(result.text).filter { $0["fqdnTags"] != nil }
        try #require(tagged.count == 1)
        #expect(tagged[0]["name"] as? String == "firewall-fqdn-tag")
        #expect(tagged[0]["fqdnTags"] as? [String] == ["AzureKubernetesService"])
        #expect(Self.protocols(tagged[0]) == ["Https:443"])
        #expect(tagged[0]["targetFqdns"] == nil)
        // The tag is carried whole: not listed as exported only in part.
        #expect(!result.untranslated.contains { $0.peer.hasPrefix("fqdnTag") })

        // Decisions: Azure expands the tag; its published names are allowed by that rule on 443 (as explain
        // says: the profile allows them by firewall-fqdn-tag), a lookalike and port 80 are not.
        let doc = try ExportSemanticsTests.jsonDocument(result.text)
        func byTag(_ name: String, _ port: UInt16) -> Bool {
            TargetEvaluators.azureFirewall(doc, catalog: compiled.catalog, Probe(name: name, port: port, transport: .tcp, origin: "", kind: ""))
                .contains("firewall-fqdn-tag")
        }
        for name in ["mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com", "acs-mirror.azureedge.net", "westus.data.mcr.microsoft.com"] {
            #expect(byTag(name, 443), "\(name)")
            let e = compiled.evaluate(name: name, address: nil, port: 443, transport: .tcp)
            #expect(e.verdict == .allowed && e.allowedBy.contains { $0.rule.id == "firewall-fqdn-tag" }, "explain \(name)")
        }
        #expect(!byTag("evil-mcr.microsoft.com", 443))
        #expect(!byTag("mcr.microsoft.com.evil.net", 443))
        #expect(!byTag("mcr.microsoft.com", 80))
        #expect(!byTag("login.windows.net", 443))   // an aks name Microsoft does not list under the tag
    }

    @Test(.requires(.shared))
    func otherTargetsGetThePublishedNamesAndSaySoWhereTheyAreNotTheWholeTag() throws {
        let d = Deployment.fqdnTagged[0]
        for format in [ExportFormat.cilium, .awsNetworkFirewall, .nsg, .nftables, .networkpolicy] {
            let result = try d.export(format)
            let partial = result.untranslated.filter { $0.rule == "firewall-fqdn-tag" && $0.peer == "fqdnTag AzureKubernetesService" }
            #expect(partial.count == 1, "\(format.rawValue)")
            #expect(partial.first?.reason.contains("only part") ?? false, "\(format.rawValue)")
        }
        let cilium = try d.export(.cilium).text
        #expect(cilium.contains("# firewall-fqdn-tag:"))
        #expect(cilium.contains("matchName: \"mcr-0001.mcr-msedge.net\""))
    }

    @Test func hdinsightTagsTakeBothProtocolsAndTargetsWithoutThemDropTheRule() throws {
        let d = try #require(Deployment.bare.first { $0.profile == "hdinsight" })
        let fw = try d.export(.azureFirewall)
        let tagged = try Self.applicationRules(fw.text).filter { $0["fqdnTags"] != nil }
        try #require(tagged.count == 1)
        #expect(tagged[0]["fqdnTags"] as? [String] == ["HDInsight", "WindowsUpdate"])
        #expect(Self.protocols(tagged[0]) == ["Http:80", "Https:443"])
        #expect(!fw.untranslated.contains { $0.peer.hasPrefix("fqdnTag") })

        // No names are published for either tag: a target without tags lists both, and has no rule for them
        // (an empty destination list would mean any).
        let cilium = try d.export(.cilium)
        #expect(Set(cilium.untranslated.filter { $0.rule == "fqdn-tags" }.map(\.peer)) == ["fqdnTag HDInsight", "fqdnTag WindowsUpdate"])
        #expect(cilium.untranslated.filter { $0.rule == "fqdn-tags" }.allSatisfy { $0.reason.contains("no names") })
        #expect(!cilium.text.contains("# fqdn-tags:"))
    }

    /// Where Azure Firewall cannot carry the tag (a port other than 80/443, a tag it does not offer), the
    /// azure-firewall export falls back to the published names like every other target.
    @Test func aTagAzureFirewallCannotCarryFallsBackToItsNames() throws {
        func input(_ tag: String, port: UInt16) -> ExportInput {
            let rule = ExportRule(id: "t", purpose: "test", direction: .outbound, transport: .tcp, ports: .ranges([PortRange(Int(port))!]),
                                  peers: [], fqdnTags: [tag])
            return ExportInput(name: "t", title: "t", rules: [rule], nodes: [], catalog: ServiceTagCatalog(tags: [], sources: []))
        }
        let on8443 = try RuleExporter.export(input("AzureKubernetesService", port: 8443), as: .azureFirewall)
        let rules = try Self.applicationRules(on8443.text)
        try #require(rules.count == 1)
        #expect(rules[0]["fqdnTags"] == nil)
        #expect(Set(rules[0]["targetFqdns"] as? [String] ?? []) == Set(FirewallFQDNTags.tag(named: "AzureKubernetesService")?.names ?? []))
        #expect(Self.protocols(rules[0]) == ["Https:8443"])
        #expect(on8443.untranslated.map(\.peer) == ["fqdnTag AzureKubernetesService"])

        let unknown = try RuleExporter.export(input("NoSuchTag", port: 443), as: .azureFirewall)
        #expect(try Self.applicationRules(unknown.text).isEmpty)
        #expect(unknown.untranslated.map(\.peer) == ["fqdnTag NoSuchTag"])

        // Letter case as Azure Firewall spells the tag.
        let lower = try RuleExporter.export(input("windowsupdate", port: 443), as: .azureFirewall)
        #expect(try Self.applicationRules(lower.text).first?["fqdnTags"] as? [String] == ["WindowsUpdate"])
    }
}
