import FlowEngine
import PacketWire

/// One connection as a log tells it, before it becomes a `FlowRecord`: who
/// opened it to where, what the device decided, and what the log counted.
public struct LoggedFlow: Sendable, Equatable {
    public var time: Int64
    public var lastTime: Int64
    public var transport: TransportKind
    public var source: IPAddress
    public var sourcePort: UInt16
    /// Nil when the log names the destination only (application rules give the FQDN, not the address).
    public var destination: IPAddress?
    public var destinationPort: UInt16
    /// The destination's name as the device saw it (Azure Firewall's `Fqdn`).
    public var name: String?
    public var outcome: FlowOutcome
    /// The device's rule and action, as it logged them.
    public var rule: String?
    public var packetsSent: UInt64 = 0, bytesSent: UInt64 = 0
    public var packetsReceived: UInt64 = 0, bytesReceived: UInt64 = 0

    public init(time: Int64, transport: TransportKind, source: IPAddress, sourcePort: UInt16, destination: IPAddress?,
                destinationPort: UInt16, name: String? = nil, outcome: FlowOutcome, rule: String? = nil) {
        self.time = time; self.lastTime = time; self.transport = transport
        self.source = source; self.sourcePort = sourcePort; self.destination = destination; self.destinationPort = destinationPort
        self.name = name; self.outcome = outcome; self.rule = rule
    }

    /// The flow for the audit: the same record a capture's flow becomes, the
    /// name and the device's rule interned in `names` (the tracker's table).
    public func record(names: inout NameTable) -> FlowRecord {
        // Application rules give no address: a placeholder of the source's family, marked unknown.
        let responder = destination ?? (source.isIPv4 ? IPAddress(ipv4: 0) : IPAddress(ipv6High: 0, low: 0))
        let key = FlowKey(transport: transport, source, sourcePort, responder, destinationPort)
        let initiatorIsLow = key.lowAddress == source && key.lowPort == sourcePort
        var r = FlowRecord(key: key, initiatorIsLow: initiatorIsLow, evidence: .log, timestamp: time)
        r.lastSeen = Swift.max(time, lastTime)
        r.fromInitiator.packets = packetsSent
        r.fromInitiator.bytes = bytesSent
        r.fromResponder.packets = packetsReceived
        r.fromResponder.bytes = bytesReceived
        r.loggedOutcome = outcome
        r.responderAddressKnown = destination != nil
        if let name { r.loggedName = names.intern(name) }
        if let rule { r.loggedRule = names.internLabel(Self.clipped(rule)) }
        return r
    }

    /// At most `NameTable.maximumLength` bytes, cut at a character boundary.
    static func clipped(_ text: String) -> String {
        guard text.utf8.count > NameTable.maximumLength else { return text }
        var out = ""
        for c in text {
            if out.utf8.count + c.utf8.count > NameTable.maximumLength - 3 { break }
            out.append(c)
        }
        return out + "…"
    }
}

/// One DNS query a resolver (Azure Firewall's DNS proxy) logged: for the
/// report's names that failed in DNS.
public struct LoggedDNSQuery: Sendable, Equatable {
    public var time: Int64
    public var client: IPAddress
    public var name: String
    public var type: UInt16
    public var rcode: UInt8
    public var overTCP: Bool

    public func observation(names: inout NameTable) -> DNSObservation? {
        let id = names.intern(name)
        guard !id.isNone else { return nil }
        return DNSObservation(name: id, type: type, rcode: rcode, answers: [], echAdvertised: false, overTCP: overTCP, linkLocal: false)
    }
}

/// A record that does not fit its schema: where, and what was expected.
public struct LogRecordError: Error, Sendable, Equatable {
    public var line: Int
    public var expected: String
    public init(line: Int, expected: String) { self.line = line; self.expected = expected }
}
