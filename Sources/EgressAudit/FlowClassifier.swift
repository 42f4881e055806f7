import EgressPolicy
import FastHashing
import FlowEngine
import PacketWire

/// Decides, for one flow as it leaves the tracker, which way it goes (egress
/// from a node, or toward one), which peer and port it concerns, which name it
/// carried and from where, and what the profile says of it.
///
/// Names are taken in order of trust: the CONNECT target, the TLS or QUIC
/// server name, the HTTP Host, else the name this client's DNS answer gave for
/// the address. When SNI and DNS disagree the flow is a name mismatch and both
/// are kept, not guessed between.
///
/// The profile's answer depends only on the name, the set of the profile's
/// prefixes containing the address (`CompiledProfile.addressMatchSet`), port,
/// transport and direction, so answers are remembered per such question: a
/// flood to ten million addresses asks a handful of questions. The memory is
/// bounded (`AuditLimits.memoizedQuestions`): when full it starts over.
struct FlowClassifier {
    let profile: CompiledProfile
    private(set) var nodes: [CIDR] { didSet { nodeMatcher = NodeMatcher(nodes) } }
    private var nodeMatcher: NodeMatcher
    private let memoLimit: Int
    /// Questions the memo has room for from the start (128 KiB of slots; growing from 1,024 rehashed
    /// three times on per-flow traffic); it grows past this up to `memoLimit`.
    static let initialQuestions = 8_192
    private var questions = FixedKeyMap<Question, Int32>(minimumCapacity: initialQuestions, seed: FastHash.randomSeed())
    /// The last question asked and its answer: a flood asks the same one for every flow (-1: none yet).
    private var lastQuestion = Question(name: 0, addressSet: 0, port: 0, transport: .any, direction: .both)
    private var lastAnswer: Int32 = -1
    private(set) var answers: [Answer] = []
    /// Per answer, the destination entry its last flow folded into when the aggregates said it was
    /// the destination's own (-1: none to remember), and that flow's peer. The entry's key (table,
    /// direction, name) is a function of the question, and for an unnamed destination of the question
    /// and the peer: a flow of the same answer (and, unnamed, the same peer) skips the destinations' index.
    private var answerDestinations: [(entry: Int32, peer: IPAddress)] = []

    /// One flow, classified: IDs and values only (no text is made per flow).
    struct Flow {
        let direction: RuleDirection
        let peer: IPAddress
        let port: UInt16
        let name: NameTable.NameID
        let nameSource: AuditReport.NameSource
        let answer: Int32
        /// The DNS answer's name when it disagrees with the TLS/QUIC server name (`name`); else none.
        let mismatchDNS: NameTable.NameID
    }

    /// What the profile says of one question, kept in the forms the aggregates fold: values only,
    /// the same whichever classifier (and memo) gave them.
    struct Answer: Equatable {
        let verdict: Evaluation.Verdict
        /// The rules the destination's table lists: allowing (allowed), naming
        /// it on other ports (wrong port), or of disabled features.
        let listed: RuleSet
        /// Enabled rules allowing it: the evidence for rule statuses.
        let allowedBy: RuleSet
        /// The first service tag that allowed it (index into the catalog's tags, -1: none);
        /// `SuggestedTags` narrows it per address.
        let allowingTag: Int32
    }

    /// Everything the profile's answer depends on, in two words.
    struct Question: FastHashable {
        let name: Int32
        /// `CompiledProfile.addressMatchSet`, or `UInt32.max` for "no address" (CONNECT).
        let addressSet: UInt32
        let port: UInt16
        let transport: RuleTransport
        let direction: RuleDirection

        @inline(__always)
        func mix(into hash: inout FastHash.Accumulator) {
            let t: UInt64 = transport == .tcp ? 1 : transport == .udp ? 2 : 3
            let d: UInt64 = direction == .outbound ? 1 : direction == .inbound ? 2 : 3
            hash.mix(UInt64(UInt32(bitPattern: name)) << 32 | UInt64(addressSet))
            hash.mix(UInt64(port) | t << 16 | d << 24)
        }
    }

    init(profile: CompiledProfile, nodes: [CIDR], memoLimit: Int) {
        self.profile = profile
        self.nodes = nodes
        nodeMatcher = NodeMatcher(nodes)
        self.memoLimit = memoLimit
        answers.reserveCapacity(Swift.min(memoLimit, Self.initialQuestions))
        answerDestinations.reserveCapacity(Swift.min(memoLimit, Self.initialQuestions))
    }

    mutating func choose(nodes: [CIDR]) { self.nodes = nodes }

    /// Remembers `entry` as the destination entry of a flow of answer `answer` to `peer` (`answerDestinations`).
    mutating func rememberDestination(_ entry: Int32, peer: IPAddress, of answer: Int32) { answerDestinations[Int(answer)] = (entry, peer) }

    /// The destination entry remembered for a flow of `answer` to `peer` (named or not), or -1.
    @inline(__always)
    func rememberedDestination(of answer: Int32, named: Bool, peer: IPAddress) -> Int32 {
        let d = answerDestinations[Int(answer)]
        return named || d.peer == peer ? d.entry : -1
    }

    @inline(__always)
    func isNode(_ a: IPAddress) -> Bool { nodeMatcher.contains(a) }

    /// The nodes as asked per flow (twice for most flows): IPv4 prefixes as
    /// (network, mask) words scanned in place, as are a few single hosts;
    /// many single hosts in a set; IPv6 prefixes scanned.
    struct NodeMatcher {
        private var hosts = FixedKeyMap<IPAddress, Void>()
        private var v4: [(network: UInt32, mask: UInt32)] = []
        private var v6: [CIDR] = []
        /// Single hosts beyond this many go into `hosts` (a scan of a few words costs less than a hash).
        static let scannedHosts = 16

        init(_ nodes: [CIDR]) {
            let manyHosts = nodes.count { $0.isSingleAddress } > Self.scannedHosts
            for n in nodes {
                if manyHosts, n.isSingleAddress {
                    hosts.set(n.address, ())
                } else if n.isIPv4 {
                    // The prefix's mask is the all-ones address masked to its length (CIDR's one masking).
                    v4.append((n.address.ipv4, CIDR.mask(IPAddress(ipv4: ~0), n.prefixLength).ipv4))
                } else {
                    v6.append(n)
                }
            }
        }

        @inline(__always)
        func contains(_ a: IPAddress) -> Bool {
            if !hosts.isEmpty, hosts.index(forKey: a) != nil { return true }
            if a.isIPv4 {
                let v = a.ipv4
                for p in v4 where v & p.mask == p.network { return true }
                return false
            }
            for n in v6 where n.contains(a) { return true }
            return false
        }
    }

    /// Nil for flows the audit does not judge: link-local multicast, or neither end a node.
    mutating func classify(_ r: FlowRecord, names: NameTable) -> Flow? {
        let initiator = r.initiator, responder = r.responder
        if Self.isLinkLocalMulticast(responder.address) { return nil }
        let transport: RuleTransport = r.key.transport == .tcp ? .tcp : .udp
        if isNode(initiator.address) {
            var name = NameTable.NameID.none, source = AuditReport.NameSource.address, port = responder.port
            if !r.connectTarget.isNone {
                // Through a forward proxy: CONNECT names the real destination and port.
                name = r.connectTarget; source = .connect; port = r.connectPort
            } else if !r.sni.isNone {
                name = r.sni; source = .sni
            } else if !r.quicSNI.isNone {
                name = r.quicSNI; source = .quicSNI
            } else if !r.httpHost.isNone {
                name = r.httpHost; source = .httpHost
            } else if !r.loggedName.isNone {
                name = r.loggedName; source = .firewallLog
            } else if !r.dnsName.isNone {
                name = r.dnsName; source = .dns
            }
            var mismatch = NameTable.NameID.none
            if source == .sni || source == .quicSNI, !r.dnsName.isNone, r.dnsName != name, !r.echPresent { mismatch = r.dnsName }
            // Through a proxy the address is the proxy's; from an application-rule log there is none.
            let address: IPAddress? = source == .connect || !r.responderAddressKnown ? nil : responder.address
            let answer = self.answer(name, address, port, transport, .outbound, names)
            return Flow(direction: .outbound, peer: responder.address, port: port, name: name, nameSource: source, answer: answer,
                        mismatchDNS: mismatch)
        }
        if isNode(responder.address) {
            let answer = self.answer(.none, initiator.address, responder.port, transport, .inbound, names)
            return Flow(direction: .inbound, peer: initiator.address, port: responder.port, name: .none, nameSource: .address,
                        answer: answer, mismatchDNS: .none)
        }
        return nil
    }

    private mutating func answer(_ name: NameTable.NameID, _ address: IPAddress?, _ port: UInt16, _ transport: RuleTransport,
                                 _ direction: RuleDirection, _ names: NameTable) -> Int32 {
        let set = address.map { profile.addressMatchSet($0) } ?? UInt32.max
        let q = Question(name: name.rawValue, addressSet: set, port: port, transport: transport, direction: direction)
        if lastAnswer >= 0 && q == lastQuestion { return lastAnswer }
        if let known = questions[q] {
            lastQuestion = q
            lastAnswer = known
            return known
        }
        if answers.count >= memoLimit {
            questions.removeAll(keepingCapacity: true)
            answers.removeAll(keepingCapacity: true)
            answerDestinations.removeAll(keepingCapacity: true)
        }
        let compiled = profile
        let decision = compiled.decide(name: name.isNone ? nil : names.bytes(name), address: address, port: port, transport: transport,
                                       direction: direction)
        answers.append(answer(decision))
        answerDestinations.append((-1, IPAddress(ipv4: 0)))
        let index = Int32(answers.count - 1)
        questions.set(q, index)
        lastQuestion = q
        lastAnswer = index
        return index
    }

    /// A memo miss: the decision in the forms the aggregates fold.
    private func answer(_ d: CompiledProfile.Decision) -> Answer {
        let verdict = d.verdict
        let listed: RuleSet
        switch verdict {
        case .allowed: listed = d.allowedBy
        case .wrongPort: listed = d.otherPorts
        case .allowedIfFeatureEnabled: listed = d.allowedIfEnabled
        case .undocumented: listed = RuleSet()
        }
        return Answer(verdict: verdict, listed: listed, allowedBy: d.allowedBy, allowingTag: d.allowingTag)
    }

    static func isLinkLocalMulticast(_ a: IPAddress) -> Bool {
        if a.isIPv4 {
            let v = a.ipv4
            return v == 0xffff_ffff || (v >> 24 >= 224 && v >> 24 <= 239)
        }
        return a.high >> 56 == 0xff
    }
}
