import EgressPolicy
import FastHashing
import FlowEngine
import PacketWire

/// Egress and ingress folded by destination, one table per verdict: the
/// audit's memory, bounded by destinations, never by flows.
///
/// A destination is a name (its ID, while the run lasts), else an address.
/// Each kind has a cap (`AuditLimits`); a flow whose destination would be new
/// past its cap joins a group instead: an address its narrowest service tag
/// (not `Internet`, which holds every public address) else its /24 (/48), a
/// name its parent domain (`*.example.com`); past the group cap, one "rest"
/// destination per table, direction and kind. A group counts every flow and
/// byte, and samples addresses, nodes and ports like any destination, so the
/// report says what was folded, where, and how much it carried.
struct DestinationAggregates {
    enum Table: Int, CaseIterable {
        case allowed, undocumented, wrongPort, resolvers
    }

    enum Fold: String {
        case serviceTag = "service-tag"
        case prefix
        case parentDomain = "parent-domain"
        case rest
    }

    /// What a destination is known by, in this run (IDs and values only).
    private struct Key: FastHashable {
        enum Kind: UInt8 { case name, address, tagGroup, prefixGroup, domainGroup, rest }
        let table: UInt8
        let outbound: Bool
        let kind: Kind
        let id: Int32
        let address: IPAddress

        @inline(__always)
        func mix(into hash: inout FastHash.Accumulator) {
            hash.mix(UInt64(UInt32(bitPattern: id)) << 32 | UInt64(table) << 16 | UInt64(kind.rawValue) << 8 | (outbound ? 1 : 0))
            address.mix(into: &hash)
        }
    }

    struct TransportPort: SampleHashable, Comparable {
        let tcp: Bool
        let port: UInt16
        @inline(__always) var sampleHash: UInt64 { FastHash.mix64(UInt64(port) | (tcp ? 1 << 16 : 0)) }
        /// `tcp/443`: at most nine bytes, a String kept inline (an interpolation cost ~700 instructions).
        var text: String { (tcp ? "tcp/" : "udp/") + String(port) }
        static func < (a: TransportPort, b: TransportPort) -> Bool { (a.tcp ? 0 : 1, a.port) < (b.tcp ? 0 : 1, b.port) }
    }

    /// What a destination is shown as: a name or an address until a report
    /// is made (a destination's text was made as it was, for every new one).
    enum Label {
        case name(NameTable.NameID)
        case address(IPAddress)
        case text(String)

        func text(_ names: NameTable) -> String {
            switch self {
            case .name(let id): names.string(id)
            case .address(let a): a.description
            case .text(let t): t
            }
        }
    }

    struct Entry {
        let table: Table
        let direction: RuleDirection
        let label: Label
        let nameSource: AuditReport.NameSource
        let fold: Fold?
        var addresses: DistinctSample<IPAddress>
        var nodes: DistinctSample<IPAddress>
        var ports: DistinctSample<TransportPort>
        /// Service-tag sets (`ServiceTagCatalog.tagIndices(…).setIndex`) of its addresses.
        var tagSets = TagSetList()
        var rules = RuleSet()
        var flows = 0, failedFlows = 0
        /// Failed flows by kind (in the entry itself: an array here was an allocation per destination
        /// and a uniqueness check per failed flow).
        var unanswered = 0, refused = 0, unreachable = 0, prohibited = 0
        var bytesSent: UInt64 = 0, bytesReceived: UInt64 = 0
        var first = Int64.max, last = Int64.min
        // Most flows of a destination repeat its last peer, node and port: checked before the samples.
        var lastPeer: IPAddress?
        var lastNode: IPAddress?
        var lastPort: TransportPort?
        var lastTagSet = UInt32.max
        /// The logging device's rules for these flows (name-table ids), first `firewallRulesPerDestination` seen.
        var firewallRules: [NameTable.NameID] = []
        /// Its text, once a flow to it was logged (`--flow-log` writes it with every flow).
        var loggedText: String?
    }

    /// Firewall rule texts kept per destination: a device names few rules per destination.
    static let firewallRulesPerDestination = 8

    let limits: AuditLimits
    /// The service tags the profile's addresses are looked up in (kept here, not passed in: a
    /// parameter was a copy of the catalog's fields for every flow).
    var catalog: ServiceTagCatalog
    private(set) var entries: [Entry] = []
    /// Entry by key (entries are only ever added: a key's index is its entry's).
    /// (Sized in `init` for every destination the caps allow: growing rehashed the slots each time.)
    private var index: FixedKeyMap<Key, Int32>
    private var named = 0, addressed = 0, grouped = 0
    /// The addresses that are destinations of their own (2^16 bits): most peers of a flood are
    /// not one, and the filter says so without a lookup in `index`.
    private var addressBits = HashBitFilter(bitCount: 1 << 16)
    private let addressBitSeed = FastHash.randomSeed()
    /// Flows folded into groups because of each cap (counted as integers: this runs per flow under a flood).
    private var foldedNamed = 0, foldedAddressed = 0, foldedGrouped = 0
    /// Flows folded into groups, by the cap (an `AuditLimits` name) that sent them there.
    var folded: [String: Int] {
        var out: [String: Int] = [:]
        if foldedNamed > 0 { out["namedDestinations"] = foldedNamed }
        if foldedAddressed > 0 { out["addressDestinations"] = foldedAddressed }
        if foldedGrouped > 0 { out["groups"] = foldedGrouped }
        return out
    }
    /// The "rest" destination of each table, direction and family (0, IPv4, IPv6), once made (-1: not yet).
    private var restEntries = [Int32](repeating: -1, count: Table.allCases.count * 2 * 3)
    /// Parent-domain group names, and which group each name ID folds into.
    private var domainGroups: [String: Int32] = [:]
    private var domainGroupNames: [String] = []
    private var domainOfName = FixedKeyMap<Int32, Int32>()
    /// Narrowest service tag (index into the catalog, -1: none but Internet) by tag set.
    private var narrowestTag = FixedKeyMap<UInt32, Int32>()
    /// The last set asked of `narrowest(inSet:)` and its tag: a flood's addresses fall in few sets, mostly one after another.
    private var lastTagSet = UInt32.max, lastNarrowest: Int32 = -1
    private var tagSizes: [Int32: Double] = [:]
    /// Tag names by tag set, for the sets seen (bounded by the catalog's distinct sets).
    /// (By set index: the catalog's sets are numbered densely; nil: not seen yet.)
    private var tagSets: [[String]?] = []

    init(limits: AuditLimits, catalog: ServiceTagCatalog) {
        self.limits = limits
        self.catalog = catalog
        // Room for every destination the caps allow (address space: pages are touched as entries
        // are made): growing by doubling copied every entry made so far, ~60 instructions a flow.
        let most = limits.namedDestinations + limits.addressDestinations + limits.groups + restEntries.count
        entries.reserveCapacity(most)
        index = FixedKeyMap(minimumCapacity: most, seed: FastHash.randomSeed())
    }

    /// Folds one classified flow into its destination; returns the entry's index. `own`: set when
    /// the entry is the destination's own (its key's, found or made), not a group's: the caller may
    /// remember it for the flow's question and fold the next such flow with `add(_:_:rules:node:toEntry:)`.
    mutating func add(_ c: FlowClassifier.Flow, _ r: FlowRecord, table: Table, rules: RuleSet, node: IPAddress,
                      names: NameTable, own: inout Bool) -> Int32 {
        let outbound = c.direction == .outbound
        let t = UInt8(table.rawValue)
        let primary: Key = c.name.isNone
            ? Key(table: t, outbound: outbound, kind: .address, id: 0, address: c.peer)
            : Key(table: t, outbound: outbound, kind: .name, id: c.name.rawValue, address: IPAddress(ipv4: 0))
        let slot: Int32
        // The peer's tag set, when folding it into a group already asked the catalog (a flood: every flow).
        var peerSet: UInt32?
        // Past the cap on addresses, a clear bit says the peer is no destination of its own: no lookup.
        let mayBeKnown = !c.name.isNone || addressed < limits.addressDestinations || addressBits.mayContain(hash: addressHash(c.peer))
        if mayBeKnown, let known = index[primary] {
            slot = known
            own = true
        } else if c.name.isNone ? addressed < limits.addressDestinations : named < limits.namedDestinations {
            own = true
            if c.name.isNone {
                addressed += 1
                addressBits.insert(hash: addressHash(c.peer))
            } else {
                named += 1
            }
            slot = create(primary, table: table, direction: c.direction, label: c.name.isNone ? .address(c.peer) : .name(c.name),
                          source: c.nameSource, fold: nil)
        } else {
            slot = group(c, table: table, names: names, peerSet: &peerSet)
        }
        fold(c, r, rules: rules, node: node, peerSet: peerSet, into: slot)
        return slot
    }

    /// One flow into entry `slot`, the destination's own, already known (`add` said so for a flow of the same question).
    mutating func add(_ c: FlowClassifier.Flow, _ r: FlowRecord, rules: RuleSet, node: IPAddress, toEntry slot: Int32) {
        fold(c, r, rules: rules, node: node, peerSet: nil, into: slot)
    }

    /// One flow into entry `slot`. `peerSet`: the peer's tag set when finding the entry already asked the
    /// catalog; else it is asked here, and only for a peer new to the entry (`count` takes no catalog).
    @inline(__always)
    private mutating func fold(_ c: FlowClassifier.Flow, _ r: FlowRecord, rules: RuleSet, node: IPAddress, peerSet: UInt32?, into slot: Int32) {
        var set = peerSet
        if set == nil, c.peer != entries[Int(slot)].lastPeer { set = catalog.tagSetIndex(containing: c.peer) }
        if let first = Self.count(c, r, rules: rules, node: node, peerSet: set ?? .max, into: &entries[Int(slot)]) { noteTagSet(first) }
    }

    /// Names the tags of a tag set an entry holds for the first time, once per set.
    private mutating func noteTagSet(_ setIndex: UInt32) {
        let i = Int(setIndex)
        if i < tagSets.count, tagSets[i] != nil { return }
        if i >= tagSets.count { tagSets += [[String]?](repeating: nil, count: i + 1 - tagSets.count) }
        // `Internet` holds every public address: it names nothing an operator needs to see.
        tagSets[i] = catalog.tagIndices(ofSet: setIndex).map { catalog.tags[Int($0)].name }.filter { $0 != ServiceTagCatalog.internet }
    }

    /// An address's hash in `addressBits`.
    @inline(__always)
    private func addressHash(_ a: IPAddress) -> UInt64 { FastHash.hash(a.high, a.low, seed: addressBitSeed) }

    /// The group a destination past its cap folds into (made if there is room), else the rest.
    private mutating func group(_ c: FlowClassifier.Flow, table: Table, names: NameTable,
                                peerSet: inout UInt32?) -> Int32 {
        let outbound = c.direction == .outbound
        let t = UInt8(table.rawValue)
        if c.name.isNone { foldedAddressed += 1 } else { foldedNamed += 1 }
        // The group's text is made only when the group is (not per flow: a flood folds millions).
        var key: Key, fold: Fold
        if c.name.isNone {
            let set = catalog.tagSetIndex(containing: c.peer)
            peerSet = set
            let tag = narrowest(inSet: set)
            if tag >= 0 {
                key = Key(table: t, outbound: outbound, kind: .tagGroup, id: tag, address: IPAddress(ipv4: 0))
                fold = .serviceTag
            } else {
                // Only the network per flow: the group's CIDR (its text) is made with the group.
                key = Key(table: t, outbound: outbound, kind: .prefixGroup, id: 0, address: CIDR.mask(c.peer, c.peer.isIPv4 ? 24 : 48))
                fold = .prefix
            }
        } else {
            let domain = domainGroup(c.name, names)
            key = Key(table: t, outbound: outbound, kind: .domainGroup, id: domain, address: IPAddress(ipv4: 0))
            fold = .parentDomain
        }
        if let known = index[key] { return known }
        if grouped < limits.groups {
            grouped += 1
            let display: String
            switch fold {
            case .serviceTag: display = catalog.tags[Int(key.id)].name
            case .prefix: display = CIDR(address: key.address, prefixLength: c.peer.isIPv4 ? 24 : 48)?.description ?? c.peer.description
            case .parentDomain: display = domainGroupNames[Int(key.id)]
            case .rest: display = "?"
            }
            return create(key, table: table, direction: c.direction, label: .text(display), source: c.nameSource == .address ? .address : c.nameSource,
                          fold: fold)
        }
        foldedGrouped += 1
        let family: Int32 = c.name.isNone ? (c.peer.isIPv4 ? 4 : 6) : 0
        // The rests are few and, past the group cap, reached by most flows: found by position, not hashed.
        let restPlace = (Int(t) * 2 + (outbound ? 1 : 0)) * 3 + Int(family / 2)
        if restEntries[restPlace] >= 0 { return restEntries[restPlace] }
        let rest = Key(table: t, outbound: outbound, kind: .rest, id: family, address: IPAddress(ipv4: 0))
        let text = family == 0 ? "other names" : "other IPv\(family) addresses"
        let slot = create(rest, table: table, direction: c.direction, label: .text("(\(text))"), source: c.name.isNone ? .address : c.nameSource, fold: .rest)
        restEntries[restPlace] = slot
        return slot
    }

    private mutating func create(_ key: Key, table: Table, direction: RuleDirection, label: Label, source: AuditReport.NameSource,
                                 fold: Fold?) -> Int32 {
        entries.append(Entry(table: table, direction: direction, label: label, nameSource: source, fold: fold,
                             addresses: DistinctSample(capacity: limits.addressesPerDestination),
                             nodes: DistinctSample(capacity: limits.nodesPerDestination),
                             ports: DistinctSample(capacity: limits.portsPerDestination)))
        let slot = Int32(entries.count - 1)
        index.set(key, slot)
        return slot
    }

    /// One flow into its destination's entry, in place. `peerSet`: the peer's tag set when the peer
    /// is new to the entry. Returns a tag set the entry holds for the first time, if any.
    private static func count(_ c: FlowClassifier.Flow, _ r: FlowRecord, rules: RuleSet, node: IPAddress, peerSet setIndex: UInt32,
                              into e: inout Entry) -> UInt32? {
        var firstSet: UInt32?
        if c.peer != e.lastPeer {
            // Through a proxy (CONNECT) the peer is the proxy, not the destination; an application-rule log gives none.
            if c.nameSource != .connect && r.responderAddressKnown {
                e.addresses.insert(c.peer)
                if setIndex != e.lastTagSet, e.tagSets.insert(setIndex) { firstSet = setIndex }
                e.lastTagSet = setIndex
            }
            e.lastPeer = c.peer
        }
        if node != e.lastNode {
            e.nodes.insert(node)
            e.lastNode = node
        }
        let port = TransportPort(tcp: r.key.transport == .tcp, port: c.port)
        if port != e.lastPort {
            e.ports.insert(port)
            e.lastPort = port
        }
        e.rules.formUnion(rules)
        if !r.loggedRule.isNone, e.firewallRules.count < firewallRulesPerDestination, !e.firewallRules.contains(r.loggedRule) {
            e.firewallRules.append(r.loggedRule)
        }
        e.flows += 1
        let outcome = r.outcome  // computed from the record's fields: read once
        switch outcome {
        case .unanswered: e.unanswered += 1
        case .refused: e.refused += 1
        case .unreachable: e.unreachable += 1
        case .prohibited: e.prohibited += 1
        case .established, .responderOnly: break
        }
        if outcome.isFailure { e.failedFlows += 1 }
        e.bytesSent &+= r.fromInitiator.bytes
        e.bytesReceived &+= r.fromResponder.bytes
        e.first = min(e.first, r.firstSeen)
        e.last = max(e.last, r.lastSeen)
        return firstSet
    }

    /// The narrowest tag of the addresses in tag set `setIndex` (fewest addresses in all), not `Internet`; -1 when none.
    private mutating func narrowest(inSet setIndex: UInt32) -> Int32 {
        if setIndex == lastTagSet { return lastNarrowest }
        lastTagSet = setIndex
        if let known = narrowestTag[setIndex] {
            lastNarrowest = known
            return known
        }
        let set = catalog.tagIndices(ofSet: setIndex)
        var best: Int32 = -1, bestSize = Double.infinity
        for id in set where catalog.tags[Int(id)].name != ServiceTagCatalog.internet {
            let size = tagSize(id)
            if size < bestSize || (size == bestSize && catalog.tags[Int(id)].name < catalog.tags[Int(best)].name) {
                best = id
                bestSize = size
            }
        }
        narrowestTag.set(setIndex, best)
        lastNarrowest = best
        return best
    }

    private mutating func tagSize(_ id: Int32) -> Double {
        if let known = tagSizes[id] { return known }
        let size = catalog.tags[Int(id)].prefixes.reduce(0.0) { total, p in
            total + Double(sign: .plus, exponent: (p.isIPv4 ? 32 : 128) - p.prefixLength, significand: 1)
        }
        tagSizes[id] = size
        return size
    }

    /// `*.` and the name's last two labels: the group a name past the cap joins.
    private mutating func domainGroup(_ name: NameTable.NameID, _ names: NameTable) -> Int32 {
        if let known = domainOfName[name.rawValue] { return known }
        let text = Self.parentDomainText(names.string(name))
        let group: Int32
        if let existing = domainGroups[text] {
            group = existing
        } else {
            group = Int32(domainGroupNames.count)
            domainGroupNames.append(text)
            domainGroups[text] = group
        }
        domainOfName.set(name.rawValue, group)
        return group
    }

    /// `*.` and the last two non-empty labels of `name` (`*.example.com`), else
    /// `*`: found by one backward walk over its bytes (a split into labels and
    /// a join cost ~6,000 instructions a name, once per name past the cap).
    static func parentDomainText(_ name: String) -> String {
        let bytes = Array(name.utf8)
        let dot = UInt8(ascii: ".")
        var labels = 0, end = bytes.count, start = bytes.count, i = bytes.count
        // Walk labels from the right, skipping empty ones, until two are found.
        while i > 0 && labels < 2 {
            var j = i
            while j > 0 && bytes[j - 1] != dot { j -= 1 }
            if j < i {
                if labels == 0 { end = i }
                start = j
                labels += 1
            }
            i = j > 0 ? j - 1 : 0
        }
        guard labels == 2 else { return "*" }
        // The two labels with what lay between them collapsed to one dot (empty labels omitted).
        var second = end
        while second > start && bytes[second - 1] != dot { second -= 1 }
        var first = second - 1
        while first > start && bytes[first - 1] == dot { first -= 1 }
        return "*." + String(decoding: bytes[start..<first], as: UTF8.self) + "." + String(decoding: bytes[second..<end], as: UTF8.self)
    }

    /// The table's destinations as the report lists them, sorted.
    /// `display`: every destination's text, by entry (`displayTexts`).
    func destinations(_ table: Table, profile: CompiledProfile, names: NameTable, display: TextOrder) -> [AuditReport.Destination] {
        // Sorted as indices, then built in order: sorting the built destinations moved a dozen references per swap.
        let order = entries.indices.filter { entries[$0].table == table }.sorted { a, b in
            let da = entries[a].direction, db = entries[b].direction
            if da != db { return da.rawValue < db.rawValue }
            let c = display.compare(a, b)
            return c != 0 ? c < 0 : a < b
        }
        var shared = SharedLists()
        return order.map { i in
            destination(entries[i], table: table, display: display.texts[i], profile: profile, names: names, shared: &shared)
        }
    }

    /// Lists that recur from destination to destination, made once per table and then shared:
    /// the rules of each rule set, the tags of each tag set, and one-value port and node lists
    /// (most destinations have one port and one node). An array made per destination and list
    /// was most of the cost of a report's destinations.
    private struct SharedLists {
        var rules = ListMemo<RuleSet>()
        var tags = ListMemo<UInt32>()
        var ports = ListMemo<TransportPort>()
        var nodes = ListMemo<IPAddress>()
    }

    private func destination(_ e: borrowing Entry, table: Table, display: String, profile: CompiledProfile, names: NameTable,
                             shared: inout SharedLists) -> AuditReport.Destination {
        // (Looked up, then made and kept, without closures: a closure here captured the profile, or
        // `self`, by copying it.)
        var rules: [String] = []
        if !e.rules.isEmpty {
            if let known = shared.rules.known(e.rules) { rules = known } else {
                rules = Self.ruleTexts(e.rules, table: table, profile: profile)
                shared.rules.keep(e.rules, rules)
            }
        }
        let tags: [String]
        if let only = e.tagSets.only {
            if let known = shared.tags.known(only) { tags = known } else {
                tags = (tagSets[Int(only)] ?? []).sorted()
                shared.tags.keep(only, tags)
            }
        } else {
            var union = Set<String>()
            for set in e.tagSets.all { union.formUnion(tagSets[Int(set)] ?? []) }
            tags = union.sorted()
        }
        var estimated: [String] = []
        if e.addresses.isEstimated { estimated.append("addresses") }
        if e.nodes.isEstimated { estimated.append("nodes") }
        if e.ports.isEstimated { estimated.append("ports") }
        // Most destinations have no failed flow: no table of outcomes made for them.
        var failures: [String: Int] = [:]
        if e.unanswered | e.refused | e.unreachable | e.prohibited != 0 {
            for (outcome, flows) in [(FlowOutcome.unanswered, e.unanswered), (.refused, e.refused), (.unreachable, e.unreachable),
                                     (.prohibited, e.prohibited)] where flows > 0 {
                failures[outcome.name] = flows
            }
        }
        return AuditReport.Destination(
            destination: display, nameSource: e.nameSource, addresses: e.addresses.sortedTexts(\.description),
            ports: shared.ports.texts(e.ports, \.text),
            flows: e.flows, failedFlows: e.failedFlows, bytesSent: e.bytesSent, bytesReceived: e.bytesReceived,
            firstSeen: RFC3339.format(nanoseconds: e.first), lastSeen: RFC3339.format(nanoseconds: e.last),
            serviceTags: tags, rules: rules, direction: e.direction.rawValue, addressCount: e.addresses.count,
            nodes: shared.nodes.texts(e.nodes, \.description),
            nodeCount: e.nodes.count, portCount: e.ports.count, estimated: estimated.isEmpty ? nil : estimated, failures: failures,
            folded: e.fold?.rawValue, firewallRules: e.firewallRules.isEmpty ? nil : e.firewallRules.map { names.string($0) }.sorted())
    }

    /// The rule texts a table lists: allowing rules; rules naming the peer on
    /// other ports, with the ports they allow; rules of disabled features.
    static func ruleTexts(_ mask: RuleSet, table: Table, profile: CompiledProfile) -> [String] {
        mask.indices.map { ruleText($0, table: table, profile: profile) }.sorted()
    }

    static func ruleText(_ i: Int, table: Table, profile: CompiledProfile) -> String {
        let rule = profile.rules[i]
        switch table {
        case .wrongPort:
            return "\(rule.id) (\(rule.transport.rawValue)/\(rule.ports))"
        case .undocumented:
            if case .optional(let feature, _) = rule.requirement { return "\(rule.id) (feature \(feature) is off)" }
            return rule.id
        case .allowed, .resolvers:
            return rule.id
        }
    }

    /// After a profile reload: rule indices as the new profile numbers them (`map[old]`, -1: gone).
    mutating func remapRules(_ map: [Int]) {
        for i in entries.indices { entries[i].rules = entries[i].rules.remapped(map) }
    }

    /// A destination's text for the flow log: made at its first logged flow and kept (a text per flow was an allocation per flow).
    mutating func loggedText(_ slot: Int32, names: NameTable) -> String {
        if let text = entries[Int(slot)].loggedText { return text }
        let text = entries[Int(slot)].label.text(names)
        entries[Int(slot)].loggedText = text
        return text
    }

    /// Every destination's text, by entry: made once for a report (names stay ids until then).
    /// (Each entry's label read through a span: `entries.map` copied every entry.)
    func displayTexts(names: NameTable) -> [String] {
        let all = entries.span
        return all.indices.map { all[$0].label.text(names) }
    }
}

/// A destination's service-tag sets: nearly always one, kept inline; a `Set` is made only for a
/// second (a `Set` per destination was an allocation each, ~880 instructions, callgrind).
struct TagSetList {
    private var first: UInt32?
    private var more: Set<UInt32>?

    /// True when `set` was not in the list.
    mutating func insert(_ set: UInt32) -> Bool {
        guard let first else {
            first = set
            return true
        }
        if set == first { return false }
        if more == nil { more = [] }
        return more!.insert(set).inserted
    }

    /// The one set, when there is exactly one.
    var only: UInt32? { more == nil ? first : nil }

    /// Every set in the list (the first one first; the rest in no order).
    var all: [UInt32] { first.map { [$0] + (more.map { Array($0) } ?? []) } ?? [] }
}
