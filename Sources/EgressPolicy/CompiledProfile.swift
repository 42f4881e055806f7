import PacketWire

/// An expanded profile joined with a service-tag catalog into two matchers:
/// one `FQDNMatcher` over every FQDN pattern and one `PrefixMatcher` over every
/// CIDR/IP and every prefix of every service tag the rules name. One query,
/// `decide`, runs over raw bytes without allocating; `evaluate` is the same
/// answer with its reasons, for the CLI and reports.
///
/// The "peer" a rule names depends on who initiates: an outbound rule's
/// destinations, an inbound rule's sources, both for `both` rules. A rule that
/// names no peer on the asked side ("*" in the documents) allows any peer.
public struct CompiledProfile: Sendable {
    /// Which list of a rule an endpoint came from.
    public enum Side: Sendable, Hashable {
        case destination
        case source
    }

    /// Why an endpoint matched: the pattern, tag or prefix as the rule names it.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        case name(pattern: String)
        case serviceTag(String)
        case address(String)
        /// A name Microsoft publishes for the Azure Firewall FQDN tag the rule names.
        case fqdnTag(tag: String, pattern: String)
        /// The rule names no peer on this side: any address or name.
        case anyPeer

        public var description: String {
            switch self {
            case .name(let pattern): return "name matches \(pattern)"
            case .serviceTag(let tag): return "address in service tag \(tag)"
            case .address(let cidr): return "address in \(cidr)"
            case .fqdnTag(let tag, let pattern): return "name matches \(pattern), published for Azure Firewall FQDN tag \(tag)"
            case .anyPeer: return "rule allows any peer"
            }
        }
    }

    struct Endpoint: Sendable {
        var rule: Int32
        var side: Side
        var reason: Reason
    }

    public let expanded: ExpandedProfile
    public let catalog: ServiceTagCatalog
    /// The expanded profile's rules; rule indices in every answer point here.
    public var rules: [ExpandedRule] { expanded.rules }
    /// Expansion warnings followed by the join's own (tags missing, widened, …).
    public let warnings: [CompileWarning]

    private let endpoints: [Endpoint]
    /// `endpoints[i].rule`, `.side` and its tag (index into `catalog.tags`, -1:
    /// not a tag), apart: the query's walk touches only these.
    private let endpointRules: [Int32]
    private let endpointSides: [Side]
    private let endpointTags: [Int32]
    private let names: FQDNMatcher
    @usableFromInline let addresses: PrefixMatcher
    /// Rules naming no peer for an outbound (resp. inbound) flow.
    private let anyPeerOutbound: [Int32]
    private let anyPeerInbound: [Int32]
    /// What `fits` needs of each rule, kept apart from `ExpandedRule` so a
    /// per-packet check copies no strings.
    private let facts: [RuleFacts]

    struct RuleFacts: Sendable {
        var ports: PortSpec
        var transport: RuleTransport
        var enabled: Bool
    }

    public init(_ expanded: ExpandedProfile, catalog: ServiceTagCatalog) {
        var endpoints: [Endpoint] = []
        var fqdns: [(FQDNPattern, Int32)] = []
        var prefixes: [(CIDR, Int32)] = []
        var anyOut: [Int32] = [], anyIn: [Int32] = []
        var warnings = expanded.warnings.map(CompileWarning.expansion)
        var missingWithoutFile: [String] = []
        var emptyVirtualNetwork: [String] = []
        let files = catalog.sources.map(CompiledProfile.fileName)

        for (r, rule) in expanded.rules.enumerated() {
            let ruleIndex = Int32(r)
            var sides: [(Side, [ProfileEndpoint])] = []
            switch rule.direction {
            case .outbound: sides = [(.destination, rule.destinations)]
            case .inbound: sides = [(.source, rule.sources)]
            case .both: sides = [(.destination, rule.destinations), (.source, rule.sources)]
            }
            for (side, list) in sides {
                if list.isEmpty {
                    if side == .destination { anyOut.append(ruleIndex) } else { anyIn.append(ruleIndex) }
                    continue
                }
                for endpoint in list {
                    let id = Int32(endpoints.count)
                    switch endpoint {
                    case .fqdn(let text):
                        do {
                            fqdns.append((try FQDNPattern(text), id))
                            endpoints.append(Endpoint(rule: ruleIndex, side: side, reason: .name(pattern: text)))
                        } catch {
                            warnings.append(.unusableEndpoint(rule: rule.id, endpoint: endpoint.description, reason: error.description))
                        }
                    case .cidr(let text):
                        do {
                            prefixes.append((try CIDR(parsing: text), id))
                            endpoints.append(Endpoint(rule: ruleIndex, side: side, reason: .address(text)))
                        } catch {
                            warnings.append(.unusableEndpoint(rule: rule.id, endpoint: endpoint.description, reason: error.description))
                        }
                    case .serviceTag(let written):
                        let resolved = CompiledProfile.resolve(written, in: catalog)
                        guard let tag = resolved.tag else {
                            if catalog.sources.isEmpty {
                                if !missingWithoutFile.contains(written) { missingWithoutFile.append(written) }
                            } else {
                                warnings.append(.tagMissing(rule: rule.id, tag: written, files: files))
                            }
                            continue
                        }
                        if let widenedTo = resolved.widenedTo {
                            warnings.append(.tagWidened(rule: rule.id, written: written, resolved: widenedTo))
                        }
                        if tag.prefixes.isEmpty, ServiceTagCatalog.fold(tag.name) == ServiceTagCatalog.fold(ServiceTagCatalog.virtualNetwork) {
                            if !emptyVirtualNetwork.contains(rule.id) { emptyVirtualNetwork.append(rule.id) }
                        }
                        endpoints.append(Endpoint(rule: ruleIndex, side: side, reason: .serviceTag(tag.name)))
                        for p in tag.prefixes { prefixes.append((p, id)) }
                    case .fqdnTag(let written):
                        let tag = FirewallFQDNTags.tag(named: written)
                        for pattern in tag?.names ?? [] {
                            guard let parsed = try? FQDNPattern(pattern) else { continue }
                            fqdns.append((parsed, Int32(endpoints.count)))
                            endpoints.append(Endpoint(rule: ruleIndex, side: side, reason: .fqdnTag(tag: tag?.name ?? written, pattern: pattern)))
                        }
                        // Only a rule that can allow anything makes the answer incomplete.
                        var enabled = true
                        if case .optional(_, let on) = rule.requirement { enabled = on }
                        if tag?.complete != true, enabled {
                            warnings.append(.fqdnTagNotExpandable(rule: rule.id, tag: tag?.name ?? written, publishedNames: tag?.names.count ?? 0))
                        }
                    }
                }
            }
        }
        if !missingWithoutFile.isEmpty { warnings.append(.noServiceTagFile(tags: missingWithoutFile)) }
        if !emptyVirtualNetwork.isEmpty { warnings.append(.virtualNetworkUnset(rules: emptyVirtualNetwork)) }

        self.expanded = expanded
        self.catalog = catalog
        self.warnings = warnings
        self.endpoints = endpoints
        endpointRules = endpoints.map(\.rule)
        endpointSides = endpoints.map(\.side)
        let tagIndex = Dictionary(catalog.tags.enumerated().map { ($1.name, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        endpointTags = endpoints.map { e in
            if case .serviceTag(let name) = e.reason { return tagIndex[name] ?? -1 }
            return -1
        }
        names = FQDNMatcher(fqdns)
        addresses = PrefixMatcher(prefixes)
        anyPeerOutbound = anyOut
        anyPeerInbound = anyIn
        facts = expanded.rules.map { rule in
            let on: Bool
            switch rule.requirement {
            case .required: on = true
            case .optional(_, let enabled): on = enabled
            }
            return RuleFacts(ports: rule.ports, transport: rule.transport, enabled: on)
        }
    }

    // MARK: The query (no allocation)

    /// What the profile says of one flow: which rules name its peer and how
    /// each applies. Asked once per memo miss by the audit (per distinct
    /// name, address match set, port, transport and direction), and by
    /// `evaluate` for explanations, so the two cannot disagree.
    public struct Decision: Sendable, Equatable {
        /// Enabled rules that name the peer and allow this port and transport.
        public var allowedBy = RuleSet()
        /// Rules of disabled optional features that would allow it.
        public var allowedIfEnabled = RuleSet()
        /// Rules that name the peer, but not on this port or transport.
        public var otherPorts = RuleSet()
        /// The first service tag (index into `catalog.tags`) through which an
        /// allowing rule named the address, in lookup order; -1: none.
        public var allowingTag: Int32 = -1

        public var verdict: Evaluation.Verdict {
            if !allowedBy.isEmpty { return .allowed }
            if !allowedIfEnabled.isEmpty { return .allowedIfFeatureEnabled }
            if !otherPorts.isEmpty { return .wrongPort }
            return .undocumented
        }
    }

    /// Decides a flow to or from the peer called `name` (raw bytes, any case,
    /// nil: unnamed) at `address` (nil: unknown, e.g. behind a proxy) on
    /// `port` (nil: any port, then nothing is "on other ports") over
    /// `transport` (`.any`: either). Allocation-free for profiles of up to
    /// 256 rules.
    public func decide(name: ByteView?, address: IPAddress?, port: UInt16?, transport: RuleTransport,
                       direction: RuleDirection = .outbound) -> Decision {
        var named = RuleSet()
        // Each rule's first service tag in walk order, to pick the first allowing one below.
        var firstTagged = RuleSet(), tags = TagPick()
        forEachEndpoint(name: name, address: address, direction: direction) { _, rule, tag in
            named.insert(Int(rule))
            if tag >= 0, !firstTagged.contains(Int(rule)) {
                firstTagged.insert(Int(rule))
                tags.note(rule: rule, tag: tag)
            }
        }
        let flow = Flow(port: port, transport: transport, direction: direction, includeDisabled: true)
        let side: Side = direction == .inbound ? .source : .destination
        var d = Decision()
        facts.withUnsafeBufferPointer { facts in
            named.forEach { r in
                let f = facts[r]
                if flow.admits(f, side: side) {
                    if f.enabled { d.allowedBy.insert(r) } else { d.allowedIfEnabled.insert(r) }
                } else {
                    d.otherPorts.insert(r)
                }
            }
            for r in direction == .inbound ? anyPeerInbound : anyPeerOutbound where !named.contains(Int(r)) {
                let f = facts[Int(r)]
                guard flow.admits(f, side: side) else { continue }
                if f.enabled { d.allowedBy.insert(Int(r)) } else { d.allowedIfEnabled.insert(Int(r)) }
            }
        }
        d.allowingTag = tags.first { d.allowedBy.contains(Int($0)) }
        return d
    }

    /// The one walk over the matchers: every endpoint (index into `endpoints`)
    /// naming the peer by name or address on the side `direction` asks
    /// (`both`: either side), with its rule and its tag (-1: not a service tag).
    private func forEachEndpoint(name: ByteView?, address: IPAddress?, direction: RuleDirection,
                                 _ body: (Int32, Int32, Int32) -> Void) {
        let wanted: Side = direction == .inbound ? .source : .destination
        let both = direction == .both
        // The matcher's walk recurses with the closure: it must capture only
        // trivial values, or every step copies (retains) the whole profile.
        endpointRules.withUnsafeBufferPointer { rules in
            endpointSides.withUnsafeBufferPointer { sides in
                endpointTags.withUnsafeBufferPointer { tags in
                    if let name {
                        names.forEachMatch(name) { id in
                            if both || sides[Int(id)] == wanted { body(id, rules[Int(id)], tags[Int(id)]) }
                        }
                    }
                    if let address {
                        for id in addresses.lookup(address) where both || sides[Int(id)] == wanted {
                            body(id, rules[Int(id)], tags[Int(id)])
                        }
                    }
                }
            }
        }
    }

    /// Names the set of the profile's prefixes containing `address`: two
    /// addresses with the same value get the same answer from every query, so
    /// callers remember answers per set, not per address.
    @inlinable
    public func addressMatchSet(_ address: IPAddress) -> UInt32 {
        addresses.setIndex(of: address)
    }

    /// The flow a query asks about. Its direction picks the side a rule names
    /// its peer on: outbound flows are matched against destinations, inbound
    /// ones against sources (`both`: either).
    struct Flow {
        var port: UInt16?
        var transport: RuleTransport
        var direction: RuleDirection
        var includeDisabled: Bool

        @inline(__always)
        func admits(_ f: RuleFacts, side: Side) -> Bool {
            guard includeDisabled || f.enabled else { return false }
            switch direction {
            case .outbound: guard side == .destination else { return false }
            case .inbound: guard side == .source else { return false }
            case .both: break
            }
            if transport != .any, f.transport != .any, f.transport != transport { return false }
            if let port, !f.ports.contains(port) { return false }
            return true
        }
    }

    /// Up to four (rule, tag) pairs in the order the walk met them: enough for
    /// the first allowing one (a peer named by more tagged rules than that is
    /// answered from the first four).
    struct TagPick {
        private var pairs: (Int64, Int64, Int64, Int64) = (-1, -1, -1, -1)
        private var count = 0

        mutating func note(rule: Int32, tag: Int32) {
            let v = Int64(rule) << 32 | Int64(UInt32(bitPattern: tag))
            switch count {
            case 0: pairs.0 = v
            case 1: pairs.1 = v
            case 2: pairs.2 = v
            case 3: pairs.3 = v
            default: return
            }
            count += 1
        }

        func first(where allowed: (Int32) -> Bool) -> Int32 {
            // Pair by pair (an array of the four was an allocation per query).
            for k in 0 ..< count {
                let v = k == 0 ? pairs.0 : k == 1 ? pairs.1 : k == 2 ? pairs.2 : pairs.3
                if allowed(Int32(v >> 32)) { return Int32(truncatingIfNeeded: v) }
            }
            return -1
        }
    }

    // MARK: Explaining (allocates)

    /// `decide`, with the reasons: which pattern, tag or prefix of each rule
    /// matched, and every service tag containing the address. For the CLI's
    /// explanations and reports.
    public func evaluate(name: String?, address: IPAddress?, port: UInt16?, transport: RuleTransport,
                         direction: RuleDirection = .outbound) -> Evaluation {
        var utf8 = name.map { Array($0.utf8) }
        return withOptionalView(&utf8) { view in
            let d = decide(name: view, address: address, port: port, transport: transport, direction: direction)
            var reasons: [Int32: [Reason]] = [:]
            var order: [Int32] = []
            let endpoints = self.endpoints
            forEachEndpoint(name: view, address: address, direction: direction) { id, rule, _ in
                let reason = endpoints[Int(id)].reason
                if reasons[rule] == nil { order.append(rule) }
                if !(reasons[rule, default: []].contains(reason)) { reasons[rule, default: []].append(reason) }
            }
            for r in direction == .inbound ? anyPeerInbound : anyPeerOutbound where reasons[r] == nil {
                if d.allowedBy.contains(Int(r)) || d.allowedIfEnabled.contains(Int(r)) {
                    order.append(r)
                    reasons[r] = [.anyPeer]
                }
            }
            var evaluation = Evaluation(name: name, address: address, port: port, transport: transport, direction: direction)
            for r in order {
                let match = Evaluation.Match(ruleIndex: Int(r), rule: expanded.rules[Int(r)], reasons: reasons[r] ?? [])
                if d.allowedBy.contains(Int(r)) {
                    evaluation.allowedBy.append(match)
                } else if d.allowedIfEnabled.contains(Int(r)) {
                    evaluation.allowedIfEnabled.append(match)
                } else if d.otherPorts.contains(Int(r)) {
                    evaluation.otherPortsBy.append(match)
                }
            }
            if let address { evaluation.serviceTags = catalog.tags(containing: address) }
            return evaluation
        }
    }

    private func withOptionalView<R>(_ bytes: inout [UInt8]?, _ body: (ByteView?) -> R) -> R {
        guard bytes != nil else { return body(nil) }
        return bytes!.withUnsafeBytes { body(ByteView($0)) }
    }

    // MARK: Building

    /// Number of FQDN patterns, prefixes (after tag expansion) and matcher sizes.
    public var statistics: (endpoints: Int, fqdnNodes: Int, ipv4Intervals: Int, ipv6Intervals: Int) {
        let n = names.statistics, a = addresses.statistics
        return (endpoints.count, n.nodes, a.ipv4Intervals, a.ipv6Intervals)
    }

    /// `Storage.WestUS` by name (any case), else as base + region
    /// (`AzureCloud.WestUS` → `AzureCloud.westus`); a tag still holding a
    /// placeholder (`Storage.<Region>`, region unset) widens to its base tag.
    public static func resolve(_ written: String, in catalog: ServiceTagCatalog) -> (tag: ServiceTag?, widenedTo: String?) {
        if written.contains("<") || written.contains("{") {
            guard let dot = written.firstIndex(of: ".") else { return (nil, nil) }
            let base = String(written[..<dot])
            guard !base.contains("<"), !base.contains("{"), let tag = catalog.tag(named: base) else { return (nil, nil) }
            return (tag, tag.name)
        }
        if let tag = catalog.tag(named: written) { return (tag, nil) }
        if let dot = written.lastIndex(of: "."),
           case .success(let tag) = catalog.regionalTag(String(written[..<dot]), region: String(written[written.index(after: dot)...]))
        {
            return (tag, nil)
        }
        return (nil, nil)
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// A flow checked against a compiled profile, with the reasons.
public struct Evaluation: Sendable {
    public struct Match: Sendable {
        public let ruleIndex: Int
        public let rule: ExpandedRule
        /// Every pattern, tag or prefix of the rule that matched the peer.
        public let reasons: [CompiledProfile.Reason]
    }

    public enum Verdict: String, Sendable {
        /// An enabled rule allows it.
        case allowed
        /// Only a rule of a disabled optional feature allows it.
        case allowedIfFeatureEnabled = "feature-disabled"
        /// Rules name the peer, but not on this port or transport.
        case wrongPort = "wrong-port"
        /// No rule names the peer.
        case undocumented
    }

    public let name: String?
    public let address: IPAddress?
    public let port: UInt16?
    public let transport: RuleTransport
    public let direction: RuleDirection
    public internal(set) var allowedBy: [Match] = []
    public internal(set) var allowedIfEnabled: [Match] = []
    /// Rules that name the peer but on other ports or another transport.
    public internal(set) var otherPortsBy: [Match] = []
    /// Every service tag of the catalog containing `address`, in load order.
    public internal(set) var serviceTags: [String] = []

    init(name: String?, address: IPAddress?, port: UInt16?, transport: RuleTransport, direction: RuleDirection) {
        self.name = name
        self.address = address
        self.port = port
        self.transport = transport
        self.direction = direction
    }

    public var verdict: Verdict {
        if !allowedBy.isEmpty { return .allowed }
        if !allowedIfEnabled.isEmpty { return .allowedIfFeatureEnabled }
        if !otherPortsBy.isEmpty { return .wrongPort }
        return .undocumented
    }
}

/// Something the join of profile and tag catalog could not do as written.
public enum CompileWarning: Sendable, Hashable, CustomStringConvertible {
    case expansion(ExpansionWarning)
    /// `written` still held a placeholder; the rule uses the wider `resolved` tag.
    case tagWidened(rule: String, written: String, resolved: String)
    /// No loaded file defines the tag; the rule matches nothing by address.
    case tagMissing(rule: String, tag: String, files: [String])
    /// No tag file was given: these tags (other than the built-in ones) match nothing.
    case noServiceTagFile(tags: [String])
    /// `VirtualNetwork` has no prefixes (no `virtual-network` parameter).
    case virtualNetworkUnset(rules: [String])
    /// An endpoint that does not parse (profiles are validated on load, so only hand-built ones).
    case unusableEndpoint(rule: String, endpoint: String, reason: String)
    /// The rule names an Azure Firewall FQDN tag whose names are not all published: it
    /// matches only the `publishedNames` known ones, so a flow the real tag allows may be
    /// reported undocumented.
    case fqdnTagNotExpandable(rule: String, tag: String, publishedNames: Int)

    public var description: String {
        switch self {
        case .expansion(let warning):
            return warning.description
        case .tagWidened(let rule, let written, let resolved):
            return "rule \(rule): service tag \(written) has an unset placeholder, widened to \(resolved)"
        case .tagMissing(let rule, let tag, let files):
            return "rule \(rule): service tag \(tag) is not in \(files.joined(separator: ", ")); it matches no address"
        case .noServiceTagFile(let tags):
            return "no service tag file given (--service-tags FILE): tags \(tags.joined(separator: ", ")) match no address; "
                + "only \(ServiceTagCatalog.azureLoadBalancer), \(ServiceTagCatalog.virtualNetwork), \(ServiceTagCatalog.internet) "
                + "and CIDR rules match by address"
        case .virtualNetworkUnset(let rules):
            let shown = rules.prefix(4).joined(separator: ", ") + (rules.count > 4 ? ", …" : "")
            return "VirtualNetwork has no prefixes (set the virtual-network parameter): \(rules.count) rule(s) match no address by it (\(shown))"
        case .unusableEndpoint(let rule, let endpoint, let reason):
            return "rule \(rule): \(endpoint) ignored: \(reason)"
        case .fqdnTagNotExpandable(let rule, let tag, let published):
            let matched = published == 0 ? "it matches no name" : "it matches only the \(published) name\(published == 1 ? "" : "s") published for it"
            return "rule \(rule): Azure Firewall FQDN tag \(tag) is not fully expandable (Microsoft publishes no complete list): "
                + "\(matched); a destination the real tag allows may be reported undocumented"
        }
    }
}
