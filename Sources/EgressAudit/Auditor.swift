import EgressPolicy
import FlowEngine
import PacketWire

/// Classifies every flow of a capture against a compiled profile and
/// aggregates the answer: which egress no rule allows, which required rules
/// were satisfied, attempted but failing, or never seen.
///
/// Names are taken in order of trust: the TLS or QUIC server name, else the
/// HTTP Host or CONNECT target, else the name this client's DNS answer gave
/// for the address, else none (the address alone, with every service tag
/// containing it). When SNI and DNS disagree the flow is a name mismatch and
/// both are reported, not guessed between.
public struct Auditor {
    public let profile: CompiledProfile

    public init(profile: CompiledProfile) {
        self.profile = profile
    }

    /// One flow as the audit sees it. The evaluation is the memo's (many
    /// flows share one), referred to by index so a flow copies no arrays.
    struct ClassifiedFlow {
        let record: FlowRecord
        let direction: RuleDirection
        let peer: IPAddress
        let port: UInt16
        let name: String?
        let nameSource: AuditReport.NameSource
        let evaluationIndex: Int
        let mismatch: (sni: String, dns: String)?
    }

    public func audit(flows: [FlowRecord], names: NameTable, dns: [DNSObservation], capture: CaptureSummary,
                      nodes given: [CIDR], serviceTagFiles: [String], warnings: [String] = []) -> AuditReport {
        let selection = NodeSelector.select(flows: flows, given: given)
        var memo = Memo()

        var allowed = DestinationTable(), undocumented = DestinationTable(), wrongPort = DestinationTable()
        var evidence = RuleEvidenceLedger()
        var resolvers = DestinationTable()
        let profileHasDNSRule = profile.rules.contains { $0.ports.contains(53) }
        // Taken out once: a closure that used `profile` would copy the whole auditor per flow.
        let catalog = profile.catalog
        var findings: [AuditReport.Finding] = []
        var suggestions = Set<RuleSuggester.Item>()
        for record in flows {
            guard let c = classify(record, names: names, nodes: selection.nodes, memo: &memo) else { continue }
            let display = c.name ?? memo.texts.address(c.peer)
            let evaluation = memo.evaluations[c.evaluationIndex]
            // Tags depend on the address only, rule texts on the evaluation only: made once each.
            let tags = { memo.tags(c.peer, catalog) }
            switch evaluation.verdict {
            case .allowed:
                if c.direction == .outbound { suggestions.insert(Self.suggestion(for: c, evaluation)) }
                allowed.add(c, display: display, rules: { evaluation.allowedBy.map { $0.rule.id } }, tags: tags)
                for m in evaluation.allowedBy {
                    evidence.add(rule: m.ruleIndex, node: c.record.initiator.address, destination: display, port: c.port,
                                 outcome: c.record.outcome)
                }
            case .wrongPort:
                wrongPort.add(c, display: display, rules: { evaluation.otherPortsBy.map { "\($0.rule.id) (\($0.rule.transport.rawValue)/\($0.rule.ports))" } },
                              tags: tags)
            case .allowedIfFeatureEnabled:
                undocumented.add(c, display: display,
                                 rules: {
                                     evaluation.allowedIfEnabled.map { m in
                                         if case .optional(let feature, _) = m.rule.requirement { return "\(m.rule.id) (feature \(feature) is off)" }
                                         return m.rule.id
                                     }
                                 },
                                 tags: tags)
            case .undocumented:
                if c.port == 53 && c.direction == .outbound && !profileHasDNSRule {
                    // Name resolution: evidence for naming, judged only by a profile that documents DNS.
                    resolvers.add(c, display: display, rules: { [] }, tags: tags)
                } else {
                    undocumented.add(c, display: display, rules: { [] }, tags: tags)
                }
            }
            if let mismatch = c.mismatch {
                findings.append(.init(kind: .nameMismatch,
                                      summary: "\(c.peer):\(c.port): TLS says \(mismatch.sni) but DNS gave \(mismatch.dns) for this address",
                                      rule: nil, destination: mismatch.sni, port: Int(c.port)))
            }
        }

        let (required, optional, ruleFindings) = rate(evidence)
        findings += ruleFindings

        // DNS answers that failed for names the profile needs.
        var dnsFailures: [AuditReport.DNSFailure] = []
        for o in dns where !o.linkLocal && (o.rcode == 2 || o.rcode == 3) {
            let name = names.string(o.name)
            let e = profile.evaluate(name: name, address: nil, port: nil, transport: .any, direction: .outbound)
            let matches = e.allowedBy + e.allowedIfEnabled
            let isRequired = matches.contains { $0.rule.requirement.isRequired }
            let rcode = DNSResponseCode(rawValue: o.rcode).description
            dnsFailures.append(.init(name: name, rcode: rcode, rules: matches.map(\.rule.id).sorted(), required: isRequired))
            if isRequired {
                findings.append(.init(kind: .failingDNS, summary: "DNS answered \(rcode) for \(name), which required rules need",
                                      rule: matches.first { $0.rule.requirement.isRequired }?.rule.id, destination: name, port: nil))
            }
        }

        let undocumentedList = undocumented.sorted(&memo.texts), wrongPortList = wrongPort.sorted(&memo.texts)
        for d in undocumentedList {
            let tags = d.serviceTags.isEmpty ? "" : " (in \(d.serviceTags.joined(separator: ", ")))"
            let why = d.rules.isEmpty ? "no rule allows it" : "only rules of disabled features allow it: \(d.rules.joined(separator: ", "))"
            findings.append(.init(kind: .undocumented, summary: "\(d.destination) on \(d.ports.joined(separator: ", ")): \(why)\(tags)",
                                  rule: nil, destination: d.destination, port: nil))
        }
        for d in wrongPortList {
            findings.append(.init(kind: .wrongPort,
                                  summary: "\(d.destination) on \(d.ports.joined(separator: ", ")): allowed only as \(d.rules.joined(separator: ", "))",
                                  rule: d.rules.first, destination: d.destination, port: nil))
        }
        findings.sort { ($0.kind, $0.destination ?? "", $0.rule ?? "", $0.summary) < ($1.kind, $1.destination ?? "", $1.rule ?? "", $1.summary) }

        let counts = Dictionary(grouping: findings, by: \.kind).mapValues(\.count)
        return AuditReport(
            verdict: Self.verdictLine(counts),
            profile: .init(id: profile.expanded.profileID, title: profile.expanded.title, parameters: profile.expanded.parameters,
                           features: profile.expanded.enabledFeatures.sorted(), serviceTagFiles: serviceTagFiles),
            nodes: .init(addresses: selection.nodes.map { $0.prefixLength == ($0.isIPv4 ? 32 : 128) ? $0.address.description : $0.description }, how: selection.how),
            findings: findings,
            undocumented: undocumentedList, wrongPort: wrongPortList, allowed: allowed.sorted(&memo.texts), resolvers: resolvers.sorted(&memo.texts),
            requiredRules: required.sorted { $0.rule < $1.rule }, optionalRules: optional.sorted { $0.rule < $1.rule },
            dnsFailures: dnsFailures.sorted { ($0.name, $0.rcode) < ($1.name, $1.rcode) },
            warnings: warnings + profile.warnings.map(\.description),
            suggestions: suggestions.sorted { ($0.transport, $0.value, $0.port) < ($1.transport, $1.value, $1.port) },
            capture: capture)
    }

    /// Rates every rule from the evidence: required rules satisfied, attempted
    /// but failing (per node) or not seen; optional rules of enabled features used or not.
    func rate(_ evidence: RuleEvidenceLedger) -> (required: [AuditReport.RuleStatus], optional: [AuditReport.RuleStatus], findings: [AuditReport.Finding]) {
        var required: [AuditReport.RuleStatus] = [], optional: [AuditReport.RuleStatus] = [], findings: [AuditReport.Finding] = []
        for (index, rule) in profile.rules.enumerated() {
            let perNode = evidence.perNode(rule: index)
            let all = RuleEvidenceLedger.Evidence.merged(perNode.values)
            switch rule.requirement {
            case .required:
                var nodeStatus: [String: String] = [:]
                for (node, e) in perNode { nodeStatus[node.description] = e.allFailed ? "attempted-but-failing" : "satisfied" }
                let status = perNode.isEmpty ? "not-seen" : (nodeStatus.values.contains("satisfied") ? "satisfied" : "attempted-but-failing")
                required.append(.init(rule: rule.id, status: status, feature: nil, purpose: rule.purpose, flows: all.flows,
                                      failedFlows: all.failed, destinations: all.destinationTexts, failures: all.failureTexts,
                                      nodes: perNode.count > 1 || status == "attempted-but-failing" ? nodeStatus : nil))
                // One finding per rule, naming the nodes whose every attempt failed.
                let failing = perNode.filter { $0.value.allFailed }.sorted { $0.key < $1.key }
                if !failing.isEmpty {
                    let failed = RuleEvidenceLedger.Evidence.merged(failing.map(\.value))
                    let from = perNode.count > 1 ? " from \(failing.map { $0.key.description }.joined(separator: ", "))" : ""
                    findings.append(.init(kind: .blockedRequired,
                                          summary: "required rule \(rule.id) (\(rule.purpose)): every attempt\(from) failed: \(failed.failureTexts.joined(separator: ", "))",
                                          rule: rule.id, destination: failed.destinationTexts.first, port: nil))
                }
                if status == "not-seen" {
                    findings.append(.init(kind: .requiredNotSeen, summary: "required rule \(rule.id) (\(rule.purpose)): no traffic seen",
                                          rule: rule.id, destination: nil, port: nil))
                }
            case .optional(let feature, let enabled):
                guard enabled else { continue }
                optional.append(.init(rule: rule.id, status: all.flows == 0 ? "unused" : "used", feature: feature, purpose: rule.purpose,
                                      flows: all.flows, failedFlows: all.failed, destinations: all.destinationTexts,
                                      failures: all.failureTexts, nodes: nil))
                if all.flows == 0 {
                    findings.append(.init(kind: .optionalUnused, summary: "optional rule \(rule.id) (feature \(feature)) carried no traffic",
                                          rule: rule.id, destination: nil, port: nil))
                }
            }
        }
        return (required, optional, findings)
    }

    /// The narrowest destination that allows an allowed flow: its name, else
    /// the service tag or prefix that allowed its address, else the address.
    static func suggestion(for c: ClassifiedFlow, _ evaluation: Evaluation) -> RuleSuggester.Item {
        let transport = c.record.key.transport == .tcp ? "tcp" : "udp"
        if let name = c.name { return .init(kind: "fqdn", value: name, transport: transport, port: c.port) }
        for m in evaluation.allowedBy {
            for reason in m.reasons {
                if case .serviceTag(let tag) = reason { return .init(kind: "serviceTag", value: tag, transport: transport, port: c.port) }
            }
        }
        let host = c.peer.isIPv4 ? "\(c.peer)/32" : "\(c.peer)/128"
        return .init(kind: "cidr", value: host, transport: transport, port: c.port)
    }

    static func verdictLine(_ counts: [AuditReport.Severity: Int]) -> String {
        func n(_ k: AuditReport.Severity) -> Int { counts[k] ?? 0 }
        var parts: [String] = []
        if n(.blockedRequired) > 0 { parts.append("\(n(.blockedRequired)) required rule\(n(.blockedRequired) == 1 ? "" : "s") blocked") }
        if n(.failingDNS) > 0 { parts.append("\(n(.failingDNS)) required name\(n(.failingDNS) == 1 ? "" : "s") failing in DNS") }
        if n(.undocumented) > 0 { parts.append("\(n(.undocumented)) undocumented destination\(n(.undocumented) == 1 ? "" : "s")") }
        if n(.wrongPort) > 0 { parts.append("\(n(.wrongPort)) on a wrong port") }
        if n(.nameMismatch) > 0 { parts.append("\(n(.nameMismatch)) name mismatch\(n(.nameMismatch) == 1 ? "" : "es")") }
        if n(.requiredNotSeen) > 0 { parts.append("\(n(.requiredNotSeen)) required rule\(n(.requiredNotSeen) == 1 ? "" : "s") never seen") }
        if parts.isEmpty { return "PASS: every egress flow is documented and every required rule was satisfied" }
        let fail = n(.blockedRequired) + n(.failingDNS) + n(.undocumented) + n(.wrongPort) + n(.nameMismatch) > 0
        return (fail ? "FAIL: " : "INCOMPLETE: ") + parts.joined(separator: ", ")
    }

    /// Decides direction, peer and name of one flow; nil for flows the audit
    /// does not judge (link-local multicast, traffic not to or from a node).
    /// Answers computed once per distinct question: many flows share a destination.
    struct Memo {
        /// A name by its interned ID (cheap to hash), not its text.
        struct Question: Hashable {
            let name: NameTable.NameID
            let address: IPAddress?
            let port: UInt16
            let transport: RuleTransport
            let direction: RuleDirection
        }
        var evaluationIndex: [Question: Int] = [:]
        var evaluations: [Evaluation] = []
        var serviceTags: [IPAddress: [String]] = [:]
        /// Name texts by ID (IDs are dense: an array, not a dictionary).
        var strings: [String?] = []
        /// Address and port texts, made once each: for display names and destination lists.
        var texts = DestinationTable.Texts()

        mutating func tags(_ address: IPAddress, _ catalog: ServiceTagCatalog) -> [String] {
            if let known = serviceTags[address] { return known }
            let found = catalog.tags(containing: address)
            serviceTags[address] = found
            return found
        }

        mutating func string(_ id: NameTable.NameID, _ names: NameTable) -> String? {
            if id.isNone { return nil }
            let slot = Int(id.rawValue)
            if slot < strings.count, let known = strings[slot] { return known }
            if slot >= strings.count { strings.append(contentsOf: repeatElement(nil, count: slot + 1 - strings.count)) }
            let text = names.string(id)
            strings[slot] = text
            return text
        }
    }

    func classify(_ r: FlowRecord, names: NameTable, nodes: [CIDR], memo: inout Memo) -> ClassifiedFlow? {
        let profile = self.profile
        let initiator = r.initiator, responder = r.responder
        if Self.isLinkLocalMulticast(responder.address) { return nil }
        let transport: RuleTransport = r.key.transport == .tcp ? .tcp : .udp
        func text(_ id: NameTable.NameID) -> String? { memo.string(id, names) }
        func evaluate(_ id: NameTable.NameID, _ name: String?, _ address: IPAddress?, _ port: UInt16, _ direction: RuleDirection) -> Int {
            let q = Memo.Question(name: id, address: address, port: port, transport: transport, direction: direction)
            if let known = memo.evaluationIndex[q] { return known }
            memo.evaluations.append(profile.evaluate(name: name, address: address, port: port, transport: transport, direction: direction))
            memo.evaluationIndex[q] = memo.evaluations.count - 1
            return memo.evaluations.count - 1
        }
        if nodes.contains(where: { $0.contains(initiator.address) }) {
            var name: String?, nameID = NameTable.NameID.none, source = AuditReport.NameSource.address, port = responder.port
            if let connect = text(r.connectTarget) {
                // Through a forward proxy: CONNECT names the real destination and port.
                name = connect; nameID = r.connectTarget; source = .connect; port = r.connectPort
            } else if let sni = text(r.sni) {
                name = sni; nameID = r.sni; source = .sni
            } else if let q = text(r.quicSNI) {
                name = q; nameID = r.quicSNI; source = .quicSNI
            } else if let host = text(r.httpHost) {
                name = host; nameID = r.httpHost; source = .httpHost
            } else if let d = text(r.dnsName) {
                name = d; nameID = r.dnsName; source = .dns
            }
            var mismatch: (String, String)?
            if source == .sni || source == .quicSNI, let n = name, let d = text(r.dnsName), d != n, !r.echPresent {
                mismatch = (n, d)
            }
            let address: IPAddress? = source == .connect ? nil : responder.address
            let evaluation = evaluate(nameID, name, address, port, .outbound)
            return ClassifiedFlow(record: r, direction: .outbound, peer: responder.address, port: port, name: name,
                                  nameSource: source, evaluationIndex: evaluation, mismatch: mismatch)
        }
        if nodes.contains(where: { $0.contains(responder.address) }) {
            let evaluation = evaluate(.none, nil, initiator.address, responder.port, .inbound)
            return ClassifiedFlow(record: r, direction: .inbound, peer: initiator.address, port: responder.port, name: nil,
                                  nameSource: .address, evaluationIndex: evaluation, mismatch: nil)
        }
        return nil
    }

    static func isLinkLocalMulticast(_ a: IPAddress) -> Bool {
        if a.isIPv4 {
            let v = a.ipv4
            return v >> 24 == 224 || v == 0xffff_ffff || (v >> 24 >= 224 && v >> 24 <= 239)
        }
        return a.high >> 56 == 0xff
    }
}

/// Flows grouped by destination for one verdict. Accumulates values, not
/// text: strings are made once per destination, when the report is built.
struct DestinationTable {
    private struct Key: Hashable {
        let direction: RuleDirection
        let display: String
    }
    fileprivate struct Port: Hashable, Comparable {
        let tcp: Bool
        let port: UInt16
        static func < (a: Port, b: Port) -> Bool { (a.tcp ? 0 : 1, a.port) < (b.tcp ? 0 : 1, b.port) }
        var text: String { "\(tcp ? "tcp" : "udp")/\(port)" }
    }
    private struct Entry {
        var nameSource: AuditReport.NameSource
        var addresses: Set<IPAddress> = []
        var ports: Set<Port> = []
        var serviceTags: Set<String> = []
        var rules: Set<String> = []
        /// Addresses whose tags, and evaluations whose rules, are already in.
        var taggedAddresses: Set<IPAddress> = []
        var evaluations: Set<Int> = []
        var lastPeer: IPAddress?
        var lastPort: Port?
        var lastEvaluation = -1
        var flows = 0, failedFlows = 0
        var bytesSent: UInt64 = 0, bytesReceived: UInt64 = 0
        var first = Int64.max, last = Int64.min
    }
    private var entries: [Key: Entry] = [:]

    /// Adds a flow; `rules` and `tags` are asked for only when its evaluation
    /// or its address is new to the destination (they depend on nothing else).
    mutating func add(_ c: Auditor.ClassifiedFlow, display: String, rules: () -> [String], tags: () -> [String]) {
        Self.count(c, rules: rules, tags: tags, into: &entries[Key(direction: c.direction, display: display), default: Entry(nameSource: c.nameSource)])
    }

    /// One flow into its destination's entry, in place (one hash lookup).
    private static func count(_ c: Auditor.ClassifiedFlow, rules: () -> [String], tags: () -> [String], into e: inout Entry) {
        // Most flows of a destination repeat its last address, port and
        // evaluation: those are checked first, the sets only when one changes.
        if c.peer != e.lastPeer {
            if c.nameSource != .connect { e.addresses.insert(c.peer) }
            if e.taggedAddresses.insert(c.peer).inserted {
                // `Internet` holds every public address: it names nothing an operator needs to see.
                for t in tags() where t != "Internet" { e.serviceTags.insert(t) }
            }
            e.lastPeer = c.peer
        }
        let port = Port(tcp: c.record.key.transport == .tcp, port: c.port)
        if port != e.lastPort {
            e.ports.insert(port)
            e.lastPort = port
        }
        if c.evaluationIndex != e.lastEvaluation {
            if e.evaluations.insert(c.evaluationIndex).inserted {
                for r in rules() { e.rules.insert(r) }
            }
            e.lastEvaluation = c.evaluationIndex
        }
        e.flows += 1
        if c.record.outcome.isFailure { e.failedFlows += 1 }
        e.bytesSent += c.record.fromInitiator.bytes
        e.bytesReceived += c.record.fromResponder.bytes
        e.first = min(e.first, c.record.firstSeen)
        e.last = max(e.last, c.record.lastSeen)
    }

    /// The destinations as the report lists them; `texts` keeps every
    /// address's and port's text made so far (most recur across destinations).
    func sorted(_ texts: inout Texts) -> [AuditReport.Destination] {
        entries.map { key, e in
            AuditReport.Destination(
                destination: key.display, nameSource: e.nameSource, addresses: e.addresses.sorted().map { texts.address($0) },
                ports: e.ports.sorted().map { texts.port($0) }, flows: e.flows, failedFlows: e.failedFlows, bytesSent: e.bytesSent,
                bytesReceived: e.bytesReceived, firstSeen: RFC3339.format(nanoseconds: e.first), lastSeen: RFC3339.format(nanoseconds: e.last),
                serviceTags: e.serviceTags.sorted(), rules: e.rules.sorted(), direction: key.direction.rawValue)
        }.sorted { ($0.direction, $0.destination) < ($1.direction, $1.destination) }
    }

    struct Texts {
        private var addresses: [IPAddress: String] = [:]
        private var ports: [Port: String] = [:]

        mutating func address(_ a: IPAddress) -> String {
            if let known = addresses[a] { return known }
            let text = a.description
            addresses[a] = text
            return text
        }

        fileprivate mutating func port(_ p: Port) -> String {
            if let known = ports[p] { return known }
            let text = p.text
            ports[p] = text
            return text
        }
    }
}
