import PacketWire

/// How the initiator (client) of a flow was decided, strongest first.
public enum InitiatorEvidence: UInt8, Sendable, CaseIterable {
    /// It sent the SYN (or received the SYN-ACK).
    case handshake
    /// Mid-stream start: the other side uses a well-known service port.
    case servicePort
    /// Nothing better: it sent the first packet captured.
    case firstPacket
    /// A log (a firewall's, a flow log) named it the source.
    case log

    public var name: String {
        switch self {
        case .handshake: "handshake"
        case .servicePort: "service-port"
        case .firstPacket: "first-packet"
        case .log: "log"
        }
    }
}

/// What became of a connection attempt, in Zeek's terms where they fit.
public enum FlowOutcome: UInt8, Sendable, CaseIterable {
    /// TCP: the responder answered the SYN (SYN-ACK), or a mid-stream flow
    /// carried traffic both ways. UDP: the responder answered.
    case established
    /// TCP: SYN(s) and nothing back (Zeek S0). UDP: no answer.
    case unanswered
    /// TCP: the responder answered the SYN with RST (Zeek REJ).
    case refused
    /// An ICMP/ICMPv6 destination-unreachable came back for it (not admin).
    case unreachable
    /// ICMP administratively prohibited / communication filtered: a firewall said no.
    case prohibited
    /// Only the responder's side was captured (mid-stream, one direction).
    case responderOnly

    public var name: String {
        switch self {
        case .established: "established"
        case .unanswered: "unanswered"
        case .refused: "refused"
        case .unreachable: "unreachable"
        case .prohibited: "prohibited"
        case .responderOnly: "responder-only"
        }
    }

    /// True when the attempt was blocked or failed: the evidence for
    /// "attempted but failing" required traffic.
    public var isFailure: Bool {
        switch self {
        case .unanswered, .refused, .unreachable, .prohibited: true
        case .established, .responderOnly: false
        }
    }
}

/// Per-direction counters.
public struct DirectionCounters: Sendable, Equatable {
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public init() {}
}

/// One bidirectional flow: who opened it, what came of it, how much crossed
/// each way, and the names it carried. Fixed size, no references: flows live
/// in a contiguous table and are copied out only when they leave it.
public struct FlowRecord: Sendable {
    public var key: FlowKey
    /// True when the initiator is `key`'s low endpoint.
    public var initiatorIsLow: Bool
    public var initiatorEvidence: InitiatorEvidence
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var fromInitiator = DirectionCounters()
    public var fromResponder = DirectionCounters()

    // TCP evidence.
    /// SYNs (without ACK) the initiator sent: 1 + retransmissions.
    public var synCount: UInt16 = 0
    public var synAckSeen = false
    public var resetByResponder = false
    public var resetByInitiator = false
    public var finFromInitiator = false
    public var finFromResponder = false
    /// An ICMP error that quoted this flow's packet, and who sent it.
    public var icmpError: ICMPKind = .none
    public var icmpReporter: IPAddress?

    // Names this flow carried (ids in the engine's NameTable).
    public var sni: NameTable.NameID = .none
    public var quicSNI: NameTable.NameID = .none
    public var httpHost: NameTable.NameID = .none
    public var connectTarget: NameTable.NameID = .none
    public var connectPort: UInt16 = 0
    /// First ALPN protocol offered (e.g. "h2", "h3").
    public var alpn: NameTable.NameID = .none
    /// The ClientHello carried encrypted_client_hello: `sni` is only the public name.
    public var echPresent = false
    public var tlsClientHelloSeen = false
    /// The name DNS gave this client for the responder's address when the flow began.
    public var dnsName: NameTable.NameID = .none
    /// DNS messages this flow carried (port 53 over UDP or TCP).
    public var dnsMessages: UInt32 = 0
    /// Read from an NFLOG group: the group and the logging rule's prefix (first seen).
    public var loggedByNFLOG = false
    public var logGroup: UInt16 = 0
    public var logPrefix: NameTable.NameID = .none

    // A flow read from a firewall's log or a flow log (EgressLogs), not from packets.
    /// The name the log gave the destination (Azure Firewall's `Fqdn`).
    public var loggedName: NameTable.NameID = .none
    /// The logging device's own rule and action ("Deny: policy/group/collection/rule"), interned with the names.
    public var loggedRule: NameTable.NameID = .none
    /// What the log says became of the flow; when set it is the outcome (the log has no packets to judge by).
    public var loggedOutcome: FlowOutcome?
    /// False when the log names the destination but not its address (application rules):
    /// the responder's address in `key` is a placeholder, never matched or listed.
    public var responderAddressKnown = true

    // First-flight reassembly state.
    var firstFlight: FirstFlightPool.BufferID = -1
    var initiatorNextSequence: UInt32 = 0
    var initiatorSequenceKnown = false
    /// Set once nothing more is to be learned from the first flight.
    var firstFlightDone = false
    /// DNS over TCP: the responder's stream, and how much of it was parsed.
    var responderFlight: FirstFlightPool.BufferID = -1
    var responderSequenceKnown = false
    /// Where the responder's stream goes on: its SYN-ACK's sequence + 1, or past a first response
    /// read without a buffer (`readDNSOverTCP`); a buffer for what follows starts here.
    var responderNextSequence: UInt32 = 0
    var responderParsed: Int32 = 0

    public init(key: FlowKey, initiatorIsLow: Bool, evidence: InitiatorEvidence, timestamp: Int64) {
        self.key = key
        self.initiatorIsLow = initiatorIsLow
        self.initiatorEvidence = evidence
        self.firstSeen = timestamp
        self.lastSeen = timestamp
    }

    public var initiator: (address: IPAddress, port: UInt16) {
        initiatorIsLow ? (key.lowAddress, key.lowPort) : (key.highAddress, key.highPort)
    }

    public var responder: (address: IPAddress, port: UInt16) {
        initiatorIsLow ? (key.highAddress, key.highPort) : (key.lowAddress, key.lowPort)
    }

    /// The connection outcome the evidence supports (inlinable: the audit reads it for every flow).
    @inlinable
    public var outcome: FlowOutcome {
        if let loggedOutcome { return loggedOutcome }
        let traffic = trafficOutcome
        // An ICMP error explains a failed attempt; it does not undo an answered one.
        guard traffic != .established, traffic != .responderOnly else { return traffic }
        switch icmpError {
        case .none: return traffic
        case .adminProhibited: return .prohibited
        default: return .unreachable
        }
    }

    /// The outcome from the flow's own packets alone.
    @inlinable
    var trafficOutcome: FlowOutcome {
        if fromInitiator.packets == 0 { return .responderOnly }
        if key.transport == .tcp {
            if synAckSeen { return .established }
            if resetByResponder && synCount > 0 { return .refused }
        }
        return fromResponder.packets > 0 ? .established : .unanswered
    }

    public var finSeen: Bool { finFromInitiator || finFromResponder }

    /// The TCP connection is over: reset by either side, or closed by both.
    /// Such a flow leaves the table after a short delay (`FlowEngineLimits.closedTCPDelaySeconds`)
    /// instead of the full idle timeout, so the table holds connections, not history.
    public var isClosed: Bool { resetByInitiator || resetByResponder || (finFromInitiator && finFromResponder) }

    /// Reset, or closed by either side: a SYN on this 5-tuple opens a new connection (a
    /// half-closed one is not `isClosed`, yet a client does not reuse its port for a new one).
    public var connectionEnded: Bool { resetByInitiator || resetByResponder || finSeen }

    /// The first-flight buffers this flow holds, cleared here: the caller gives them back to the pool.
    mutating func takeFlights() -> (initiator: FirstFlightPool.BufferID, responder: FirstFlightPool.BufferID) {
        defer { firstFlight = -1; responderFlight = -1 }
        return (firstFlight, responderFlight)
    }

    /// SYN retransmissions (SYNs beyond the first).
    public var synRetransmits: Int { Swift.max(0, Int(synCount) - 1) }
}
