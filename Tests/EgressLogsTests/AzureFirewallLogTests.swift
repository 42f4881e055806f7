@testable import EgressLogs
import EgressPolicy
import FlowEngine
import PacketWire
import Testing

/// Records in the forms Microsoft documents (https://learn.microsoft.com/azure/firewall/diagnostic-logs,
/// https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwapplicationrule), read field by field.
@Suite struct AzureFirewallLogTests {
    static func record(_ json: String) throws -> JSONValue {
        var p = JSONParser(Array(json.utf8))
        return try p.parseValue()
    }

    @Test func legacyApplicationRuleMessage() throws {
        // The documented example, verbatim.
        let r = try Self.record(#"{"category": "AzureFirewallApplicationRule", "time": "2018-04-16T23:45:04.8295030Z", "properties": {"msg": "HTTPS request from 10.1.0.5:55640 to mydestination.com:443. Action: Allow. Rule Collection: collection1000. Rule: rule1002"}}"#)
        guard case .flow(let f) = try AzureFirewallLog.interpret(r) else { Issue.record("not a flow"); return }
        #expect(f.source == IPAddress("10.1.0.5") && f.sourcePort == 55640)
        #expect(f.destination == nil && f.name == "mydestination.com" && f.destinationPort == 443)
        #expect(f.transport == .tcp && f.outcome == .established)
        #expect(f.rule == "Allow: collection1000/rule1002")
        #expect(f.time == 1_523_922_304_829_503_000)
    }

    @Test func legacyNetworkRuleDenyIsProhibited() throws {
        let r = try Self.record(#"{"category": "AzureFirewallNetworkRule", "time": "2018-06-14T23:44:11.0590400Z", "properties": {"msg": "TCP request from 111.35.136.173:12518 to 13.78.143.217:2323. Action: Deny"}}"#)
        guard case .flow(let f) = try AzureFirewallLog.interpret(r) else { Issue.record("not a flow"); return }
        #expect(f.destination == IPAddress("13.78.143.217") && f.name == nil && f.destinationPort == 2323)
        #expect(f.outcome == .prohibited && f.rule == "Deny")
    }

    @Test func legacyDNSProxyMessage() throws {
        let r = try Self.record(#"{"category": "AzureFirewallDnsProxy", "time": "2020-09-02T19:12:33.751Z", "properties": {"msg": "DNS Request: 11.5.0.7:48197 – 15676 AAA IN md-l1l1pg5lcmkq.blob.core.windows.net. udp 55 false 512 NOERROR - 0 2.000301956s"}}"#)
        guard case .dns(let q) = try AzureFirewallLog.interpret(r) else { Issue.record("not a DNS query"); return }
        #expect(q.client == IPAddress("11.5.0.7") && q.name == "md-l1l1pg5lcmkq.blob.core.windows.net." && q.rcode == 0 && !q.overTCP)
        let error = try Self.record(#"{"category": "AzureFirewallDnsProxy", "time": "2020-09-02T19:12:33.751Z", "properties": {"msg": " Error: 2 time.windows.com.reddog.microsoft.com. A: read udp 10.0.1.5:49126->168.63.129.160:53: i/o timeout"}}"#)
        #expect(try AzureFirewallLog.interpret(error) == .skipped("AzureFirewallDnsProxy error"))
    }

    @Test func structuredRecordsFlatOrUnderProperties() throws {
        // Storage account: columns under "properties"; Log Analytics: flat, with TimeGenerated and Type.
        let storage = try Self.record(#"{"time": "2024-03-01T10:00:01Z", "category": "AZFWApplicationRule", "properties": {"ActionReason": "Default Action", "Fqdn": "crl.microsoft.com", "SourceIp": "10.2.0.4", "SourcePort": 50124, "DestinationPort": 443, "Protocol": "HTTPS", "Action": "Deny", "Policy": "", "RuleCollectionGroup": "", "RuleCollection": "", "Rule": ""}}"#)
        let flat = try Self.record(#"{"TimeGenerated": "2024-03-01T10:00:01Z", "Type": "AZFWApplicationRule", "ActionReason": "Default Action", "Fqdn": "crl.microsoft.com", "SourceIp": "10.2.0.4", "SourcePort": "50124", "DestinationPort": "443", "Protocol": "HTTPS", "Action": "Deny"}"#)
        for r in [storage, flat] {
            guard case .flow(let f) = try AzureFirewallLog.interpret(r) else { Issue.record("not a flow"); return }
            #expect(f.name == "crl.microsoft.com" && f.sourcePort == 50124 && f.destinationPort == 443)
            #expect(f.outcome == .prohibited && f.rule == "Deny: Default Action")
        }
        let network = try Self.record(#"{"time": "2024-03-01T10:00:03Z", "category": "AZFWNetworkRule", "properties": {"Protocol": "UDP", "SourceIp": "10.2.0.4", "SourcePort": 41000, "DestinationIp": "10.2.0.5", "DestinationPort": 53, "Action": "Allow", "Policy": "p", "RuleCollectionGroup": "g", "RuleCollection": "c", "Rule": "r"}}"#)
        guard case .flow(let n) = try AzureFirewallLog.interpret(network) else { Issue.record("not a flow"); return }
        #expect(n.transport == .udp && n.destination == IPAddress("10.2.0.5") && n.rule == "Allow: p/g/c/r")
    }

    @Test func badFieldsNameTheLineAndTheField() throws {
        let r = try Self.record("{\n\"category\": \"AZFWNetworkRule\",\n\"time\": \"2024-03-01T10:00:03Z\",\n\"properties\": {\"SourceIp\": \"10.2.0.999\", \"DestinationIp\": \"10.2.0.5\", \"DestinationPort\": 1, \"Action\": \"Allow\"}}")
        #expect(throws: LogRecordError(line: 1, expected: "an IP address in \"SourceIp\", found \"10.2.0.999\"")) { try AzureFirewallLog.interpret(r) }
        let noTime = try Self.record(#"{"category": "AZFWNetworkRule"}"#)
        #expect(throws: LogRecordError.self) { try AzureFirewallLog.interpret(noTime) }
    }

    @Test func aFlowForTheAudit() {
        var names = NameTable(capacity: 64, seed: 1)
        var f = LoggedFlow(time: 5, transport: .tcp, source: IPAddress("10.1.0.5")!, sourcePort: 55640, destination: nil, destinationPort: 443,
                           name: "MyDestination.com", outcome: .prohibited, rule: "Deny: DefaultApplicationRuleCollectionGroup")
        f.packetsSent = 0
        let r = f.record(names: &names)
        #expect(r.initiator.address == IPAddress("10.1.0.5") && r.initiator.port == 55640 && r.responder.port == 443)
        #expect(!r.responderAddressKnown && r.outcome == .prohibited)
        #expect(names.string(r.loggedName) == "mydestination.com")
        // The device's rule keeps its spelling.
        #expect(names.string(r.loggedRule) == "Deny: DefaultApplicationRuleCollectionGroup")
        // The same rule again is the same id (a destination lists it once).
        #expect(f.record(names: &names).loggedRule == r.loggedRule)
        #expect(names.internLabel("deny: defaultapplicationrulecollectiongroup") == r.loggedRule)
    }
}
