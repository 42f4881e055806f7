import EgressPolicy
import FastHashing
import FlowEngine
import PacketWire

/// The audit as a stream: each flow is classified as it leaves the tracker
/// and folded into bounded aggregates (destinations, rule evidence, name
/// mismatches, suggestions); no flow is kept. `report` renders what was folded
/// so far at any moment, for a file's end, a live snapshot or a metrics scrape.
///
/// Nodes: given ones (`--node`, or a live run's interface addresses) are used
/// from the first flow. Otherwise the busiest initiators are chosen: from all
/// flows when the input has at most `AuditLimits.nodeChoiceFlows`, else from
/// that many held back, after which the choice is fixed and the report says so.
public struct AuditAccumulator {
    public let limits: AuditLimits
    private var classifier: FlowClassifier
    private var destinations: DestinationAggregates
    private var evidence: RuleEvidenceLedger
    private var initiators: InitiatorCounter
    /// Flows waiting for the nodes to be chosen; nil once they are.
    private var held: [FlowRecord]?
    private var nodesHow: String
    private var mismatches = FixedKeyMap<Mismatch, Int>(seed: FastHash.randomSeed())
    private var suggestions = FixedKeyMap<Suggestion, Void>(seed: FastHash.randomSeed())
    private var suggestedTags: SuggestedTags
    private var totals = AuditReport.FlowTotals(outbound: 0, inbound: 0, notAudited: 0)
    private var overflow: [String: Int] = [:]
    private var profileHasDNSRule: Bool
    private var reloads: [String] = []

    private struct Mismatch: FastHashable {
        let peer: IPAddress
        let port: UInt16
        let sni: Int32
        let dns: Int32

        func mix(into hash: inout FastHash.Accumulator) {
            peer.mix(into: &hash)
            hash.mix(UInt64(port) << 48 ^ UInt64(UInt32(bitPattern: sni)) << 24 ^ UInt64(UInt32(bitPattern: dns)))
        }
    }

    private struct Suggestion: FastHashable {
        enum Kind: UInt8 { case fqdn, serviceTag, cidr }
        let kind: Kind
        let id: Int32
        let address: IPAddress
        let tcp: Bool
        let port: UInt16

        func mix(into hash: inout FastHash.Accumulator) {
            address.mix(into: &hash)
            hash.mix(UInt64(UInt32(bitPattern: id)) << 32 | UInt64(port) << 16 | UInt64(kind.rawValue) << 1 | (tcp ? 1 : 0))
        }
    }

    /// `nodes` empty: choose the busiest initiators. `how` says where given nodes came from.
    public init(profile: CompiledProfile, nodes: [CIDR], how: String = "given with --node", limits: AuditLimits = AuditLimits()) {
        self.limits = limits
        classifier = FlowClassifier(profile: profile, nodes: nodes, memoLimit: limits.memoizedQuestions)
        destinations = DestinationAggregates(limits: limits, catalog: profile.catalog)
        evidence = RuleEvidenceLedger(limits: limits)
        initiators = InitiatorCounter(capacity: limits.initiators)
        suggestedTags = SuggestedTags(catalog: profile.catalog, memoLimit: limits.memoizedQuestions)
        if nodes.isEmpty {
            // Room for every flow held back at once (address space, touched as it fills): growing by doubling copied it over and over.
            var waiting: [FlowRecord] = []
            waiting.reserveCapacity(limits.nodeChoiceFlows)
            held = waiting
        }
        nodesHow = how
        profileHasDNSRule = profile.rules.contains { $0.ports.contains(53) }
    }

    public var profile: CompiledProfile { classifier.profile }

    /// Told of every flow as it is folded, with its verdict when the audit
    /// judged it (`--flow-log`). Held-back flows are told when nodes are chosen.
    public var observer: ((FlowRecord, NameTable, FlowLogVerdict?) -> Void)?

    /// Folds one flow that left the tracker. Returns its verdict when the flow
    /// was judged now (nil while nodes are still being chosen, or when the
    /// audit does not judge it) and `wantsVerdict`.
    public mutating func add(_ r: FlowRecord, names: NameTable) {
        if !FlowClassifier.isLinkLocalMulticast(r.responder.address) { initiators.add(r.initiator.address) }
        if held != nil {
            held!.append(r)
            if held!.count >= limits.nodeChoiceFlows { chooseNodes(names: names, early: true) }
            return
        }
        fold(r, names: names)
    }

    /// Starts loading what `add` will read first for a flow initiated by
    /// `initiator` (its count), for a caller that knows the records to come.
    /// Mutating only so that the caller's accumulator is read in place: called
    /// from another module as a non-mutating method on a variable, the whole
    /// accumulator (1.5 KB) was copied for every record.
    public mutating func prefetch(initiator: IPAddress) {
        initiators.prefetch(initiator)
    }

    /// The input ended: nodes still to be chosen are chosen from every flow, and the flows held back are folded.
    public mutating func finish(names: NameTable) {
        chooseNodes(names: names, early: false)
    }

    private mutating func chooseNodes(names: NameTable, early: Bool) {
        guard let waiting = held else { return }
        let selection = NodeSelector.select(initiators, early: early)
        classifier.choose(nodes: selection.nodes)
        nodesHow = selection.how
        held = nil
        for r in waiting { fold(r, names: names) }
    }

    private mutating func fold(_ r: FlowRecord, names: NameTable) {
        guard let c = classifier.classify(r, names: names) else {
            totals.notAudited += 1
            observer?(r, names, nil)
            return
        }
        // Fields read one by one: copying the whole answer retains its arrays for every flow.
        let a = Int(c.answer)
        let verdict = classifier.answers[a].verdict
        let node = c.direction == .outbound ? r.initiator.address : r.responder.address
        if c.direction == .outbound { totals.outbound += 1 } else { totals.inbound += 1 }
        let table: DestinationAggregates.Table
        switch verdict {
        case .allowed: table = .allowed
        case .wrongPort: table = .wrongPort
        case .allowedIfFeatureEnabled: table = .undocumented
        case .undocumented:
            // Name resolution: evidence for naming, judged only by a profile that documents DNS.
            table = c.port == 53 && c.direction == .outbound && !profileHasDNSRule ? .resolvers : .undocumented
        }
        // Not read from the answer when it lists none: reading it copied the whole answer.
        let rules = table == .resolvers || verdict == .undocumented ? RuleSet() : classifier.answers[a].listed
        let slot: Int32
        // A destination's own entry is remembered with the answer: the same question (and peer, unnamed), the same entry.
        let remembered = classifier.rememberedDestination(of: c.answer, named: !c.name.isNone, peer: c.peer)
        if remembered >= 0 {
            slot = remembered
            destinations.add(c, r, rules: rules, node: node, toEntry: slot)
        } else {
            var own = false
            slot = destinations.add(c, r, table: table, rules: rules, node: node, names: names, own: &own)
            if own { classifier.rememberDestination(slot, peer: c.peer, of: c.answer) }
        }
        if verdict == .allowed {
            let answer = classifier.answers[a]
            let outcome = r.outcome
            answer.allowedBy.forEach { rule in
                evidence.add(rule: Int32(rule), node: node, destination: .init(entry: slot, port: c.port), outcome: outcome)
            }
            if c.direction == .outbound { suggest(c, r, allowingTag: answer.allowingTag) }
        }
        if !c.mismatchDNS.isNone {
            let key = Mismatch(peer: c.peer, port: c.port, sni: c.name.rawValue, dns: c.mismatchDNS.rawValue)
            if let i = mismatches.index(forKey: key) {
                mismatches[valueAt: i] += 1
            } else if mismatches.count < limits.nameMismatches {
                mismatches.set(key, 1)
            } else {
                overflow["nameMismatches", default: 0] += 1
            }
        }
        guard let observer else { return }
        observer(r, names, FlowLogVerdict(verdict: table == .resolvers ? "resolver" : verdict.rawValue, destination: destinations.loggedText(slot, names: names),
                                          rules: classifier.answers[a].allowedBy.indices.map { classifier.profile.rules[$0].id }))
    }

    /// The narrowest destination that allows an allowed flow: its name, else
    /// the narrowest tag within the service tag that allowed its address
    /// (regional before global), else the address.
    private mutating func suggest(_ c: FlowClassifier.Flow, _ r: FlowRecord, allowingTag: Int32) {
        let tcp = r.key.transport == .tcp
        let s: Suggestion
        if !c.name.isNone {
            s = Suggestion(kind: .fqdn, id: c.name.rawValue, address: IPAddress(ipv4: 0), tcp: tcp, port: c.port)
        } else if allowingTag >= 0 {
            let tag = suggestedTags.narrowest(within: allowingTag, containing: c.peer)
            s = Suggestion(kind: .serviceTag, id: tag, address: IPAddress(ipv4: 0), tcp: tcp, port: c.port)
        } else {
            s = Suggestion(kind: .cidr, id: 0, address: c.peer, tcp: tcp, port: c.port)
        }
        if suggestions.count < limits.suggestions || suggestions.index(forKey: s) != nil {
            suggestions.set(s, ())
        } else {
            overflow["suggestions", default: 0] += 1
        }
    }

    /// Judges the flows that end from now on by `profile` (SIGHUP). Flows
    /// already folded keep the verdicts they were given; the report says when.
    public mutating func reload(profile: CompiledProfile, at time: String) {
        let old = classifier.profile.rules.map(\.id)
        let position = Dictionary(profile.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let map = old.map { position[$0] ?? -1 }
        classifier = FlowClassifier(profile: profile, nodes: classifier.nodes, memoLimit: limits.memoizedQuestions)
        suggestedTags.reload(catalog: profile.catalog)
        destinations.remapRules(map)
        destinations.catalog = profile.catalog
        evidence.remapRules(map)
        profileHasDNSRule = profile.rules.contains { $0.ports.contains(53) }
        reloads.append(time)
    }

    /// The report of everything folded so far. The accumulator goes on.
    public func report(names: NameTable, dns: [DNSObservation], capture: CaptureSummary, serviceTagFiles: [String],
                       warnings: [String] = []) -> AuditReport {
        var state = self
        state.observer = nil
        state.chooseNodes(names: names, early: false)
        return state.render(names: names, dns: dns, capture: capture, serviceTagFiles: serviceTagFiles, warnings: warnings)
    }

    private func render(names: NameTable, dns: [DNSObservation], capture: CaptureSummary, serviceTagFiles: [String],
                        warnings: [String]) -> AuditReport {
        let profile = classifier.profile
        let display = TextOrder(destinations.displayTexts(names: names))
        let (required, optional) = evidence.statuses(profile: profile, display: display.texts)

        // DNS answers that failed for names the profile needs (or any name, for the record).
        var dnsFailures: [AuditReport.DNSFailure] = []
        var seen = Set<String>()
        for o in dns where !o.linkLocal && (o.rcode == 2 || o.rcode == 3) {
            let name = names.string(o.name)
            let rcode = DNSResponseCode(rawValue: o.rcode).description
            guard seen.insert("\(name) \(rcode)").inserted else { continue }
            let e = profile.evaluate(name: name, address: nil, port: nil, transport: .any, direction: .outbound)
            let matches = e.allowedBy + e.allowedIfEnabled
            dnsFailures.append(.init(name: name, rcode: rcode, rules: matches.map(\.rule.id).sorted(),
                                     required: matches.contains { $0.rule.requirement.isRequired }))
        }
        // Past the cap, the failures required rules need are the ones kept.
        dnsFailures.sort { ($0.required ? 0 : 1, $0.name, $0.rcode) < ($1.required ? 0 : 1, $1.name, $1.rcode) }
        var overflow = self.overflow
        if dnsFailures.count > limits.dnsFailures {
            overflow["dnsFailures"] = dnsFailures.count - limits.dnsFailures
            dnsFailures.removeLast(dnsFailures.count - limits.dnsFailures)
        }
        dnsFailures.sort { ($0.name, $0.rcode) < ($1.name, $1.rcode) }

        for (cap, flows) in destinations.folded { overflow[cap] = flows }
        if evidence.overflowFlows > 0 { overflow["destinationsPerRule"] = evidence.overflowFlows }
        let limitValues = Dictionary(uniqueKeysWithValues: limits.named)
        var notes = warnings + profile.warnings.map(\.description)
        for t in reloads { notes.append("profile reloaded at \(t): flows that ended before were judged by the rules then in force") }
        if !overflow.isEmpty {
            let parts = overflow.sorted { $0.key < $1.key }.map { "\($0.key) (\(limitValues[$0.key] ?? 0)): \($0.value) flows" }
            notes.append("caps reached, their flows folded into groups and counted in full: " + parts.joined(separator: ", "))
        }

        let tagNames = suggestedTags.names
        let suggestionItems = suggestions.keys.map { s -> RuleSuggester.Item in
            let transport = s.tcp ? "tcp" : "udp"
            switch s.kind {
            case .fqdn: return .init(kind: "fqdn", value: names.string(NameTable.NameID(rawValue: s.id)), transport: transport, port: s.port)
            case .serviceTag: return .init(kind: "serviceTag", value: tagNames[Int(s.id)], transport: transport, port: s.port)
            case .cidr: return .init(kind: "cidr", value: "\(s.address)/\(s.address.isIPv4 ? 32 : 128)", transport: transport, port: s.port)
            }
        }
        let mismatchList = zip(mismatches.keys, mismatches.values).map { m, flows in
            AuditReport.NameMismatch(address: m.peer.description, port: Int(m.port), sni: names.string(NameTable.NameID(rawValue: m.sni)),
                                     dns: names.string(NameTable.NameID(rawValue: m.dns)), flows: flows)
        }.sorted { ($0.sni, $0.address, $0.port, $0.dns) < ($1.sni, $1.address, $1.port, $1.dns) }

        var report = AuditReport(
            verdict: "",
            profile: .init(id: profile.expanded.profileID, title: profile.expanded.title, parameters: profile.expanded.parameters,
                           features: profile.expanded.enabledFeatures.sorted(), serviceTagFiles: serviceTagFiles),
            profiles: profile.expanded.profiles.map {
                .init(id: $0.profileID, title: $0.title, parameters: $0.parameters, features: $0.enabledFeatures.sorted(), serviceTagFiles: serviceTagFiles)
            },
            nodes: .init(addresses: classifier.nodes.map { $0.isSingleAddress ? $0.address.description : $0.description },
                         how: nodesHow),
            findings: [],
            undocumented: destinations.destinations(.undocumented, profile: profile, names: names, display: display),
            wrongPort: destinations.destinations(.wrongPort, profile: profile, names: names, display: display),
            allowed: destinations.destinations(.allowed, profile: profile, names: names, display: display),
            resolvers: destinations.destinations(.resolvers, profile: profile, names: names, display: display),
            requiredRules: required, optionalRules: optional, dnsFailures: dnsFailures, warnings: notes,
            suggestions: suggestionItems.sorted { ($0.transport, $0.value, $0.port) < ($1.transport, $1.value, $1.port) },
            capture: capture, nameMismatches: mismatchList, flowTotals: totals,
            initiators: initiators.busiest(16).map { .init(address: $0.address.description, flows: $0.flows) },
            limits: limitValues,
            overflow: overflow.sorted { $0.key < $1.key }.map { .init(cap: $0.key, limit: limitValues[$0.key] ?? 0, flows: $0.value) })
        AuditFindings.derive(&report)
        return report
    }
}
