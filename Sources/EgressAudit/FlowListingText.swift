/// The terminal rendering of `analyze --flows`.
public enum FlowListingText {
    public static func render(flows: [FlowEntry], dns: [DNSEntry]) -> String {
        var out = ["flows (\(grouped(flows.count)))"]
        var table = TextTable([("PROTO", .left), ("INITIATOR", .left), ("RESPONDER", .left), ("OUTCOME", .left),
                               ("SENT", .right), ("RECEIVED", .right), ("NAMES", .left)])
        func endpoint(_ address: String, _ port: Int) -> String {
            address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        for f in flows {
            var outcome = f.outcome
            if f.synRetransmits > 0 { outcome += " (\(f.synRetransmits) SYN retransmits)" }
            if let icmp = f.icmpError { outcome += " (\(icmp)" + (f.icmpFrom.map { " from \($0)" } ?? "") + ")" }
            table.add([f.transport, endpoint(f.initiator, f.initiatorPort), endpoint(f.responder, f.responderPort), outcome,
                       "\(grouped(Int(f.packetsSent)))p \(grouped(Int(f.bytesSent)))B",
                       "\(grouped(Int(f.packetsReceived)))p \(grouped(Int(f.bytesReceived)))B", f.namesText])
        }
        out.append(table.render(indent: "  "))
        if !dns.isEmpty {
            out.append("")
            out.append("dns answers (\(grouped(dns.count)))")
            var t = TextTable([("NAME", .left), ("TYPE", .left), ("RCODE", .left), ("ANSWERS", .left)])
            for d in dns {
                t.add([d.name + (d.linkLocal ? " (link-local)" : ""), d.type, d.rcode, d.answers.joined(separator: " ")])
            }
            out.append(t.render(indent: "  "))
        }
        return out.joined(separator: "\n") + "\n"
    }
}
