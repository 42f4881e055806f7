import CaptureSynth
import PacketWire
import Testing
@testable import FlowEngine

/// One end of a conversation, written as text so a test reads like a capture listing.
struct Endpoint {
    let address: HostAddress
    let port: UInt16

    init(_ address: String, _ port: UInt16) {
        self.address = HostAddress(address)!
        self.port = port
    }

    /// The same address as the engine spells it.
    var ip: IPAddress { IPAddress(address.description)! }
}

/// Feeds packets built by CaptureSynth's emitters (its own TCP, UDP, ICMP,
/// DNS, TLS and QUIC writers, sharing no code with PacketWire) through the
/// real `PacketDecoder` into a `FlowTracker`, one raw-IP frame at a time, and
/// keeps every flow that leaves the tracker.
struct TrackerHarness {
    var tracker: FlowTracker
    /// Flows handed out by the tracker (evicted, reused tuples, then `finish`), in that order.
    var ended: [FlowRecord] = []
    /// Nanoseconds; each packet is 1 ms after the previous unless a time is given.
    var clock: Int64 = 1_000_000_000
    private let decoder = PacketDecoder()
    /// Each packet's payload read first as the decode thread reads it, and its preview handed to the
    /// tracker with it (nil: the tracker reads every payload itself).
    private var previewer: PayloadPreviewer?
    private let previewStorage = PayloadPreview.Storage(count: 1)

    init(limits: FlowEngineLimits = FlowEngineLimits(), previews: Bool = false) {
        tracker = FlowTracker(limits: limits)
        if previews {
            previewer = PayloadPreviewer(flowHasher: tracker.table.hasher, nameHasher: tracker.names.hasher, answerHasher: tracker.dnsCache.hasher)
        }
    }

    /// Decodes one raw IP packet and hands it to the tracker.
    mutating func feed(_ ip: [UInt8], at time: Int64? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        clock = time ?? clock + 1_000_000
        var packet = DecodedPacket()
        let now = clock
        var out: [FlowRecord] = []
        ip.withUnsafeBytes { raw in
            decoder.decode(ByteView(raw), linkType: .raw, originalLength: ip.count, into: &packet)
            #expect(packet.status.isDecoded, "the test built a packet the decoder refuses", sourceLocation: sourceLocation)
            var preview = previewer == nil ? PayloadPreview.none : previewStorage.preview(0)
            withUnsafePointer(to: &packet) { lent in
                previewer?.preview(lent, into: &preview)
                tracker.process(lent, timestamp: now, wireLength: ip.count, preview: preview) { out.append($0) }
            }
        }
        ended += out
    }

    /// A TCP segment from `a` to `b` (IPv4 20 + TCP 20 bytes + payload on the wire).
    static func tcp(_ a: Endpoint, _ b: Endpoint, _ flags: CaptureSynth.TCPFlags, seq: UInt32, ack: UInt32 = 0, payload: [UInt8] = []) -> [UInt8] {
        let fields = TCPFields(sourcePort: a.port, destinationPort: b.port, sequence: seq, acknowledgment: ack, flags: flags)
        return IPPacket.build(source: a.address, destination: b.address, protocolNumber: CaptureSynth.IPProtocolNumber.tcp,
                              payload: TCPSegment.build(fields, payload: payload, source: a.address, destination: b.address))
    }

    static func udp(_ a: Endpoint, _ b: Endpoint, payload: [UInt8]) -> [UInt8] {
        IPPacket.build(source: a.address, destination: b.address, protocolNumber: CaptureSynth.IPProtocolNumber.udp,
                       payload: UDPDatagram.build(sourcePort: a.port, destinationPort: b.port, payload: payload, source: a.address, destination: b.address))
    }

    /// ICMPv4 destination unreachable from `reporter` to the quoted packet's source.
    static func icmpUnreachable(from reporter: String, code: ICMPv4UnreachableCode, quoting original: [UInt8]) -> [UInt8] {
        let source = HostAddress(reporter)!, destination = HostAddress.v4(UInt32(original[12]) << 24 | UInt32(original[13]) << 16 | UInt32(original[14]) << 8 | UInt32(original[15]))
        return IPPacket.build(source: source, destination: destination, protocolNumber: CaptureSynth.IPProtocolNumber.icmp,
                              payload: CaptureSynth.ICMPMessage.ipv4DestinationUnreachable(code: code, original: original))
    }

    /// ICMPv6 destination unreachable from `reporter` to `client`, quoting `original`.
    static func icmpv6Unreachable(from reporter: String, to client: String, code: ICMPv6UnreachableCode, quoting original: [UInt8]) -> [UInt8] {
        let source = HostAddress(reporter)!, destination = HostAddress(client)!
        return IPPacket.build(source: source, destination: destination, protocolNumber: CaptureSynth.IPProtocolNumber.icmpv6,
                              payload: CaptureSynth.ICMPMessage.ipv6DestinationUnreachable(code: code, original: original, source: source, destination: destination))
    }

    /// A DNS response to `client` from its resolver: `name` (type A or AAAA) answered by `records`.
    static func dnsResponse(to client: Endpoint, from resolver: Endpoint, id: UInt16 = 1, name: String, type: CaptureSynth.DNSRecordType = .a,
                            _ records: [CaptureSynth.DNSRecord]) -> [UInt8] {
        var m = DNSMessageFields(id: id, isResponse: true, questionName: name, questionType: type)
        m.answers = records
        return udp(resolver, client, payload: CaptureSynth.DNSMessage.build(m))
    }

    /// A browser-like ClientHello in TLS records, naming `serverName`.
    static func clientHello(_ serverName: String?, alpn: [String] = ["h2", "http/1.1"], ech: Bool = false) -> [UInt8] {
        var rng = SeededGenerator(seed: 19)
        let spec = ClientHelloSpec(serverName: serverName, alpn: alpn, encryptedClientHello: ech)
        return CaptureSynth.TLSClientHello.records(CaptureSynth.TLSClientHello.handshakeMessage(spec, rng: &rng))
    }

    /// The client's first QUIC v1 flight (padded Initial datagrams) naming `serverName`.
    static func quicFirstFlight(_ serverName: String, split: Bool = false) throws -> [[UInt8]] {
        var rng = SeededGenerator(seed: 19)
        let dcid = rng.bytes(8), scid = rng.bytes(8)
        let spec = ClientHelloSpec(serverName: serverName, alpn: ["h3"], keyShares: [.x25519], padToLength: nil,
                                   quicTransportParameters: QUICInitialPacket.transportParameters(sourceConnectionID: scid))
        let hello = CaptureSynth.TLSClientHello.handshakeMessage(spec, rng: &rng)
        return try QUICInitialPacket.clientFirstFlight(version: .v1, destinationConnectionID: dcid, sourceConnectionID: scid,
                                                       clientHello: hello, split: split)
    }

    /// SYN, SYN-ACK, ACK between `client` and `server`; the client's next sequence number is 1001.
    mutating func handshake(_ client: Endpoint, _ server: Endpoint) {
        feed(Self.tcp(client, server, .syn, seq: 1000))
        feed(Self.tcp(server, client, [.syn, .ack], seq: 5000, ack: 1001))
        feed(Self.tcp(client, server, .ack, seq: 1001, ack: 5001))
    }

    /// Ends the capture: every flow still in the table joins `ended`.
    mutating func finish() -> [FlowRecord] {
        var out: [FlowRecord] = []
        tracker.finish { r, _ in out.append(r) }
        ended += out
        return ended
    }

    /// The flows (ended so far, then those still tracked) between `a` and `b`, oldest first.
    func flows(_ a: Endpoint, _ b: Endpoint, transport: TransportKind = .tcp) -> [FlowRecord] {
        let key = FlowKey(transport: transport, a.ip, a.port, b.ip, b.port)
        var out = ended.filter { $0.key == key }
        if let live = tracker.table.find(key) { out.append(tracker.table[live]) }
        return out
    }

    /// The only flow between `a` and `b`.
    func flow(_ a: Endpoint, _ b: Endpoint, transport: TransportKind = .tcp, sourceLocation: SourceLocation = #_sourceLocation) throws -> FlowRecord {
        let all = flows(a, b, transport: transport)
        try #require(all.count == 1, "\(all.count) flows between \(a.address):\(a.port) and \(b.address):\(b.port)", sourceLocation: sourceLocation)
        return all[0]
    }

    /// The text of a name id, nil for none.
    func name(_ id: NameTable.NameID) -> String? { id.isNone ? nil : tracker.names.string(id) }
}
