import FastHashing
import PacketWire

/// Reusable scratch memory for parsers that gather bytes (a ClientHello spread
/// over TLS records): allocated once per tracker, never per packet.
final class ScratchBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(size: Int) { buffer = .allocate(byteCount: size, alignment: 16) }
    deinit { buffer.deallocate() }
}

/// Per-flow QUIC state while its Initial packets are being read.
struct QUICFlowState {
    var crypto = CryptoStreamAssembler()
    var largestPacketNumber: UInt64?
    /// Keys from the DCID of the client's first Initial: RFC 9001 §5.2 keeps
    /// them for every Initial, even after the client switches to the server's
    /// connection ID (seen in ndpi-quic_frags_different_dcid).
    var keys: QUICInitialKeys?

    /// An opened Initial's frames into the crypto stream; false when they do not parse.
    mutating func absorb(_ opened: QUICOpenedInitial, _ frames: ByteView) -> Bool {
        largestPacketNumber = max(largestPacketNumber ?? 0, opened.packetNumber)
        return (try? crypto.absorb(payload: frames)) != nil
    }
}

/// Counters of the naming stage: what was read, and what the caps cost.
public struct NamingCounters: Sendable, Equatable {
    public var tlsClientHellos: UInt64 = 0
    public var tlsMalformed: UInt64 = 0
    public var tlsTooLarge: UInt64 = 0
    public var httpRequests: UInt64 = 0
    public var dnsMessages: UInt64 = 0
    public var dnsMalformed: UInt64 = 0
    public var dnsLinkLocal: UInt64 = 0
    public var quicInitials: UInt64 = 0
    public var quicUndecryptable: UInt64 = 0
    public var quicClientHellos: UInt64 = 0
    public var quicFlowsRefused: UInt64 = 0
    public var dnsObservationsRefused: UInt64 = 0
    public init() {}
}

extension FlowTracker {
    static let dnsPort: UInt16 = 53
    static let mdnsPort: UInt16 = 5353
    static let llmnrPort: UInt16 = 5355

    /// DNS, mDNS or LLMNR: a UDP port whose payload is read as a DNS message.
    @inline(__always)
    static func isNameServicePort(_ port: UInt16) -> Bool { port == dnsPort || port == mdnsPort || port == llmnrPort }

    /// Reads names from the payload of a packet already counted in flow `index`
    /// (or takes them from `preview`, where the decode thread read them).
    mutating func name(_ index: Int, _ packet: UnsafePointer<DecodedPacket>, fromInitiator: Bool, timestamp: Int64,
                       preview: borrowing PayloadPreview) {
        let payload = packet.pointee.payload
        guard payload.count > 0 else { return }
        let sport = packet.pointee.sourcePort, dport = packet.pointee.destinationPort
        if packet.pointee.transport == .udp {
            if sport == Self.dnsPort || dport == Self.dnsPort || sport == Self.mdnsPort || dport == Self.mdnsPort
                || sport == Self.llmnrPort || dport == Self.llmnrPort {
                table[index].dnsMessages &+= 1
                switch preview.kind {
                case .dnsQuery: namingCounters.dnsMessages += 1
                case .dnsResponse: observeDNS(preview, packet: packet, overTCP: false, timestamp: timestamp)
                default: observeDNS(payload, packet: packet, overTCP: false, timestamp: timestamp)
                }
                return
            }
            if fromInitiator, !table[index].firstFlightDone, let first = payload.u8(at: 0), QUICLongHeader.isLongHeader(first) {
                if preview.kind == .quicClientHello, quicFlows.index(forKey: UInt32(index)) == nil {
                    takeQUICPreview(index, preview)
                } else {
                    readQUICInitial(index, payload)
                }
            }
            return
        }
        // TCP.
        if sport == Self.dnsPort || dport == Self.dnsPort {
            if !fromInitiator { readDNSOverTCP(index, packet, timestamp: timestamp, preview: preview) }
            return
        }
        guard fromInitiator, !table[index].firstFlightDone else { return }
        var buffer = table[index].firstFlight
        if buffer < 0 {
            // The common case: the whole ClientHello or request head in the
            // first segment, in order. Read it where it lies; copy into a
            // buffer only when more segments are needed.
            let sequence = packet.pointee.tcp.sequenceNumber
            let inOrder = !table[index].initiatorSequenceKnown || sequence == table[index].initiatorNextSequence
            if inOrder, preview.kind == .tlsClientHello {
                // The decode thread parsed these very bytes: `readFirstFlight` would find the same ClientHello.
                record(preview, in: index, overQUIC: false)
                table[index].firstFlightDone = true
                return
            }
            if inOrder, readFirstFlight(index, payload) {
                table[index].firstFlightDone = true
                return
            }
            let base = table[index].initiatorSequenceKnown ? table[index].initiatorNextSequence : packet.pointee.tcp.sequenceNumber
            guard let acquired = firstFlights.acquire(baseSequence: base) else {
                table[index].firstFlightDone = true
                return
            }
            buffer = acquired
            table[index].firstFlight = acquired
        }
        firstFlights.add(buffer, sequence: packet.pointee.tcp.sequenceNumber, bytes: payload)
        let done = readFirstFlight(index, firstFlights.contiguousBytes(buffer))
        if done || firstFlights.isFull(buffer) {
            firstFlights.release(buffer)
            table[index].firstFlight = -1
            table[index].firstFlightDone = true
        }
    }

    /// Tries TLS, then HTTP, on the contiguous first flight. True when nothing
    /// more is to be learnt from it.
    private mutating func readFirstFlight(_ index: Int, _ flight: ByteView) -> Bool {
        var bytes = flight
        // PostgreSQL's SSLRequest (length 8, code 80877103) precedes its TLS
        // ClientHello in the same direction (seen in zeek-psql-aws-ssl-require).
        if bytes.u32(at: 0) == 8, bytes.u32(at: 4) == 80_877_103 {
            guard let rest = bytes.suffix(from: 8), rest.count > 0 else { return false }
            bytes = rest
        }
        guard let first = bytes.u8(at: 0) else { return false }
        if first == 0x16 {
            switch TLSClientHello.parse(records: bytes, scratch: scratch.buffer) {
            case .complete(let hello):
                record(hello, in: index, overQUIC: false)
                return true
            case .needMoreBytes:
                return false
            case .tooLarge:
                namingCounters.tlsTooLarge += 1
                return true
            case .malformed:
                namingCounters.tlsMalformed += 1
                return true
            case .notClientHello:
                return true
            }
        }
        switch HTTPRequestHead.parse(bytes) {
        case .complete(let head):
            if table[index].httpHost.isNone && table[index].connectTarget.isNone { namingCounters.httpRequests += 1 }
            if let host = head.host, let authority = HTTPAuthority(host) {
                table[index].httpHost = names.intern(authority.host)
            }
            guard head.isCONNECT, let authority = head.connectAuthority else { return true }
            table[index].connectTarget = names.intern(authority.host)
            table[index].connectPort = authority.port ?? 443
            // The client speaks TLS through the tunnel right after the request
            // head: its ClientHello names the real destination too.
            guard let tunnel = bytes.suffix(from: head.length), let first = tunnel.u8(at: 0) else { return false }
            guard first == 0x16 else { return true }
            switch TLSClientHello.parse(records: tunnel, scratch: scratch.buffer) {
            case .complete(let hello):
                record(hello, in: index, overQUIC: false)
                return true
            case .needMoreBytes:
                return false
            case .tooLarge, .malformed, .notClientHello:
                return true
            }
        case .needMore:
            return false
        case .notHTTP, .tooLarge:
            return true
        }
    }

    /// Keeps what a ClientHello says about its flow: server name, first ALPN, ECH.
    private mutating func record(_ hello: TLSClientHelloFacts, in index: Int, overQUIC: Bool) {
        if overQUIC { namingCounters.quicClientHellos += 1 } else { namingCounters.tlsClientHellos += 1 }
        table[index].tlsClientHelloSeen = true
        if let sni = hello.serverName {
            let id = names.intern(sni)
            if overQUIC { table[index].quicSNI = id } else { table[index].sni = id }
        }
        var alpn = hello.alpnProtocols
        if let proto = alpn.next() { table[index].alpn = names.intern(proto) }
        table[index].echPresent = hello.hasECH
    }

    /// Keeps what a preview of a ClientHello says, as `record(_:in:overQUIC:)` does from the parse.
    private mutating func record(_ preview: borrowing PayloadPreview, in index: Int, overQUIC: Bool) {
        if overQUIC { namingCounters.quicClientHellos += 1 } else { namingCounters.tlsClientHellos += 1 }
        table[index].tlsClientHelloSeen = true
        if let sni = internName(of: preview) {
            if overQUIC { table[index].quicSNI = sni } else { table[index].sni = sni }
        }
        if let proto = preview.firstALPN { table[index].alpn = names.intern(proto) }
        table[index].echPresent = preview.hasECH
    }

    /// The preview's server or question name, interned with the hash the decode thread made (nil: no name).
    @inline(__always)
    private mutating func internName(of preview: borrowing PayloadPreview) -> NameTable.NameID? {
        guard let name = preview.serverName else { return nil }
        if let hash = preview.nameHash { return names.intern(name, hash: hash) }
        return names.intern(name)
    }

    // MARK: QUIC

    /// A flow's first Initial, already read by the decode thread: counted as
    /// `readQUICInitial` counts it (and refused past the cap as it is).
    private mutating func takeQUICPreview(_ index: Int, _ preview: borrowing PayloadPreview) {
        namingCounters.quicInitials += 1
        guard quicFlows.count < limits.maxQUICFlows else { namingCounters.quicFlowsRefused += 1; return }
        record(preview, in: index, overQUIC: true)
        table[index].firstFlightDone = true
    }

    /// A QUIC flow's state, its crypto stream a spare one when there is one
    /// (each is 18 KiB, two allocations: one per QUIC connection otherwise).
    private mutating func newQUICFlowState() -> QUICFlowState {
        guard var crypto = spareQUICStreams.popLast() else { return QUICFlowState() }
        crypto.reset()
        return QUICFlowState(crypto: crypto)
    }

    /// Keeps a finished QUIC flow's crypto stream for the next (at most `spareQUICStreamLimit`).
    mutating func recycle(_ state: consuming QUICFlowState) {
        guard spareQUICStreams.count < Self.spareQUICStreamLimit else { return }
        spareQUICStreams.append(state.crypto)
    }

    /// Crypto streams kept for reuse: enough for the QUIC connections of a
    /// busy node that overlap (288 KiB), not the flow cap's worth.
    static let spareQUICStreamLimit = 16

    private mutating func readQUICInitial(_ index: Int, _ datagram: ByteView) {
        var offset = 0
        // Coalesced packets (RFC 9000 §12.2): walk every long-header packet in the datagram.
        while offset < datagram.count {
            guard let header = try? QUICLongHeader.parse(datagram, at: offset) else { return }
            defer { offset = header.end }
            guard header.type == .initial else { continue }
            namingCounters.quicInitials += 1
            var state: QUICFlowState
            if let existing = quicFlows.removeValue(forKey: UInt32(index)) {
                state = existing
            } else {
                guard quicFlows.count < limits.maxQUICFlows else { namingCounters.quicFlowsRefused += 1; return }
                state = newQUICFlowState()
            }
            // Opened with the keys kept from the flow's first Initial, else with this packet's own DCID's.
            var absorbed: Bool?
            if let keys = state.keys, keys.version == header.version {
                absorbed = quicDecryptor.withOpened(header, in: datagram, keys: keys, largestPacketNumber: state.largestPacketNumber,
                                                    counting: false) { opened, frames in state.absorb(opened, frames) }
            }
            if absorbed == nil, let keys = QUICInitialKeys(version: header.version, destinationConnectionID: header.destinationConnectionID) {
                absorbed = quicDecryptor.withOpened(header, in: datagram, keys: keys, largestPacketNumber: state.largestPacketNumber) {
                    opened, frames in state.absorb(opened, frames)
                }
                if absorbed != nil, state.keys == nil { state.keys = keys }
            }
            guard let absorbed else {
                namingCounters.quicUndecryptable += 1
                quicFlows.set(UInt32(index), state)
                continue
            }
            if !absorbed { namingCounters.quicUndecryptable += 1 }
            var done = false
            state.crypto.withContiguousBytes { bytes in
                switch TLSClientHello.parse(handshake: bytes, maxLength: CryptoStreamAssembler.defaultCapacity) {
                case .complete(let hello):
                    record(hello, in: index, overQUIC: true)
                    done = true
                case .needMoreBytes:
                    break
                case .tooLarge, .malformed, .notClientHello:
                    done = true
                }
            }
            if done {
                table[index].firstFlightDone = true
                recycle(state)
                return
            }
            quicFlows.set(UInt32(index), state)
        }
    }

    // MARK: DNS

    private mutating func readDNSOverTCP(_ index: Int, _ packet: UnsafePointer<DecodedPacket>, timestamp: Int64,
                                         preview: borrowing PayloadPreview) {
        var buffer = table[index].responderFlight
        let sequence = packet.pointee.tcp.sequenceNumber
        if buffer < 0, preview.kind == .dnsResponse,
           !table[index].responderSequenceKnown || sequence == table[index].responderNextSequence {
            // The server's stream starts with this segment, one whole response the decode thread read: what a
            // buffer here would hold and parse. The stream goes on after it, where a later segment's buffer starts.
            table[index].dnsMessages &+= 1
            observeDNS(preview, packet: packet, overTCP: true, timestamp: timestamp)
            table[index].responderNextSequence = sequence &+ UInt32(truncatingIfNeeded: packet.pointee.payload.count)
            table[index].responderSequenceKnown = true
            return
        }
        if buffer < 0 {
            let base = table[index].responderSequenceKnown ? table[index].responderNextSequence : sequence
            guard let acquired = firstFlights.acquire(baseSequence: base) else { return }
            buffer = acquired
            table[index].responderFlight = acquired
        }
        firstFlights.add(buffer, sequence: sequence, bytes: packet.pointee.payload)
        var parsed = Int(table[index].responderParsed)
        let stream = firstFlights.contiguousBytes(buffer)
        parsing: while true {
            switch DNSTCPFrame.next(in: stream, at: parsed) {
            case .message(let offset, let length, let next):
                parsed = next
                table[index].dnsMessages &+= 1
                if let message = stream.slice(from: offset, length: length) {
                    observeDNS(message, packet: packet, overTCP: true, timestamp: timestamp)
                }
            case .needMore, .end:
                break parsing
            case .malformed:
                namingCounters.dnsMalformed += 1
                parsed = stream.count
                break parsing
            }
        }
        table[index].responderParsed = Int32(parsed)
    }

    /// Reads a DNS response: every A/AAAA (and HTTPS/SVCB address hint) it
    /// carries is attributed to the name the client asked, for that client.
    mutating func observeDNS(_ payload: ByteView, packet: UnsafePointer<DecodedPacket>, overTCP: Bool, timestamp: Int64) {
        namingCounters.dnsMessages += 1
        // A response's first question is decoded as the message is checked; a query's is only checked.
        var nameBuffer = DNSNameBuffer()
        let response = DNSHeader.isResponse(payload)
        guard let message = try? (response ? DNSMessage(payload, firstQuestionName: &nameBuffer) : DNSMessage(payload)) else {
            namingCounters.dnsMalformed += 1
            return
        }
        guard response else { return }
        let linkLocal = isLinkLocal(packet)
        guard let question = message.firstQuestion else {
            // mDNS announcements carry answers without a question (RFC 6762 §8.3):
            // each address belongs to its record's owner name.
            observeUnsolicited(message, linkLocal: linkLocal)
            return
        }
        let asked = nameBuffer.withView { names.intern($0) }
        observe(asked: asked, type: question.type, rcode: message.header.responseCode.rawValue, overTCP: overTCP, linkLocal: linkLocal,
                client: packet.pointee.destination, timestamp: timestamp, effects: message)
    }

    /// A DNS response the decode thread read (`PayloadPreview`), as `observeDNS(_:packet:overTCP:timestamp:)` reads it.
    mutating func observeDNS(_ preview: borrowing PayloadPreview, packet: UnsafePointer<DecodedPacket>, overTCP: Bool, timestamp: Int64) {
        namingCounters.dnsMessages += 1
        let linkLocal = isLinkLocal(packet)
        let asked = internName(of: preview) ?? .none
        observe(asked: asked, type: preview.questionType, rcode: preview.responseCode, overTCP: overTCP, linkLocal: linkLocal,
                client: packet.pointee.destination, timestamp: timestamp, effects: preview)
    }

    /// mDNS or LLMNR (counted): answers for the link, attributed to no client.
    private mutating func isLinkLocal(_ packet: UnsafePointer<DecodedPacket>) -> Bool {
        let sport = packet.pointee.sourcePort, dport = packet.pointee.destinationPort
        let linkLocal = sport == Self.mdnsPort || dport == Self.mdnsPort || sport == Self.llmnrPort || dport == Self.llmnrPort
        if linkLocal { namingCounters.dnsLinkLocal += 1 }
        return linkLocal
    }

    /// A response's answers for `asked`: the first pass feeds the answer
    /// cache and fingerprints the answer; a response seen before (the common
    /// case) stops there, allocating nothing; a new one is kept as an observation.
    private mutating func observe(asked: NameTable.NameID, type: UInt16, rcode: UInt8, overTCP: Bool, linkLocal: Bool, client: IPAddress,
                                  timestamp: Int64, effects: borrowing some DNSAnswerEffects) {
        guard !asked.isNone else { return }
        var seed = FastHash.Accumulator()
        seed.mix(UInt64(asked.rawValue)); seed.mix(UInt64(type)); seed.mix(UInt64(rcode))
        seed.mix(overTCP ? 1 : 0); seed.mix(linkLocal ? 1 : 0)
        var fingerprint = seed, ech = false
        let attributedTo: IPAddress? = linkLocal ? nil : client
        effects.forEachEffect { effect in
            apply(effect, asked: asked, client: attributedTo, timestamp: timestamp, fingerprint: &fingerprint, ech: &ech)
        }
        guard !dnsObservationFingerprints.contains(fingerprint.value) else { return }
        guard dnsObservations.count < limits.maxDNSObservations else { namingCounters.dnsObservationsRefused += 1; return }
        var observation = DNSObservation(name: asked, type: type, rcode: rcode, answers: [], echAdvertised: false, overTCP: overTCP,
                                         linkLocal: linkLocal)
        var again = seed
        effects.forEachEffect { effect in
            if let answer = apply(effect, asked: asked, client: nil, timestamp: timestamp, fingerprint: &again, ech: &ech) {
                observation.append(answer)
            }
        }
        observation.echAdvertised = ech
        dnsObservationFingerprints.insert(fingerprint.value)
        dnsObservations.append(observation)
    }

    /// One answer record's effect: an address attributed to `asked` for
    /// `client` (when given) and folded into the answer's fingerprint, a CNAME
    /// target interned and folded, ECH noted. Returns the answer an observation lists.
    @discardableResult
    private mutating func apply(_ effect: DNSAnswerEffect, asked: NameTable.NameID, client: IPAddress?, timestamp: Int64,
                                fingerprint: inout FastHash.Accumulator, ech: inout Bool) -> DNSObservation.Answer? {
        switch effect.kind {
        case .address:
            let address = effect.address
            fingerprint.mix(address.high); fingerprint.mix(address.low)
            if let client { dnsCache.record(client: client, address: address, name: asked, ttl: effect.ttl, now: timestamp) }
            return .address(address)
        case .cname:
            guard let name = effect.name else { return nil }
            let target = names.intern(name)
            guard !target.isNone else { return nil }
            fingerprint.mix(0xc0de_0000_0000 | UInt64(target.rawValue))
            return .cname(target)
        case .ech:
            ech = true
            fingerprint.mix(0xec4)
            return nil
        case .hint:
            if let client { dnsCache.record(client: client, address: effect.address, name: asked, ttl: effect.ttl, now: timestamp) }
            return nil
        }
    }

    /// Records the owner name of each address record of a question-less response.
    private mutating func observeUnsolicited(_ message: DNSMessage, linkLocal: Bool) {
        var nameBuffer = DNSNameBuffer()
        var records = message.records()
        while let record = try? records.next() {
            guard record.section == .answer, let address = record.address,
                  (try? message.decodeName(at: record.nameOffset, into: &nameBuffer)) != nil else { continue }
            let owner = nameBuffer.withView { names.intern($0) }
            guard !owner.isNone else { continue }
            // Fingerprinted as `observeDNS` does, with a marker of its own: the same record announced again is one observation.
            var fingerprint = FastHash.Accumulator()
            fingerprint.mix(0x0a11_0000_0000 | UInt64(owner.rawValue)); fingerprint.mix(UInt64(record.type))
            fingerprint.mix(UInt64(message.header.responseCode.rawValue)); fingerprint.mix(linkLocal ? 1 : 0)
            fingerprint.mix(address.high); fingerprint.mix(address.low)
            guard !dnsObservationFingerprints.contains(fingerprint.value) else { continue }
            guard dnsObservations.count < limits.maxDNSObservations else { namingCounters.dnsObservationsRefused += 1; continue }
            dnsObservationFingerprints.insert(fingerprint.value)
            dnsObservations.append(DNSObservation(name: owner, type: record.type, rcode: message.header.responseCode.rawValue,
                                                  answers: [.address(address)], echAdvertised: false, overTCP: false, linkLocal: linkLocal))
        }
    }
}
