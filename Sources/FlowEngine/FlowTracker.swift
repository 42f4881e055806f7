import FastHashing
import PacketWire

/// Limits that bound the engine's memory whatever the traffic.
public struct FlowEngineLimits: Sendable {
    public var maxFlows = 1 << 20
    public var tcpIdleTimeoutSeconds: Int64 = 300
    public var udpIdleTimeoutSeconds: Int64 = 60
    /// How long a TCP connection reset by either side, or closed by both, stays after its
    /// last packet (Zeek's `tcp_close_delay` and `tcp_reset_delay`): late segments, a
    /// retransmitted FIN or its ACK, still land on it; then it leaves and is audited.
    public var closedTCPDelaySeconds: Int64 = 5
    /// Idle timeout of a UDP flow to or from port 53 (Zeek's `dns_session_timeout`): a lookup
    /// is over once answered, and resolvers retry within it; never longer than the UDP one.
    public var dnsIdleTimeoutSeconds: Int64 = 10
    public var firstFlightBytes = 16 * 1024
    public var maxFirstFlights = 4096
    public var maxNames = 1 << 18
    public var maxDNSAnswers = 1 << 17
    public var maxDNSObservations = 1 << 16
    public var maxQUICFlows = 1024
    public init() {}
}

/// Counters of what the tracker did with packets that were not simply added to a flow.
public struct FlowTrackerCounters: Sendable, Equatable {
    public var flowPackets: UInt64 = 0
    public var flowsCreated: UInt64 = 0
    public var icmpErrorsMatched: UInt64 = 0
    public var icmpErrorsUnmatched: UInt64 = 0
    public var otherPackets: UInt64 = 0
    public init() {}
}

/// Turns decoded packets into flows: finds or creates the flow, decides its
/// initiator, follows the TCP handshake and teardown, matches ICMP errors back
/// to the flow they quote, and keeps each client's first flight for naming.
public struct FlowTracker {
    public var table: FlowTable
    public var names: NameTable
    public var firstFlights: FirstFlightPool
    public private(set) var counters = FlowTrackerCounters()
    public internal(set) var namingCounters = NamingCounters()
    public internal(set) var dnsCache: DNSAnswerCache
    /// Distinct DNS answers seen (bounded by `limits.maxDNSObservations`).
    /// Every distinct DNS answer (question, code, records), in the order first seen.
    public internal(set) var dnsObservations: [DNSObservation] = []
    /// Their fingerprints: a repeated answer is recognised without building it again.
    var dnsObservationFingerprints = FingerprintSet(minimumCapacity: 1024, seed: FastHash.randomSeed())
    public let limits: FlowEngineLimits
    /// QUIC flows whose Initials are being read, by flow-table index.
    var quicFlows = FixedKeyMap<UInt32, QUICFlowState>()
    /// Crypto streams of finished QUIC flows, for the next ones (`recycle`).
    var spareQUICStreams: [CryptoStreamAssembler] = []
    var quicDecryptor = QUICInitialDecryptor()
    let scratch = ScratchBuffer(size: TLSClientHello.defaultMaxLength)

    public init(limits: FlowEngineLimits = FlowEngineLimits()) {
        self.limits = limits
        table = FlowTable(capacity: limits.maxFlows, tcpIdleTimeoutSeconds: limits.tcpIdleTimeoutSeconds, udpIdleTimeoutSeconds: limits.udpIdleTimeoutSeconds,
                          closedTCPDelaySeconds: limits.closedTCPDelaySeconds, dnsIdleTimeoutSeconds: limits.dnsIdleTimeoutSeconds)
        names = NameTable(capacity: limits.maxNames)
        firstFlights = FirstFlightPool(bufferSize: limits.firstFlightBytes, maxBuffers: limits.maxFirstFlights)
        spareQUICStreams.reserveCapacity(Self.spareQUICStreamLimit)
        dnsCache = DNSAnswerCache(capacity: limits.maxDNSAnswers)
        // The cap's room, reserved once as address space (pages mapped as observations land):
        // growing by doubling copied every observation so far, into pages faulted in one by one.
        dnsObservations.reserveCapacity(limits.maxDNSObservations)
    }

    /// Adds one decoded packet. Flows that leave the table (evicted) are
    /// handed to `ended`; returns the index of the packet's flow, if any.
    @discardableResult
    public mutating func process(_ packet: DecodedPacket, timestamp: Int64, wireLength: Int, ended: (FlowRecord) -> Void) -> Int? {
        withUnsafePointer(to: packet) { process($0, timestamp: timestamp, wireLength: wireLength, preview: PayloadPreview.none, ended: ended) }
    }

    /// `process` of the packet at `packet`, with its payload already read on the decode thread
    /// (`PayloadPreviewer`). The packet is lent by address and read field by field down the
    /// tracker: lent as a value, even a borrowed one, its 368 bytes were copied at each call
    /// across a module (a ring slot's, for every packet) and again to be counted.
    @discardableResult
    public mutating func process(_ packet: UnsafePointer<DecodedPacket>, timestamp: Int64, wireLength: Int, preview: borrowing PayloadPreview,
                                 ended: (FlowRecord) -> Void) -> Int? {
        guard packet.pointee.status.isDecoded else { counters.otherPackets += 1; return nil }
        switch packet.pointee.transport {
        case .tcp, .udp:
            return track(packet, timestamp: timestamp, wireLength: wireLength, preview: preview, ended: ended)
        case .icmp, .icmpv6:
            matchICMPError(packet)
            return nil
        default:
            counters.otherPackets += 1
            return nil
        }
    }

    /// Starts loading what packets ahead (their previews made on the decode
    /// thread) will touch here. For the packet `far` ahead: its flow's table
    /// slot, its name's slot in the name table, the preview's own bytes, and
    /// the DNS answer cache's slots its answers write; for the packet `near`
    /// ahead, the entries those slots point at (the slot had to load first).
    ///
    /// A far packet the decode thread did not read (it reads only while it is the less busy side)
    /// has no flow hash: once the table outgrows the caches, it is made here from `farPacket` and
    /// kept in the preview, where the tracker takes it instead of making it again. Under a flood,
    /// where decoding is the busier side, every new flow's slot was otherwise a cache miss (three
    /// quarters of `track`'s time); a small table stays cached, and hashing ahead would only cost.
    @inline(__always)
    public mutating func prefetch(far: UnsafeMutablePointer<PayloadPreview>?, farPacket: UnsafePointer<DecodedPacket>?,
                                  near: UnsafePointer<PayloadPreview>?) {
        if let far {
            if far.pointee.flowHash == nil, let farPacket, table.outgrowsCache {
                far.pointee.flowHash = table.hasher.hash32(of: farPacket)
            }
            if let hash = far.pointee.flowHash { table.prefetch(hash: hash) }
            if far.pointee.kind != .none {
                if let hash = far.pointee.nameHash { names.prefetch(hash: hash) }
                far.pointee.prefetchBytes()
                far.pointee.forEachAnswerHash { dnsCache.prefetchSlot(hash: $0) }
            }
        }
        if let near, near.pointee.kind == .dnsResponse {
            near.pointee.forEachAnswerHash { dnsCache.prefetchEntry(hash: $0) }
        }
    }

    /// Hands every flow still in the table to `ended` (end of capture), read
    /// where it lies: at the end of a per-flow capture that is 40 % of its flows.
    /// `ended` gets the tracker's names, as it cannot read the tracker meanwhile.
    public mutating func finish(_ ended: (FlowRecord, NameTable) -> Void) {
        quicFlows.removeAll()
        table.modifyEach { _ = $0.takeFlights() }
        firstFlights.releaseAll()
        table.forEach { ended($0, names) }
        table.removeAll()
    }

    /// Flow `index` leaves the table: its buffers and QUIC state are given
    /// back, `ended` reads it where it lies, then it is removed.
    private mutating func retire(at index: Int, _ ended: (FlowRecord) -> Void) {
        release(table.modify(index) { $0.takeFlights() })
        if !quicFlows.isEmpty, let state = quicFlows.removeValue(forKey: UInt32(index)) { recycle(state) }
        table.withRecord(index) { ended($0) }
        table.remove(at: index)
    }

    private mutating func release(_ flights: (initiator: FirstFlightPool.BufferID, responder: FirstFlightPool.BufferID)) {
        if flights.initiator >= 0 { firstFlights.release(flights.initiator) }
        if flights.responder >= 0 { firstFlights.release(flights.responder) }
    }

    // MARK: TCP and UDP

    private mutating func track(_ packet: UnsafePointer<DecodedPacket>, timestamp: Int64, wireLength: Int, preview: borrowing PayloadPreview,
                                ended: (FlowRecord) -> Void) -> Int {
        counters.flowPackets += 1
        let key = FlowKey(transport: packet.pointee.transport, packet.pointee.source, packet.pointee.sourcePort,
                          packet.pointee.destination, packet.pointee.destinationPort)
        let hash = preview.flowHash ?? table.hasher.hash32(key)
        assert(hash == table.hasher.hash32(key), "a preview's flow hash not of this packet's key")
        var found = table.find(key, hash: hash)
        if let existing = found, Self.isOpeningSYN(packet), table.withRecord(existing, { $0.connectionEnded }) {
            // The same 5-tuple, reused after the last connection on it ended (a SYN
            // after RST or FIN, as a client retrying from one port does): a new flow.
            retire(at: existing, ended)
            found = nil
        }
        let index: Int
        if let found {
            index = found
        } else {
            let source = packet.pointee.source, sourcePort = packet.pointee.sourcePort
            let senderIsLow = key.lowAddress == source && key.lowPort == sourcePort
            let (senderInitiates, evidence) = Self.initiator(packet)
            var record = FlowRecord(key: key, initiatorIsLow: senderInitiates == senderIsLow, evidence: evidence, timestamp: timestamp)
            // The name this client's DNS answer gave the server, set before the record goes in (set after, it
            // was a second write to the table: its uniqueness check and the record's clock made again).
            let destination = packet.pointee.destination
            let (client, server) = senderInitiates ? (source, destination) : (destination, source)
            record.dnsName = dnsCache.name(client: client, address: server, now: timestamp)
            // Make room first: at most one idle flow per insert, then the oldest if still full.
            if let idle = table.idleVictim(now: timestamp, budget: 4) { retire(at: idle, ended) }
            if table.isFull, let oldest = table.oldestVictim() { retire(at: oldest, ended) }
            index = table.insert(record, hash: hash)
            counters.flowsCreated += 1
        }
        update(index, packet, timestamp: timestamp, wireLength: wireLength, preview: preview)
        return index
    }

    /// A SYN without ACK: on a flow whose connection was reset or closed, it opens a new one.
    @inline(__always)
    static func isOpeningSYN(_ packet: UnsafePointer<DecodedPacket>) -> Bool {
        let isTCP = packet.pointee.transport == .tcp, hasHeader = packet.pointee.tcp.hasHeader, flags = packet.pointee.tcp.flags
        return isTCP && hasHeader && flags.contains(.syn) && !flags.contains(.ack)
    }

    /// Who opened the flow, judged from its first captured packet.
    static func initiator(_ packet: UnsafePointer<DecodedPacket>) -> (senderInitiates: Bool, InitiatorEvidence) {
        if packet.pointee.transport == .tcp && packet.pointee.tcp.hasHeader && packet.pointee.tcp.flags.contains(.syn) {
            return (!packet.pointee.tcp.flags.contains(.ack), .handshake)
        }
        let s = ServicePorts.rank(packet.pointee.sourcePort), d = ServicePorts.rank(packet.pointee.destinationPort)
        if s != d { return (d > s, .servicePort) }
        return (true, .firstPacket)
    }

    private mutating func update(_ index: Int, _ packet: UnsafePointer<DecodedPacket>, timestamp: Int64, wireLength: Int,
                                 preview: borrowing PayloadPreview) {
        // One exclusive access to the record for all the counters (one uniqueness check, not ten).
        let fromInitiator = table.modify(index) { r in Self.count(packet, into: &r, timestamp: timestamp, wireLength: wireLength) }
        if packet.pointee.payload.count > 0 { name(index, packet, fromInitiator: fromInitiator, timestamp: timestamp, preview: preview) }
        if packet.pointee.linkType == .nflog { noteLog(index, packet) }
    }

    /// An NFLOG message's group and prefix, on its flow (the prefix says which rule logged it).
    private mutating func noteLog(_ index: Int, _ packet: UnsafePointer<DecodedPacket>) {
        let group = packet.pointee.logGroup, prefix = packet.pointee.logPrefix
        let needsPrefix = table.modify(index) { r in
            r.loggedByNFLOG = true
            r.logGroup = group
            return r.logPrefix == .none && prefix.count > 0
        }
        guard needsPrefix else { return }
        let id = names.intern(prefix)
        table.modify(index) { r in r.logPrefix = id }
    }

    /// Adds a packet's evidence to its flow; returns whether the initiator sent it.
    @inline(__always)
    static func count(_ packet: UnsafePointer<DecodedPacket>, into r: inout FlowRecord, timestamp: Int64, wireLength: Int) -> Bool {
        let initiator = r.initiator
        let fromInitiator = packet.pointee.source == initiator.address && packet.pointee.sourcePort == initiator.port
        if timestamp > r.lastSeen { r.lastSeen = timestamp }
        if fromInitiator {
            r.fromInitiator.packets &+= 1
            r.fromInitiator.bytes &+= UInt64(wireLength)
        } else {
            r.fromResponder.packets &+= 1
            r.fromResponder.bytes &+= UInt64(wireLength)
        }
        guard packet.pointee.transport == .tcp, packet.pointee.tcp.hasHeader else { return fromInitiator }
        let flags = packet.pointee.tcp.flags
        if flags.contains(.syn) {
            if fromInitiator && !flags.contains(.ack) {
                r.synCount &+= 1
                r.initiatorNextSequence = packet.pointee.tcp.sequenceNumber &+ 1
                r.initiatorSequenceKnown = true
            } else if !fromInitiator && flags.contains(.ack) {
                r.synAckSeen = true
                r.responderNextSequence = packet.pointee.tcp.sequenceNumber &+ 1
                r.responderSequenceKnown = true
            }
        }
        if flags.contains(.rst) {
            if fromInitiator { r.resetByInitiator = true } else { r.resetByResponder = true }
        }
        if flags.contains(.fin) {
            if fromInitiator { r.finFromInitiator = true } else { r.finFromResponder = true }
        }
        return fromInitiator
    }

    // MARK: ICMP errors

    /// An unreachable/prohibited error quotes the packet our host sent: find
    /// that packet's flow and record why it failed.
    private mutating func matchICMPError(_ packet: UnsafePointer<DecodedPacket>) {
        let kind = packet.pointee.icmp.kind
        guard Self.isDeliveryFailure(kind), let quoted = packet.pointee.icmp.quoted,
              let sport = quoted.sourcePort, let dport = quoted.destinationPort else {
            counters.otherPackets += 1
            return
        }
        let transport: TransportKind
        switch quoted.ipProtocol {
        case 6: transport = .tcp
        case 17: transport = .udp
        default: counters.icmpErrorsUnmatched += 1; return
        }
        let key = FlowKey(transport: transport, quoted.source, sport, quoted.destination, dport)
        guard let index = table.find(key) else { counters.icmpErrorsUnmatched += 1; return }
        counters.icmpErrorsMatched += 1
        // A prohibition outranks a plain unreachable seen earlier for the same flow.
        if table[index].icmpError != .adminProhibited { table[index].icmpError = kind }
        table[index].icmpReporter = packet.pointee.source
    }

    static func isDeliveryFailure(_ kind: ICMPKind) -> Bool {
        switch kind {
        case .unreachableNetwork, .unreachableHost, .unreachableProtocol, .unreachablePort, .adminProhibited, .unreachableOther:
            return true
        default:
            return false
        }
    }
}
