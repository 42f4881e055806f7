import FastHashing
import PacketWire

/// What each client learnt from DNS: (client, answered address) → the name
/// the client asked for, CNAME chains folded back to that name. Bounded: the
/// oldest entries give way when full (counted). The most recent answer for a
/// pair wins, so a name that moves to a new address mid-capture follows it.
///
/// Each answer is also kept for "any client": a node that asks over IPv4 and
/// connects over IPv6 (or from another of its addresses) is still named, with
/// its own answers preferred.
public struct DNSAnswerCache {
    public struct Entry: Sendable, Equatable {
        public var name: NameTable.NameID
        /// Answer time + TTL, nanoseconds.
        public var expires: Int64
    }

    struct Key: FastHashable {
        let client: IPAddress
        let address: IPAddress

        func mix(into hash: inout FastHash.Accumulator) {
            client.mix(into: &hash)
            address.mix(into: &hash)
        }
    }

    public let capacity: Int
    /// How long past its TTL an answer still names a connection: clients and
    /// resolvers keep answers, and captures start after the lookup.
    public var staleGraceNanoseconds: Int64 = 3_600_000_000_000
    /// Answers are chosen by the network: the map is seeded per process.
    private var entries = FixedKeyMap<Key, Entry>(minimumCapacity: 1024, seed: FastHash.randomSeed())
    /// Keys in arrival order, a ring once full: the oldest gives way.
    private var order: [Key] = []
    /// How far the reserved order's pages are mapped in (`PagesAhead`).
    private var orderPages = PagesAhead()
    private var head = 0
    public private(set) var evicted = 0
    public private(set) var staleUses = 0
    /// The addresses answers held (2^20 bits): a new flow to one never answered (most of a
    /// flood's) is named without a lookup.
    private var answered = HashBitFilter(bitCount: 1 << 20)

    public init(capacity: Int = 1 << 17) {
        self.capacity = capacity
        // The cap's room, reserved once as address space: growing copied every entry and key so far.
        entries.reserveEntries(capacity)
        order.reserveCapacity(capacity)
    }

    public var count: Int { entries.count }

    /// The address's hash in `answered`.
    @inline(__always)
    private static func answeredHash(_ address: IPAddress) -> UInt64 {
        FastHash.mix64(address.high ^ address.low &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Stands for "any client" in the second entry each answer makes.
    static let anyClient = IPAddress(ipv6High: 0, low: 0)

    /// This cache's hashes of the two entries an answer writes, for the decode
    /// thread to make ahead of the tracking thread (`PayloadPreview.answerHashes`).
    public struct AnswerHasher: Sendable {
        let seed: UInt64
        /// The hashes of the (`client`, `address`) entry and the any-client one.
        public func hashes(client: IPAddress, address: IPAddress) -> (own: UInt64, any: UInt64) {
            (FixedKeyMap<Key, Entry>.hash(Key(client: client, address: address), seed: seed),
             FixedKeyMap<Key, Entry>.hash(Key(client: DNSAnswerCache.anyClient, address: address), seed: seed))
        }
    }

    public var hasher: AnswerHasher { AnswerHasher(seed: entries.hashSeed) }

    /// Starts loading the slot of an entry an answer some way ahead will write (its `AnswerHasher` hash).
    @inline(__always)
    public mutating func prefetchSlot(hash: UInt64) { entries.prefetchSlot(hash: hash) }

    /// Starts loading the entry itself, nearer ahead (its slot loaded by `prefetchSlot` by now).
    @inline(__always)
    public mutating func prefetchEntry(hash: UInt64) { entries.prefetchEntry(hash: hash) }

    public mutating func record(client: IPAddress, address: IPAddress, name: NameTable.NameID, ttl: UInt32, now: Int64) {
        answered.insert(hash: Self.answeredHash(address))
        insert(Key(client: client, address: address), Entry(name: name, expires: now &+ Int64(ttl) &* 1_000_000_000))
        insert(Key(client: Self.anyClient, address: address), Entry(name: name, expires: now &+ Int64(ttl) &* 1_000_000_000))
    }

    private mutating func insert(_ key: Key, _ entry: Entry) {
        let (index, inserted) = entries.index(forKey: key, insertingIfAbsent: { entry })
        guard inserted else {
            entries[valueAt: index] = entry
            return
        }
        // A new pair: remember its arrival so the oldest can give way.
        if order.count < capacity {
            if order.count >= orderPages.mapped { orderPages.mapNextRun(of: order, capacity: capacity) }
            order.append(key)
        } else {
            entries.removeValue(forKey: order[head])
            evicted += 1
            order[head] = key
            head = (head + 1) % capacity
        }
    }

    /// The name `client` was told for `address`, if the answer is not older
    /// than its TTL plus the grace period.
    public mutating func name(client: IPAddress, address: IPAddress, now: Int64) -> NameTable.NameID {
        // An address no answer held (a flood's): two lookups spared per new flow.
        guard answered.mayContain(hash: Self.answeredHash(address)), let e = entries[Key(client: client, address: address)] ?? entries[Key(client: Self.anyClient, address: address)] else {
            return .none
        }
        if now > e.expires {
            guard now - e.expires <= staleGraceNanoseconds else { return .none }
            staleUses += 1
        }
        return e.name
    }
}

/// Every distinct DNS answer seen: the question, the response code, and the
/// records (A, AAAA, CNAME) — for the report and for failing-DNS findings.
///
/// The first four answers are kept in the observation itself (most responses
/// carry one to three): an array per observation was an allocation for every
/// new answer on the tracking thread. Further answers go to an array.
public struct DNSObservation: Sendable, Hashable {
    public enum Answer: Sendable, Hashable {
        case address(IPAddress)
        case cname(NameTable.NameID)
    }

    public var name: NameTable.NameID
    public var type: UInt16
    public var rcode: UInt8
    /// The HTTPS/SVCB answer advertised an ECH configuration.
    public var echAdvertised: Bool
    /// Carried over TCP rather than UDP.
    public var overTCP: Bool
    /// mDNS or LLMNR: link-local name service, kept apart from egress.
    public var linkLocal: Bool
    private var firstAnswers: (Answer?, Answer?, Answer?, Answer?) = (nil, nil, nil, nil)
    private var moreAnswers: [Answer] = []
    public private(set) var answerCount = 0

    public init(name: NameTable.NameID, type: UInt16, rcode: UInt8, answers: [Answer], echAdvertised: Bool, overTCP: Bool, linkLocal: Bool) {
        self.name = name; self.type = type; self.rcode = rcode
        self.echAdvertised = echAdvertised; self.overTCP = overTCP; self.linkLocal = linkLocal
        for answer in answers { append(answer) }
    }

    /// The records, in the order they came (allocates: for reports).
    public var answers: [Answer] {
        var all: [Answer] = []
        all.reserveCapacity(answerCount)
        forEachAnswer { all.append($0) }
        return all
    }

    /// Adds a record after those kept.
    public mutating func append(_ answer: Answer) {
        switch answerCount {
        case 0: firstAnswers.0 = answer
        case 1: firstAnswers.1 = answer
        case 2: firstAnswers.2 = answer
        case 3: firstAnswers.3 = answer
        default: moreAnswers.append(answer)
        }
        answerCount += 1
    }

    /// Runs `body` on each record, in order, without an array.
    public func forEachAnswer(_ body: (Answer) -> Void) {
        if let a = firstAnswers.0 { body(a) }
        if let a = firstAnswers.1 { body(a) }
        if let a = firstAnswers.2 { body(a) }
        if let a = firstAnswers.3 { body(a) }
        for answer in moreAnswers { body(answer) }
    }

    public static func == (a: DNSObservation, b: DNSObservation) -> Bool {
        a.name == b.name && a.type == b.type && a.rcode == b.rcode && a.echAdvertised == b.echAdvertised && a.overTCP == b.overTCP
            && a.linkLocal == b.linkLocal && a.answers == b.answers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name); hasher.combine(type); hasher.combine(rcode); hasher.combine(echAdvertised)
        hasher.combine(overTCP); hasher.combine(linkLocal); hasher.combine(answers)
    }
}
