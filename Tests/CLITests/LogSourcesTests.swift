import Foundation
import TestSupport
import Testing

/// Azure Firewall logs and VNet/NSG flow logs audited against cassandra-mi
/// (`egress-audit profiles show cassandra-mi --param region=eastus`). Every
/// expected value below was worked out by hand from the fixture's records
/// (Captures/logs, Microsoft's documented examples) and the profile's table,
/// as the comments show; none was copied from the tool's output.
@Suite struct LogSourcesTests {
    static func fixture(_ name: String) -> String { CLI.repoRoot.appendingPathComponent("Captures/logs/\(name)").path }
    static let profile = ["--profile", "cassandra-mi", "--param", "region=eastus"]

    static func json(_ arguments: [String]) throws -> (status: Int32, report: [String: Any], stderr: String) {
        let r = try CLI.run(arguments + ["--json"])
        let object = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
        return (r.status, object, r.stderr)
    }

    static func destinations(_ report: [String: Any], _ table: String) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for d in report[table] as? [[String: Any]] ?? [] {
            out["\(d["direction"] as? String ?? "?") \(d["destination"] as? String ?? "?")"] = d
        }
        return out
    }

    static func ruleStatus(_ report: [String: Any], _ rule: String) -> String? {
        (report["requiredRules"] as? [[String: Any]])?.first { $0["rule"] as? String == rule }?["status"] as? String
    }

    @Test func legacyFirewallLogWithABrokenLine() throws {
        let (status, r, stderr) = try Self.json(["analyze", Self.fixture("azure-firewall-legacy.json"), "--node", "10.1.0.5"] + Self.profile)
        #expect(status == 0, "\(stderr)")
        let capture = r["capture"] as? [String: Any] ?? [:]
        // Eight lines, one cut short (line 5): counted, quoted with its line, and the rest still read.
        #expect(capture["logRecords"] as? Int == 8)
        #expect(capture["logRecordsRejected"] as? Int == 1)
        #expect((capture["logRejections"] as? [String])?.first?.hasPrefix(Self.fixture("azure-firewall-legacy.json") + ":5:") == true)
        // Lines 1, 3, 4, 6 are 10.1.0.5's; line 2 is 10.11.2.4's (not a node).
        let totals = r["flowTotals"] as? [String: Any] ?? [:]
        #expect(totals["outbound"] as? Int == 4 && totals["notAudited"] as? Int == 1)
        let allowed = Self.destinations(r, "allowed")
        // Line 3: login.microsoftonline.com is fqdn-login's; the firewall allowed it by cassandra/aad.
        let login = allowed["outbound login.microsoftonline.com"]
        #expect(login?["nameSource"] as? String == "firewall-log")
        #expect(login?["rules"] as? [String] == ["fqdn-login"])
        #expect(login?["firewallRules"] as? [String] == ["Allow: cassandra/aad"])
        #expect(login?["addresses"] as? [String] == [])
        // Line 4: management.azure.com is fqdn-management's, and the firewall denied it: blocked.
        let management = allowed["outbound management.azure.com"]
        #expect(management?["failedFlows"] as? Int == 1)
        #expect(management?["failures"] as? [String: Int] == ["prohibited": 1])
        #expect(management?["firewallRules"] as? [String] == ["Deny: No rule matched"])
        #expect(Self.ruleStatus(r, "fqdn-login") == "satisfied")
        #expect(Self.ruleStatus(r, "fqdn-management") == "attempted-but-failing")
        // Lines 1 and 6: no rule of the profile allows mydestination.com, nor 13.78.143.217 on 2323.
        let undocumented = Self.destinations(r, "undocumented")
        #expect(Set(undocumented.keys) == ["outbound mydestination.com", "outbound 13.78.143.217"])
        #expect(undocumented["outbound 13.78.143.217"]?["ports"] as? [String] == ["tcp/2323"])
        #expect(undocumented["outbound 13.78.143.217"]?["failures"] as? [String: Int] == ["prohibited": 1])
        // Line 8: the firewall's DNS proxy answered NXDOMAIN for the name fqdn-vmc-vault needs (line 7's NOERROR is no failure).
        let dns = r["dnsFailures"] as? [[String: Any]] ?? []
        #expect(dns.count == 1)
        #expect(dns.first?["name"] as? String == "vmc-p-eastus.vault.azure.net" && dns.first?["rcode"] as? String == "NXDOMAIN")
        #expect(dns.first?["rules"] as? [String] == ["fqdn-vmc-vault"] && dns.first?["required"] as? Bool == true)
        let kinds = Set((r["findings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
        #expect(kinds.isSuperset(of: ["blocked-required", "failing-dns", "undocumented"]))
    }

    @Test(arguments: ["azure-firewall-structured.json", "azure-firewall-log-analytics.csv"])
    func structuredRecordsFromStorageOrLogAnalytics(_ file: String) throws {
        let (status, r, stderr) = try Self.json(["analyze", Self.fixture(file), "--node", "10.2.0.4", "--param", "virtual-network=10.2.0.0/16"]
                                               + Self.profile)
        #expect(status == 0, "\(stderr)")
        // Six records: four flows, one ICMP (skipped), one DNS query; none rejected.
        let capture = r["capture"] as? [String: Any] ?? [:]
        #expect(capture["logRecords"] as? Int == 6 && capture["logRecordsRejected"] as? Int == 0)
        let allowed = Self.destinations(r, "allowed")
        #expect(allowed["outbound packages.microsoft.com"]?["rules"] as? [String] == ["fqdn-packages"])
        #expect(allowed["outbound packages.microsoft.com"]?["firewallRules"] as? [String]
                == ["Allow: fw-policy/DefaultApplicationRuleCollectionGroup/cassandra-egress/packages"])
        #expect(allowed["outbound crl.microsoft.com"]?["failures"] as? [String: Int] == ["prohibited": 1])
        #expect(allowed["outbound crl.microsoft.com"]?["firewallRules"] as? [String] == ["Deny: Default Action"])
        // 10.2.0.5:9042 is inside the virtual network: vnet-9042-cql.
        #expect(allowed["outbound 10.2.0.5"]?["rules"] as? [String] == ["vnet-9042-cql"])
        #expect(Self.ruleStatus(r, "fqdn-packages") == "satisfied")
        #expect(Self.ruleStatus(r, "fqdn-crl") == "attempted-but-failing")
        #expect(Self.ruleStatus(r, "vnet-9042-cql") == "satisfied")
        #expect(Set(Self.destinations(r, "undocumented").keys) == ["outbound example.org"])
        let dns = r["dnsFailures"] as? [[String: Any]] ?? []
        #expect(dns.count == 1 && dns.first?["name"] as? String == "global-dsms.dsms.core.windows.net")
        #expect(dns.first?["rcode"] as? String == "SERVFAIL" && dns.first?["rules"] as? [String] == ["fqdn-global-dsms"])
    }

    @Test(.requires(.shared))
    func vnetFlowLogMatchedByAddress() throws {
        let (status, r, stderr) = try Self.json(["analyze", Self.fixture("vnet-flow-log-v4.json"), "--node", "10.0.0.6",
                                                 "--service-tags", SharedFolder.azurePublicServiceTags] + Self.profile)
        #expect(status == 0, "\(stderr)")
        // ServiceTags_Public_20251109.json: 52.239.184.180 is in Storage, 40.74.146.17 in EventHub, 104.16.218.84 in no tag.
        let allowed = Self.destinations(r, "allowed")
        let storage = allowed["outbound 52.239.184.180"], eventHub = allowed["outbound 40.74.146.17"]
        #expect(storage?["nameSource"] as? String == "address")
        #expect(storage?["flows"] as? Int == 1 && storage?["bytesSent"] as? Int == 767 && storage?["bytesReceived"] as? Int == 1580)
        #expect((storage?["rules"] as? [String])?.contains("tag-storage") == true)
        // Three connections (sports 22730, 22732, 22734): 705 + 705 + 134 bytes out, 4569 + 4569 + 108 back.
        #expect(eventHub?["flows"] as? Int == 3 && eventHub?["bytesSent"] as? Int == 1544 && eventHub?["bytesReceived"] as? Int == 9246)
        #expect((eventHub?["rules"] as? [String])?.contains("tag-eventhub") == true)
        #expect(Self.ruleStatus(r, "tag-storage") == "satisfied" && Self.ruleStatus(r, "tag-eventhub") == "satisfied")
        let undocumented = Self.destinations(r, "undocumented")
        #expect(undocumented["outbound 104.16.218.84"]?["bytesReceived"] as? Int == 32466)
        // Nine denied attempts toward the node from six addresses: inbound, every one prohibited.
        let inbound = undocumented.filter { $0.key.hasPrefix("inbound ") }
        #expect(inbound.count == 6)
        #expect(inbound.values.map { $0["flows"] as? Int ?? 0 }.reduce(0, +) == 9)
        #expect(inbound.values.map { $0["failedFlows"] as? Int ?? 0 }.reduce(0, +) == 9)
        #expect(inbound["inbound 20.55.117.81"]?["failures"] as? [String: Int] == ["prohibited": 2])
        // Both of its attempts hit the NSG rule "Internet": one rule, listed once.
        #expect(inbound["inbound 20.55.117.81"]?["firewallRules"] as? [String] == ["Deny: Internet"])
        #expect(eventHub?["firewallRules"] as? [String] == ["Allow: DefaultRule_AllowInternetOutBound"])
    }

    @Test(arguments: ["nsg-flow-log-v2.json", "nsg-flow-log-v2.json.gz"])
    func nsgFlowLogVersion2(_ file: String) throws {
        let (status, r, stderr) = try Self.json(["analyze", Self.fixture(file), "--node", "10.5.16.4"] + Self.profile)
        #expect(status == 0, "\(stderr)")
        let undocumented = Self.destinations(r, "undocumented")
        // Four allowed connections out to documentation addresses, none answered by nothing: B only, or counters back.
        let outbound = undocumented.filter { $0.key.hasPrefix("outbound ") }
        #expect(Set(outbound.keys) == ["outbound 203.0.113.118", "outbound 203.0.113.117", "outbound 203.0.113.115", "outbound 198.51.100.225"])
        #expect(outbound.values.allSatisfy { $0["failedFlows"] as? Int == 0 })
        #expect(outbound["outbound 203.0.113.115"]?["bytesSent"] as? Int == 16978 && outbound["outbound 203.0.113.115"]?["bytesReceived"] as? Int == 14008)
        // Seven denied attempts in, one of them UDP.
        let inbound = undocumented.filter { $0.key.hasPrefix("inbound ") }
        #expect(inbound.count == 7)
        #expect(inbound.values.allSatisfy { $0["failures"] as? [String: Int] == ["prohibited": 1] })
        #expect(inbound["inbound 192.0.2.190"]?["ports"] as? [String] == ["udp/443"])
    }

    @Test func sourceFormatOverridesTheContent() throws {
        // Read as Azure Firewall records, a flow log's two records are of a category the firewall reader skips.
        let asFirewall = try Self.json(["analyze", Self.fixture("nsg-flow-log-v2.json"), "--source-format", "azure-firewall"])
        #expect(asFirewall.status == 0)
        let file = (asFirewall.report["files"] as? [[String: Any]])?.first
        #expect(file?["format"] as? String == "azure-firewall" && file?["records"] as? Int == 2 && file?["skippedRecords"] as? Int == 2)
        // Read as a capture, it is not one: one line, exit 1.
        let asCapture = try CLI.run(["analyze", Self.fixture("nsg-flow-log-v2.json"), "--source-format", "capture"])
        #expect(asCapture.status == 1)
        #expect(asCapture.stderr.contains("not a pcap or pcapng capture"))
    }

    @Test func aCaptureAndAFirewallLogInOneRun() throws {
        let pcap = CLI.repoRoot.appendingPathComponent("Captures/gateway-egress.pcap").path
        let log = Self.fixture("azure-firewall-legacy.json")
        let alone = try Self.json(["analyze", pcap, "--node", "10.1.0.5"] + Self.profile)
        let both = try Self.json(["analyze", pcap, log, "--node", "10.1.0.5"] + Self.profile)
        #expect(both.status == 0, "\(both.stderr)")
        let aloneTotals = alone.report["flowTotals"] as? [String: Any] ?? [:], bothTotals = both.report["flowTotals"] as? [String: Any] ?? [:]
        // The log adds its four flows from 10.1.0.5 (lines 1, 3, 4, 6) to the capture's.
        #expect((bothTotals["outbound"] as? Int ?? -1) == (aloneTotals["outbound"] as? Int ?? -100) + 4)
        let capture = both.report["capture"] as? [String: Any] ?? [:]
        #expect(capture["files"] as? Int == 2 && capture["logRecords"] as? Int == 8)
        #expect(capture["packets"] as? Int == (alone.report["capture"] as? [String: Any])?["packets"] as? Int)
        #expect(Self.destinations(both.report, "allowed")["outbound login.microsoftonline.com"] != nil)
    }

    @Test func flowLogLinesCarryTheFirewallsWords() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("flows.jsonl").path
        let r = try CLI.run(["analyze", Self.fixture("azure-firewall-legacy.json"), "--node", "10.1.0.5", "--flow-log", path] + Self.profile)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        // Five flows: lines 1, 2, 3, 4 and 6 (line 5 did not parse; 7 and 8 are DNS queries).
        #expect(lines.count == 5)
        let login = lines.first { $0["firewall_name"] as? String == "login.microsoftonline.com" }
        #expect(login?["firewall_rule"] as? String == "Allow: cassandra/aad")
        #expect(login?["initiator_evidence"] as? String == "log" && login?["src"] as? String == "10.1.0.5" && login?["sport"] as? Int == 55700)
        #expect(login?["verdict"] as? String == "allowed" && login?["rules"] as? [String] == ["fqdn-login"])
    }

    @Test func mergedReportsKeepTheFirewallsRules() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path
        for (file, out) in [("azure-firewall-legacy.json", a), ("azure-firewall-structured.json", b)] {
            let r = try CLI.run(["analyze", Self.fixture(file), "--node", "10.1.0.5", "--node", "10.2.0.4", "--json", "--output", out] + Self.profile)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let merged = try CLI.run(["merge", a, b, "--json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let report = (try? JSONSerialization.jsonObject(with: Data(merged.stdout.utf8))) as? [String: Any] ?? [:]
        let allowed = Self.destinations(report, "allowed")
        // One report each: the legacy log's login rule and the structured log's packages rule, both kept.
        #expect(allowed["outbound login.microsoftonline.com"]?["firewallRules"] as? [String] == ["Allow: cassandra/aad"])
        #expect(allowed["outbound crl.microsoft.com"]?["firewallRules"] as? [String] == ["Deny: Default Action"])
        #expect((report["capture"] as? [String: Any])?["logRecords"] as? Int == 14)
    }

    @Test(.requires(.jsonschema))
    func logReportsFollowTheirSchemas() throws {
        let audit = try CLI.run(["analyze", Self.fixture("azure-firewall-legacy.json"), "--node", "10.1.0.5", "--json"] + Self.profile)
        #expect(try AuditCommandTests.validate(audit.stdout, schema: "audit-report.schema.json") == "ok")
        let plain = try CLI.run(["analyze", Self.fixture("azure-firewall-legacy.json"), Self.fixture("vnet-flow-log-v4.json"), "--flows", "--json"])
        #expect(try AuditCommandTests.validate(plain.stdout, schema: "analyze-report.schema.json") == "ok")
    }
}
