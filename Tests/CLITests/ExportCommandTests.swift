import Foundation
import TestSupport
import Testing

/// `egress-audit export` as an operator runs it: parse, export, write; bad input in one line.
@Suite struct ExportCommandTests {
    static let tags = SharedFolder.azurePublicServiceTags
    static let report = CLI.repoRoot.appendingPathComponent("Captures/demo-apim-vnet.expected.json").path

    @Test(.requires(.shared)) func writesTheTargetFileAtomicallyAndListsWhatDidNotTranslate() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("cassandra.nft").path
        let r = try CLI.run(["export", "--format", "nftables", "--profile", "cassandra-mi", "--param", "region=westus",
                             "--param", "virtual-network=10.10.0.0/16", "--service-tags", Self.tags, "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("table inet egress_audit {"))
        #expect(text.contains("set nodes_v4"))
        // Names cannot be said by address: listed on standard error and in the file.
        #expect(r.stderr.contains("not exported: rule ") && r.stderr.contains("nftables matches addresses, not names"))
        #expect(text.contains("# Not expressible by address"))
    }

    /// From the apim-vnet demo report: 13.86.218.230 (tcp/1886) is in AzureMonitor.WestUS, whose
    /// networkFeatures in ServiceTags_Public_20251109.json are NSG only, and in AzureMonitor (FW among them).
    @Test(.requires(.shared)) func fromAReportTheNarrowestTagEachTargetCanUse() throws {
        let nsg = try CLI.run(["export", "--format", "nsg", "--from-report", Self.report, "--service-tags", Self.tags])
        #expect(nsg.status == 0, "\(nsg.stderr)")
        #expect(nsg.stdout.contains("\"destinationAddressPrefix\" : \"AzureMonitor.WestUS\""))
        let fw = try CLI.run(["export", "--format", "azure-firewall", "--from-report", Self.report, "--service-tags", Self.tags])
        #expect(fw.status == 0, "\(fw.stderr)")
        #expect(fw.stdout.contains("\"AzureMonitor\""))
        #expect(!fw.stdout.contains("AzureMonitor.WestUS"))
        #expect(fw.stderr.contains("warning: rule 13.86.218.230:") && fw.stderr.contains("widened to AzureMonitor"))
        // Only what was seen and allowed: the undocumented api.github.com is not opened.
        #expect(!fw.stdout.contains("api.github.com"))
        #expect(fw.stdout.contains("contoso-apim-kv.vault.azure.net"))
    }

    @Test func badInputIsOneLine() throws {
        let format = try CLI.run(["export", "--format", "pf", "--profile", "apim-vnet"])
        #expect(format.status == 64)
        #expect(format.stderr.contains("--format \"pf\": expected one of azure-firewall, nsg, nftables, cilium, networkpolicy, aws-network-firewall"))
        let neither = try CLI.run(["export", "--format", "nsg"])
        #expect(neither.status == 64)
        #expect(neither.stderr.contains("either --profile"))
        let notReport = try CLI.run(["export", "--format", "nsg", "--from-report", CLI.repoRoot.appendingPathComponent("Package.swift").path])
        #expect(notReport.status == 1)
        #expect(notReport.stderr.contains("Package.swift: not a JSON document"))
        #expect(notReport.stderr.split(separator: "\n").count == 1)
    }
}
