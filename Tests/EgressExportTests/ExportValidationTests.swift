import EgressAudit
import EgressExport
import EgressPolicy
import Foundation
import TestSupport
import Testing

/// Every export of every built-in profile (as the demos deploy it, and bare)
/// and of every demo report is accepted by the tool or schema that owns its
/// format: `nft -c -f` in a private network namespace; Azure's ARM schemas for
/// firewallPolicies/ruleCollectionGroups and networkSecurityGroups
/// (deploy/tools/validate-arm.py); Cilium's CiliumNetworkPolicy CRD schema and
/// Kubernetes' NetworkPolicy schema (deploy/tools/validate-manifests.py). And
/// each validator rejects a broken file, so a pass means something.
@Suite struct ExportValidationTests {
    static let schemaFormats: [ExportFormat] = [.azureFirewall, .nsg, .cilium, .networkpolicy]

    @Test(.requires(.shared, .jsonschema, .pyyaml), arguments: Deployment.all, schemaFormats)
    func profileExportsFollowTheirSchema(deployment: Deployment, format: ExportFormat) throws {
        let result = try deployment.export(format)
        let path = try ExportFixtures.write(result.text, name: "export.\(format.rawValue)")
        let (valid, output) = try ExportFixtures.validate(format, path: path)
        #expect(valid, "\(output)")
        #expect(output.contains("valid") && !output.contains("skipped"), "\(output)")
    }

    @Test(.requires(.shared, .nftCheck), arguments: Deployment.all)
    func nftablesExportsLoad(deployment: Deployment) throws {
        let result = try deployment.export(.nftables)
        let path = try ExportFixtures.write(result.text, name: "export.nft")
        let (valid, output) = try ExportFixtures.validate(.nftables, path: path)
        #expect(valid, "\(output)")
    }

    @Test(.requires(.shared, .jsonschema, .pyyaml, .nftCheck), arguments: ExportFixtures.demoReports)
    func reportExportsFollowTheirSchema(report: String) throws {
        let input = ExportInput(report: try AuditReportFile.read(report), catalog: Deployment.catalog)
        for format in Self.schemaFormats + [.nftables] {
            let result = try RuleExporter.export(input, as: format)
            let path = try ExportFixtures.write(result.text, name: "export.\(format.rawValue)")
            let (valid, output) = try ExportFixtures.validate(format, path: path)
            #expect(valid, "\(format.rawValue): \(output)")
        }
    }

    /// The validators can fail: an NSG rule whose direction is not Inbound or Outbound, an Azure Firewall
    /// rule collection group priority under 100, a matchPattern with a space, a
    /// NetworkPolicy port of the wrong type, an nftables rule on an unknown set.
    @Test(.requires(.shared, .jsonschema, .pyyaml, .nftCheck))
    func eachValidatorRejectsABrokenExport() throws {
        let d = Deployment.demos[0]
        let broken: [(ExportFormat, String, String)] = [
            (.nsg, "\"direction\" : \"Outbound\"", "\"direction\" : \"Egress\""),
            (.azureFirewall, "\"priority\" : 1000,", "\"priority\" : 99,"),
            (.networkpolicy, "port: 443", "port: [443]"),
            (.nftables, "jump allowed", "ip daddr @no_such_set accept"),
        ]
        for (format, from, to) in broken {
            let text = try d.export(format).text
            #expect(text.contains(from), "\(format.rawValue) has \(from)")
            let path = try ExportFixtures.write(text.replacingOccurrences(of: from, with: to), name: "broken.\(format.rawValue)")
            let (valid, output) = try ExportFixtures.validate(format, path: path)
            #expect(!valid, "\(format.rawValue) with \(to): \(output)")
        }
        // An application rule's fqdnTags must be a list (or an ARM expression), not a bare tag name.
        let tagged = try Deployment.fqdnTagged[0].export(.azureFirewall).text
        var template = try ExportSemanticsTests.jsonDocument(tagged)
        var resources = try #require(template["resources"] as? [[String: Any]])
        var properties = try #require(resources[0]["properties"] as? [String: Any])
        var collections = try #require(properties["ruleCollections"] as? [[String: Any]])
        var changed = 0
        for c in collections.indices {
            var rules = try #require(collections[c]["rules"] as? [[String: Any]])
            for r in rules.indices where rules[r]["fqdnTags"] != nil {
                rules[r]["fqdnTags"] = "AzureKubernetesService"
                changed += 1
            }
            collections[c]["rules"] = rules
        }
        #expect(changed == 1)
        properties["ruleCollections"] = collections
        resources[0]["properties"] = properties
        template["resources"] = resources
        let brokenTags = try ExportFixtures.write(String(decoding: try JSONSerialization.data(withJSONObject: template), as: UTF8.self), name: "broken-tags.json")
        #expect(try !ExportFixtures.validate(.azureFirewall, path: brokenTags).valid)

        let cilium = try Deployment.demos[1].export(.cilium).text
        #expect(cilium.contains("matchName: \"contoso.configuration.azure-api.net\""))
        let path = try ExportFixtures.write(cilium.replacingOccurrences(of: "matchName: \"contoso.configuration.azure-api.net\"",
                                                                        with: "matchName: \"contoso configuration\""), name: "broken.cilium")
        #expect(try !ExportFixtures.validate(.cilium, path: path).valid)
    }
}
