import EgressPolicy
import FlowEngine
import PacketWire

/// Azure Firewall's log records, in every form an operator gets them.
///
/// Resource-specific ("structured") records, by table (columns as the Azure
/// Monitor table references list them):
/// - `AZFWApplicationRule`: Fqdn, SourceIp, SourcePort, DestinationPort, Protocol
///   (HTTP, HTTPS, MSSQL), Action, ActionReason, Policy, RuleCollectionGroup,
///   RuleCollection, Rule. https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwapplicationrule
/// - `AZFWNetworkRule`: SourceIp, SourcePort, DestinationIp, DestinationPort,
///   Protocol (TCP, UDP, ICMP), Action, ActionReason, the same rule path.
///   https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnetworkrule
/// - `AZFWDnsQuery`: SourceIp, SourcePort, QueryName, QueryType, ResponseCode, Protocol.
///   https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwdnsquery
///
/// Legacy `AzureDiagnostics` records carry one text, `msg` (`msg_s` in Log Analytics):
/// `HTTPS request from 10.1.0.5:55640 to mydestination.com:443. Action: Allow. Rule Collection: collection1000. Rule: rule1002`,
/// `TCP request from 111.35.136.173:12518 to 13.78.143.217:2323. Action: Deny`,
/// `DNS Request: 11.5.0.7:48197 – 15676 AAA IN md-l1l1pg5lcmkq.blob.core.windows.net. udp 55 false 512 NOERROR - 0 2.000301956s`.
/// https://learn.microsoft.com/azure/firewall/diagnostic-logs
///
/// A storage account's record puts the columns under `properties` beside
/// `time` and `category`; a Log Analytics export has them flat beside
/// `TimeGenerated` and `Type` (or `Category`): both are read.
/// https://learn.microsoft.com/azure/firewall/firewall-structured-logs
public enum AzureFirewallLog {
    public enum Event: Sendable, Equatable {
        case flow(LoggedFlow)
        case dns(LoggedDNSQuery)
        /// A record of a category the audit has no use for (NAT, threat intelligence, IDPS…).
        case skipped(String)
    }

    /// The categories read, lower-cased.
    static let applicationRule = "azfwapplicationrule", networkRule = "azfwnetworkrule", dnsQuery = "azfwdnsquery"
    static let legacyApplication = "azurefirewallapplicationrule", legacyNetwork = "azurefirewallnetworkrule"
    static let legacyDNS = "azurefirewalldnsproxy"

    /// True when the record looks like one of Azure Firewall's (for choosing a reader by content).
    static func isFirewallCategory(_ category: String) -> Bool {
        let c = category.lowercased()
        return c.hasPrefix("azfw") || c.hasPrefix("azurefirewall")
    }

    public static func interpret(_ record: JSONValue) throws(LogRecordError) -> Event {
        let line = record.line
        guard case .object = record else { throw LogRecordError(line: line, expected: "a JSON object per record") }
        func field(_ name: String) -> String? {
            if let v = record[name]?.text { return v }
            if let v = record["properties"]?[name]?.text { return v }
            return nil
        }
        func required(_ name: String) throws(LogRecordError) -> String {
            guard let v = field(name), !v.isEmpty else { throw LogRecordError(line: line, expected: "a \"\(name)\" field") }
            return v
        }
        var category = field("category") ?? field("Type") ?? ""
        if category.lowercased() == "azurediagnostics" { category = field("Category") ?? category }
        guard !category.isEmpty else { throw LogRecordError(line: line, expected: "a \"category\" (or Log Analytics \"Type\") field") }
        guard let timeText = field("time") ?? field("TimeGenerated") else {
            throw LogRecordError(line: line, expected: "a \"time\" (or Log Analytics \"TimeGenerated\") field")
        }
        guard let time = LogTime.rfc3339(timeText) else {
            throw LogRecordError(line: line, expected: "an RFC 3339 time (2018-04-16T23:45:04.8295030Z), found \"\(timeText)\"")
        }
        switch category.lowercased() {
        case applicationRule, networkRule:
            let network = category.lowercased() == networkRule
            let source = try address(required("SourceIp"), line: line, field: "SourceIp")
            let sourcePort = try port(field("SourcePort") ?? "0", line: line, field: "SourcePort")
            let destinationPort = try port(required("DestinationPort"), line: line, field: "DestinationPort")
            let protocolName = field("Protocol") ?? (network ? "" : "HTTPS")
            let transport: TransportKind
            switch protocolName.uppercased() {
            case "UDP": transport = .udp
            case "TCP", "HTTP", "HTTPS", "MSSQL", "": transport = .tcp
            case let other where !network: _ = other; transport = .tcp  // application rules run over TCP
            default: return .skipped("\(category) \(protocolName)")
            }
            var destination: IPAddress?, name: String?
            if network {
                destination = try address(required("DestinationIp"), line: line, field: "DestinationIp")
            } else {
                let fqdn = try required("Fqdn")
                if let literal = IPAddress(fqdn) { destination = literal } else { name = fqdn }
            }
            let action = try required("Action")
            let rule = ruleText(action: action, path: [field("Policy"), field("RuleCollectionGroup"), field("RuleCollection"), field("Rule")],
                                reason: field("ActionReason"))
            return .flow(LoggedFlow(time: time, transport: transport, source: source, sourcePort: sourcePort, destination: destination,
                                    destinationPort: destinationPort, name: name, outcome: outcome(action, line: line), rule: rule))
        case dnsQuery:
            let client = try address(required("SourceIp"), line: line, field: "SourceIp")
            let rcodeText = try required("ResponseCode")
            guard let rcode = responseCode(rcodeText) else {
                throw LogRecordError(line: line, expected: "a DNS response code (NOERROR, NXDOMAIN, …), found \"\(rcodeText)\"")
            }
            return .dns(LoggedDNSQuery(time: time, client: client, name: try required("QueryName"), type: recordType(field("QueryType") ?? ""),
                                       rcode: rcode, overTCP: (field("Protocol") ?? "").lowercased() == "tcp"))
        case legacyApplication, legacyNetwork:
            guard let msg = field("msg") ?? field("msg_s") else { throw LogRecordError(line: line, expected: "a \"msg\" field") }
            return try legacyRequest(msg, time: time, line: line, category: category)
        case legacyDNS:
            guard let msg = field("msg") ?? field("msg_s") else { throw LogRecordError(line: line, expected: "a \"msg\" field") }
            return try legacyDNSRequest(msg, time: time, line: line)
        default:
            return .skipped(category)
        }
    }

    /// `PROTO request from SRC:PORT to DST:PORT. Action: ACTION. Rule Collection: C. Rule: R[. more]`.
    static func legacyRequest(_ msg: String, time: Int64, line: Int, category: String) throws(LogRecordError) -> Event {
        let expected = "msg \"PROTO request from IP:PORT to HOST:PORT. Action: ALLOW|DENY…\", found \"\(msg.prefix(120))\""
        guard let fromRange = msg.range(of: " request from ") else { throw LogRecordError(line: line, expected: expected) }
        let protocolName = String(msg[..<fromRange.lowerBound]).trimmingSpaces.uppercased()
        let rest = msg[fromRange.upperBound...]
        guard let toRange = rest.range(of: " to ") else { throw LogRecordError(line: line, expected: expected) }
        let sourceText = rest[..<toRange.lowerBound]
        let afterTo = rest[toRange.upperBound...]
        // The destination ends at the first ". " (a name's own dots are never followed by a space).
        let destinationEnd = afterTo.range(of: ". ")?.lowerBound ?? afterTo.endIndex
        let destinationText = afterTo[..<destinationEnd]
        guard let (sourceHost, sourcePort) = endpoint(sourceText), let source = IPAddress(sourceHost),
              let (host, destinationPort) = endpoint(destinationText)
        else { throw LogRecordError(line: line, expected: expected) }
        var fields: [String: String] = [:]
        var extra: [String] = []
        for part in afterTo[destinationEnd...].split(separator: ". ", omittingEmptySubsequences: true) {
            let piece = part.trimmingCharacters(in: ". ")
            if let colon = piece.range(of: ": ") {
                fields[String(piece[..<colon.lowerBound]).lowercased()] = String(piece[colon.upperBound...])
            } else if !piece.isEmpty {
                extra.append(piece)
            }
        }
        guard let action = fields["action"] else { throw LogRecordError(line: line, expected: expected) }
        let transport: TransportKind
        switch protocolName {
        case "UDP": transport = .udp
        case "ICMP", "ICMPV6": return .skipped("\(category) \(protocolName)")
        default: transport = .tcp
        }
        let destination = IPAddress(host)
        let rule = ruleText(action: action, path: [fields["policy"], fields["rule collection group"], fields["rule collection"], fields["rule"]],
                            reason: extra.first)
        return .flow(LoggedFlow(time: time, transport: transport, source: source, sourcePort: sourcePort, destination: destination,
                                destinationPort: destinationPort, name: destination == nil ? host : nil, outcome: outcome(action, line: line),
                                rule: rule))
    }

    /// `DNS Request: CLIENT:PORT – ID TYPE CLASS NAME. PROTO SIZE DO BUFSIZE RCODE FLAGS SIZE DURATION`; `Error: …` lines are skipped.
    static func legacyDNSRequest(_ msg: String, time: Int64, line: Int) throws(LogRecordError) -> Event {
        let trimmed = msg.trimmingSpaces
        guard trimmed.hasPrefix("DNS Request: ") else {
            if trimmed.hasPrefix("Error:") { return .skipped("AzureFirewallDnsProxy error") }
            throw LogRecordError(line: line, expected: "msg \"DNS Request: IP:PORT – ID TYPE CLASS NAME PROTO …\", found \"\(msg.prefix(120))\"")
        }
        let words = trimmed.dropFirst("DNS Request: ".count).split(separator: " ")
        // client, dash, id, type, class, name, proto, size, do, bufsize, rcode, …
        guard words.count >= 11, let (host, _) = endpoint(words[0]), let client = IPAddress(host), let rcode = responseCode(String(words[10]))
        else { throw LogRecordError(line: line, expected: "msg \"DNS Request: IP:PORT – ID TYPE CLASS NAME PROTO SIZE DO BUFSIZE RCODE …\"") }
        return .dns(LoggedDNSQuery(time: time, client: client, name: String(words[5]), type: recordType(String(words[3])), rcode: rcode,
                                   overTCP: words[6].lowercased() == "tcp"))
    }

    /// "Allow" / "Deny" (and Azure's other words for a drop) as an outcome: a
    /// deny is a firewall's no, what the audit calls prohibited; an allow is
    /// a connection the firewall passed (the log says nothing of the far end).
    static func outcome(_ action: String, line: Int) -> FlowOutcome {
        switch action.lowercased() {
        case "deny", "drop", "denied", "alert and deny", "reject": .prohibited
        default: .established
        }
    }

    /// "Deny: policy/group/collection/rule" (or the firewall's reason when no rule matched).
    static func ruleText(action: String, path: [String?], reason: String?) -> String {
        let parts = path.compactMap { $0 }.filter { !$0.isEmpty && $0 != "N/A" }
        if !parts.isEmpty { return "\(action): \(parts.joined(separator: "/"))" }
        if let reason, !reason.isEmpty { return "\(action): \(reason)" }
        return action
    }

    /// `host:port` or `[v6]:port`.
    static func endpoint(_ text: Substring) -> (String, UInt16)? {
        let t = text.trimmingCharacters(in: " .")
        guard let colon = t.lastIndex(of: ":"), let port = UInt16(t[t.index(after: colon)...]) else { return nil }
        var host = t[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        return (String(host), port)
    }

    static func address(_ text: String, line: Int, field: String) throws(LogRecordError) -> IPAddress {
        guard let a = IPAddress(text.trimmingSpaces) else { throw LogRecordError(line: line, expected: "an IP address in \"\(field)\", found \"\(text)\"") }
        return a
    }

    static func port(_ text: String, line: Int, field: String) throws(LogRecordError) -> UInt16 {
        guard let p = UInt16(text.trimmingSpaces) else { throw LogRecordError(line: line, expected: "a port (0–65535) in \"\(field)\", found \"\(text)\"") }
        return p
    }

    static func responseCode(_ text: String) -> UInt8? {
        let names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
        if let i = names.firstIndex(of: text.uppercased()) { return UInt8(i) }
        return UInt8(text)
    }

    static func recordType(_ text: String) -> UInt16 {
        switch text.uppercased() {
        case "A": DNSRecordType.a
        case "AAAA": DNSRecordType.aaaa
        case "CNAME": DNSRecordType.cname
        case "HTTPS": DNSRecordType.https
        case "SVCB": DNSRecordType.svcb
        case "PTR": DNSRecordType.ptr
        default: UInt16(text) ?? 0
        }
    }
}

extension StringProtocol {
    /// Drops the given characters from both ends.
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
