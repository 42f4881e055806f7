#if canImport(Glibc)
import Glibc
#endif
import CPrefetch
import FastHashing
import PacketWire

/// What one packet's payload names, read on the decode thread ahead of
/// tracking (`PayloadPreviewer`) so the tracking thread interns names instead
/// of parsing and decrypting: a whole ClientHello (TLS in one segment, or QUIC
/// in the client's first Initial), or a DNS message over UDP (a query, or a
/// response: its question and what each answer record does, in order), or a
/// DNS response that is a whole TCP segment.
///
/// A preview is a pure function of the packet's bytes and equals what the
/// tracker's own reading of those bytes would find; the tracker uses it only
/// where it would read exactly those bytes alone (a flow's first segment in
/// order, a flow's first Initial) and reads for itself otherwise, so results
/// are the same with or without previews.
///
/// The preview itself is a few words; its names and DNS effects live in
/// storage its maker owns (`PayloadPreview.Storage`, one block per
/// decode-ahead slot), so lending one to the tracker copies no kilobyte.
public struct PayloadPreview: @unchecked Sendable, DNSAnswerEffects {
    public enum Kind: UInt8, Sendable {
        case none, tlsClientHello, quicClientHello, dnsQuery, dnsResponse
    }

    /// A `DNSAnswerEffect` as the preview stores it (a CNAME target's name at `nameOffset` in the bytes).
    struct StoredEffect {
        var kind = DNSAnswerEffect.Kind.address
        var nameLength: UInt16 = 0
        var nameOffset: UInt16 = 0
        var ttl: UInt32 = 0
        var address = IPAddress(ipv4: 0)
    }

    public internal(set) var kind = Kind.none
    /// The flow table's hash of the packet's 5-tuple (`FlowKeyHasher`), made
    /// here so the tracking thread does not; nil: not made.
    public internal(set) var flowHash: UInt32?
    /// The tracker's name table's hash of the server or question name
    /// (`NameTable.NameHasher`), made here for the same reason; nil: not made.
    public internal(set) var nameHash: UInt64?
    /// A DNS response's first two address answers: the DNS answer cache's
    /// hashes of the entries each writes (`DNSAnswerCache.AnswerHasher`), own
    /// and any client's, so the tracking thread can load them ahead.
    var answerHashes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var answerHashCount = 0
    var hasECH = false
    /// Lengths of the server name or DNS question's name (at 0 in the bytes)
    /// and the first ALPN protocol (at `alpnOffset`); -1: absent.
    var serverNameLength: Int16 = -1
    var alpnLength: Int16 = -1
    /// DNS: the question's type, the response code, how many answer effects are stored.
    var questionType: UInt16 = 0
    var responseCode: UInt8 = 0
    var effectCount = 0
    /// `Storage.blockSize` bytes: the name (at most 255 bytes) at 0, the first
    /// ALPN protocol at 256, CNAME targets from 320 to `bytesSize`, then the
    /// effects; copied there, as the parsers' views point into memory the
    /// decode thread reuses. Nil: `none`.
    private let block: UnsafeMutableRawPointer?

    static let alpnOffset = 256
    static let alpnCapacity = 64
    static let cnameOffset = 320
    static let bytesSize = 1024
    static let effectCapacity = 16

    /// Blocks for `count` previews, allocated once (a decode-ahead ring's slots).
    public final class Storage: @unchecked Sendable {
        static let blockSize = PayloadPreview.bytesSize + PayloadPreview.effectCapacity * MemoryLayout<StoredEffect>.stride
        let base: UnsafeMutableRawPointer
        public let count: Int

        public init(count: Int) {
            self.count = count
            // Zeroed by the kernel as pages are first touched (a ring's previews are megabytes: writing
            // them all at start-up cost every run, even one over a handful of packets, its time and memory).
            guard let zeroed = calloc(count, Self.blockSize) else { fatalError("PayloadPreview.Storage: out of memory") }
            base = zeroed
        }

        deinit { free(base) }

        /// An empty preview over block `index`, valid while this storage lives.
        public func preview(_ index: Int) -> PayloadPreview {
            precondition(index >= 0 && index < count)
            return PayloadPreview(block: base + index * Self.blockSize)
        }
    }

    private init(block: UnsafeMutableRawPointer?) { self.block = block }

    /// No preview: for packets the decode thread did not read.
    public static let none = PayloadPreview(block: nil)

    /// Says "not read" (the tracker reads the payload itself), keeping the block.
    public mutating func clear() {
        kind = .none
        flowHash = nil
        nameHash = nil
        answerHashCount = 0
    }

    /// Notes the answer cache's hashes of the first two address answers, for an answer to `client`.
    mutating func noteAnswerHashes(client: IPAddress, _ hasher: DNSAnswerCache.AnswerHasher) {
        answerHashCount = 0
        var i = 0
        while i < effectCount && answerHashCount < 4 {
            let e = effect(i)
            if e.kind == .address || e.kind == .hint {
                let (own, any) = hasher.hashes(client: client, address: e.address)
                if answerHashCount == 0 { answerHashes.0 = own; answerHashes.1 = any } else { answerHashes.2 = own; answerHashes.3 = any }
                answerHashCount += 2
            }
            i += 1
        }
    }

    /// The answer hashes noted, in order.
    @inline(__always)
    func forEachAnswerHash(_ body: (UInt64) -> Void) {
        guard answerHashCount > 0 else { return }
        body(answerHashes.0); body(answerHashes.1)
        guard answerHashCount > 2 else { return }
        body(answerHashes.2); body(answerHashes.3)
    }

    /// Starts loading the bytes the tracker will read of this preview (its
    /// name; a DNS response's first effects): the decode thread wrote them on
    /// its own core, a few packets before the tracking thread reaches them.
    @inline(__always)
    func prefetchBytes() {
        guard kind != .none, let block else { return }
        egress_prefetch(block)
        if kind == .dnsResponse {
            egress_prefetch(block + Self.bytesSize)
            if effectCount > 2 { egress_prefetch(block + Self.bytesSize + 64) }
        }
    }

    private func effect(_ i: Int) -> StoredEffect {
        block!.load(fromByteOffset: Self.bytesSize + i * MemoryLayout<StoredEffect>.stride, as: StoredEffect.self)
    }

    /// Copies `bytes` to `offset`; false when they do not fit below `limit`.
    private func store(_ bytes: ByteView, at offset: Int, limit: Int = PayloadPreview.bytesSize) -> Bool {
        guard offset + bytes.count <= limit else { return false }
        bytes.withUnsafeBytes { block!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return true
    }

    /// Keeps `hello`'s server name, first ALPN protocol and ECH flag; false
    /// (and no preview) when they do not fit.
    mutating func keep(_ hello: TLSClientHelloFacts, as kind: Kind) -> Bool {
        var alpnList = hello.alpnProtocols
        let alpn = alpnList.next()
        let name = hello.serverName
        if let name, !store(name, at: 0, limit: Self.alpnOffset) { return false }
        if let alpn, !store(alpn, at: Self.alpnOffset, limit: Self.alpnOffset + Self.alpnCapacity) { return false }
        serverNameLength = name.map { Int16($0.count) } ?? -1
        alpnLength = alpn.map { Int16($0.count) } ?? -1
        hasECH = hello.hasECH
        self.kind = kind
        return true
    }

    /// Keeps a DNS question's name; false when it does not fit.
    mutating func keepQuestion(_ name: ByteView) -> Bool {
        guard store(name, at: 0, limit: Self.alpnOffset) else { return false }
        serverNameLength = Int16(name.count)
        return true
    }

    /// Appends one effect of the answer section; false when the preview holds no more.
    mutating func add(_ effect: DNSAnswerEffect) -> Bool {
        guard effectCount < Self.effectCapacity else { return false }
        let previous = effectCount > 0 ? self.effect(effectCount - 1) : nil
        // Names follow one another: each effect carries where the next one goes.
        let free = previous.map { Int($0.nameOffset) + Int($0.nameLength) } ?? Self.cnameOffset
        var stored = StoredEffect(kind: effect.kind, nameOffset: UInt16(free), ttl: effect.ttl, address: effect.address)
        if let name = effect.name {
            guard store(name, at: free) else { return false }
            stored.nameLength = UInt16(name.count)
        }
        block!.storeBytes(of: stored, toByteOffset: Self.bytesSize + effectCount * MemoryLayout<StoredEffect>.stride, as: StoredEffect.self)
        effectCount += 1
        return true
    }

    /// The answer section's effects, in order, as `DNSAnswerEffect.forEach` gave them.
    func forEachEffect(_ body: (DNSAnswerEffect) -> Void) {
        for i in 0..<effectCount {
            let e = effect(i)
            let name = e.kind == .cname ? view(at: Int(e.nameOffset), count: Int(e.nameLength)) : nil
            body(DNSAnswerEffect(kind: e.kind, ttl: e.ttl, address: e.address, name: name))
        }
    }

    /// Bytes of this preview's block; valid while its storage lives and the slot is not reused.
    func view(at offset: Int, count: Int) -> ByteView {
        ByteView(UnsafeRawBufferPointer(start: block! + offset, count: count))
    }

    /// The server name (or question name) and first ALPN protocol; absent: nil.
    var serverName: ByteView? { serverNameLength < 0 ? nil : view(at: 0, count: Int(serverNameLength)) }
    var firstALPN: ByteView? { alpnLength < 0 ? nil : view(at: Self.alpnOffset, count: Int(alpnLength)) }
}

/// Reads `PayloadPreview`s on the decode thread, with its own scratch
/// memory and QUIC state (nothing shared with the tracker).
public struct PayloadPreviewer {
    private let scratch = ScratchBuffer(size: TLSClientHello.defaultMaxLength)
    private var decryptor = QUICInitialDecryptor()
    private var crypto = CryptoStreamAssembler()
    /// Fingerprints of the UDP flows (either direction) whose long-header
    /// packets were seen, direct-mapped: only a flow's first such packet, its
    /// client's first Initial, is worth decrypting here (the server's, and the
    /// client's later ones, are the tracker's business). A fingerprint
    /// overwritten by another flow only costs a preview in vain.
    private var quicSeen = [UInt64](repeating: 0, count: 1 << 14)
    /// The tracker's flow table's hasher: each TCP or UDP packet's key is hashed here too.
    private let flowHasher: FlowKeyHasher?
    /// The tracker's name table's hasher: each name kept is hashed here too.
    private let nameHasher: NameTable.NameHasher?
    /// The tracker's DNS answer cache's hasher: a response's first answers are hashed here too.
    private let answerHasher: DNSAnswerCache.AnswerHasher?

    public init(flowHasher: FlowKeyHasher? = nil, nameHasher: NameTable.NameHasher? = nil, answerHasher: DNSAnswerCache.AnswerHasher? = nil) {
        self.flowHasher = flowHasher
        self.nameHasher = nameHasher
        self.answerHasher = answerHasher
    }

    /// The preview of the payload of the packet at `packet` (`.none` when it
    /// holds no whole ClientHello or DNS message). By address, read field by
    /// field: lent as a value from a ring slot, the packet's 368 bytes were copied.
    public mutating func preview(_ packet: UnsafePointer<DecodedPacket>, into preview: inout PayloadPreview) {
        preview.nameHash = nil
        preview.answerHashCount = 0
        read(packet, into: &preview)
        switch preview.kind {
        case .tlsClientHello, .quicClientHello, .dnsResponse:
            if let nameHasher, let name = preview.serverName { preview.nameHash = nameHasher.hash(name) }
            // A response goes to the client that asked.
            if preview.kind == .dnsResponse, let answerHasher { preview.noteAnswerHashes(client: packet.pointee.destination, answerHasher) }
        case .none, .dnsQuery:
            break
        }
    }

    private mutating func read(_ packet: UnsafePointer<DecodedPacket>, into preview: inout PayloadPreview) {
        preview.kind = .none
        preview.flowHash = flowHasher?.hash32(of: packet)
        guard packet.pointee.status.isDecoded else { return }
        let payload = packet.pointee.payload
        guard let first = payload.u8(at: 0) else { return }
        let sport = packet.pointee.sourcePort, dport = packet.pointee.destinationPort
        switch packet.pointee.transport {
        case .tcp:
            if sport == FlowTracker.dnsPort || dport == FlowTracker.dnsPort {
                previewDNSOverTCP(payload, into: &preview)
                return
            }
            // The tracker's first-flight reading (`FlowTracker.name`) of a segment that starts a TLS record.
            guard first == 0x16 else { return }
            if case .complete(let hello) = TLSClientHello.parse(records: payload, scratch: scratch.buffer) {
                _ = preview.keep(hello, as: .tlsClientHello)
            }
        case .udp:
            if FlowTracker.isNameServicePort(sport) || FlowTracker.isNameServicePort(dport) {
                previewDNS(payload, into: &preview)
                return
            }
            guard QUICLongHeader.isLongHeader(first),
                  firstLongHeader(packet.pointee.source, sport, packet.pointee.destination, dport) else { return }
            previewQUIC(payload, into: &preview)
        default:
            return
        }
    }

    /// True the first time a long-header packet of this UDP flow (either direction) comes by.
    private mutating func firstLongHeader(_ a: IPAddress, _ ap: UInt16, _ b: IPAddress, _ bp: UInt16) -> Bool {
        let (low, lowPort, high, highPort) = (a, ap) < (b, bp) ? (a, ap, b, bp) : (b, bp, a, ap)
        var h = FastHash.Accumulator(seed: 0x51c)
        h.mix(low.high); h.mix(low.low); h.mix(high.high); h.mix(high.low); h.mix(UInt64(lowPort) << 16 | UInt64(highPort))
        let fingerprint = h.value | 1
        let slot = Int(truncatingIfNeeded: fingerprint >> 40) & (quicSeen.count - 1)
        if quicSeen[slot] == fingerprint { return false }
        quicSeen[slot] = fingerprint
        return true
    }

    /// A DNS message as `FlowTracker.observeDNS` reads one: a query; or a
    /// response with a question, its name and the answer section's effects.
    /// Anything else (malformed, no question, more than the preview holds)
    /// gets no preview, and the tracker reads the message itself.
    private func previewDNS(_ payload: ByteView, into preview: inout PayloadPreview) {
        guard DNSHeader.isResponse(payload) else {
            if (try? DNSMessage(payload)) != nil { preview.kind = .dnsQuery }
            return
        }
        var nameBuffer = DNSNameBuffer()
        guard let message = try? DNSMessage(payload, firstQuestionName: &nameBuffer), let question = message.firstQuestion,
              nameBuffer.withView({ preview.keepQuestion($0) }) else { return }
        preview.questionType = question.type
        preview.responseCode = message.header.responseCode.rawValue
        preview.effectCount = 0
        guard DNSAnswerEffect.forEach(in: message, { preview.add($0) }) else { return }
        preview.kind = .dnsResponse
    }

    /// A segment that is one whole DNS response and nothing more (RFC 1035
    /// §4.2.2's two-byte length, then the message), as
    /// `FlowTracker.readDNSOverTCP` reads the first message of a server's
    /// stream: nearly every answer over TCP is one such segment. Anything else
    /// (a query, part of a message, several) is left to the tracker.
    private func previewDNSOverTCP(_ payload: ByteView, into preview: inout PayloadPreview) {
        guard let length = payload.u16(at: 0), Int(length) == payload.count - 2,
              let message = payload.slice(from: 2, length: Int(length)), DNSHeader.isResponse(message) else { return }
        previewDNS(message, into: &preview)
    }

    /// The first Initial of the datagram, as `FlowTracker.readQUICInitial`
    /// reads a flow's first one: opened with the keys of its own DCID, its
    /// CRYPTO frames absorbed, and a whole ClientHello in them.
    private mutating func previewQUIC(_ datagram: ByteView, into preview: inout PayloadPreview) {
        var offset = 0
        while offset < datagram.count {
            guard let header = try? QUICLongHeader.parse(datagram, at: offset) else { return }
            offset = header.end
            guard header.type == .initial else { continue }
            guard let keys = QUICInitialKeys(version: header.version, destinationConnectionID: header.destinationConnectionID) else { return }
            crypto.reset()
            let absorbed = decryptor.withOpened(header, in: datagram, keys: keys) { _, frames in (try? crypto.absorb(payload: frames)) != nil }
            guard absorbed == true else { return }
            crypto.withContiguousBytes { bytes in
                if case .complete(let hello) = TLSClientHello.parse(handshake: bytes, maxLength: CryptoStreamAssembler.defaultCapacity) {
                    _ = preview.keep(hello, as: .quicClientHello)
                }
            }
            return
        }
    }
}
