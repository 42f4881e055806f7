import FlowEngine
import PacketWire

/// One flow as `analyze --flows` reports it: endpoints by role, outcome,
/// traffic each way, and every name the wire gave it, under keys that say
/// where each name came from.
public struct FlowEntry: Codable, Sendable, Equatable {
    public var transport: String
    public var initiator: String
    public var initiatorPort: Int
    public var responder: String
    public var responderPort: Int
    /// How the initiator was decided: handshake, service-port or first-packet.
    public var initiatorEvidence: String
    public var outcome: String
    public var synRetransmits: Int
    /// The ICMP error that came back for it, and from where.
    public var icmpError: String?
    public var icmpFrom: String?
    public var packetsSent: UInt64
    public var bytesSent: UInt64
    public var packetsReceived: UInt64
    public var bytesReceived: UInt64
    public var firstSeen: String
    public var lastSeen: String
    /// TLS ClientHello server_name (with ECH: the public name).
    public var sni: String?
    /// server_name of the ClientHello in the QUIC Initial.
    public var quicSNI: String?
    public var httpHost: String?
    /// `CONNECT host:port` through a forward proxy.
    public var connect: String?
    /// The name(s) DNS gave this client for the responder's address.
    public var dnsNames: [String]?
    public var alpn: String?
    /// A flow read from a log: the name it gave (Azure Firewall's `Fqdn`) and the device's rule.
    public var firewallName: String?
    public var firewallRule: String?
    public var ech: Bool
    public var dnsMessages: UInt32?

    public init(_ r: FlowRecord, names: NameTable) {
        func text(_ id: NameTable.NameID) -> String? { id.isNone ? nil : names.string(id) }
        transport = r.key.transport.name
        initiator = r.initiator.address.description
        initiatorPort = Int(r.initiator.port)
        responder = r.responderAddressKnown ? r.responder.address.description : "(not logged)"
        responderPort = Int(r.responder.port)
        initiatorEvidence = r.initiatorEvidence.name
        outcome = r.outcome.name
        synRetransmits = r.synRetransmits
        icmpError = r.icmpError == .none ? nil : r.icmpError.name
        icmpFrom = r.icmpReporter?.description
        packetsSent = r.fromInitiator.packets
        bytesSent = r.fromInitiator.bytes
        packetsReceived = r.fromResponder.packets
        bytesReceived = r.fromResponder.bytes
        firstSeen = RFC3339.format(nanoseconds: r.firstSeen)
        lastSeen = RFC3339.format(nanoseconds: r.lastSeen)
        sni = text(r.sni)
        quicSNI = text(r.quicSNI)
        httpHost = text(r.httpHost)
        connect = text(r.connectTarget).map { "\($0):\(r.connectPort)" }
        dnsNames = text(r.dnsName).map { [$0] }
        alpn = text(r.alpn)
        firewallName = text(r.loggedName)
        firewallRule = text(r.loggedRule)
        ech = r.echPresent
        dnsMessages = r.dnsMessages > 0 ? r.dnsMessages : nil
    }

    /// "sni:a quic-sni:b http-host:c connect:d:443 dns:e" for the text table.
    public var namesText: String {
        var parts: [String] = []
        if let sni { parts.append("sni:\(sni)" + (ech ? " (ECH public name)" : "")) }
        if let quicSNI { parts.append("quic-sni:\(quicSNI)") }
        if let httpHost { parts.append("http-host:\(httpHost)") }
        if let connect { parts.append("connect:\(connect)") }
        for d in dnsNames ?? [] { parts.append("dns:\(d)") }
        if let alpn { parts.append("alpn:\(alpn)") }
        if let firewallName { parts.append("firewall:\(firewallName)") }
        if let firewallRule { parts.append("rule:\(firewallRule)") }
        return parts.joined(separator: " ")
    }
}

/// One distinct DNS answer.
public struct DNSEntry: Codable, Sendable, Equatable, Comparable {
    public var name: String
    public var type: String
    public var rcode: String
    public var answers: [String]
    public var transport: String
    public var linkLocal: Bool
    public var echAdvertised: Bool

    public init(_ o: DNSObservation, names: NameTable) {
        name = names.string(o.name)
        type = DNSEntry.typeName(o.type)
        rcode = DNSResponseCode(rawValue: o.rcode).description
        answers = o.answers.map { a in
            switch a {
            case .address(let ip): ip.description
            case .cname(let id): names.string(id)
            }
        }
        transport = o.overTCP ? "tcp" : "udp"
        linkLocal = o.linkLocal
        echAdvertised = o.echAdvertised
    }

    static func typeName(_ t: UInt16) -> String {
        switch t {
        case 1: "A"
        case 5: "CNAME"
        case 12: "PTR"
        case 28: "AAAA"
        case 33: "SRV"
        case 64: "SVCB"
        case 65: "HTTPS"
        case 255: "ANY"
        default: "TYPE\(t)"
        }
    }

    public static func < (a: DNSEntry, b: DNSEntry) -> Bool {
        (a.name, a.type, a.rcode, a.answers.joined(separator: ","), a.transport) < (b.name, b.type, b.rcode, b.answers.joined(separator: ","), b.transport)
    }
}
