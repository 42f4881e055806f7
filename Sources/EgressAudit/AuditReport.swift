/// The audit's answer, as data: schema version 3 (Schemas/audit-report.schema.json).
/// Version 3 added `profiles` and each rule status's and finding's `profile` (several
/// profiles audited at once).
/// Every list is sorted so two reports of the same input are identical and
/// two reports of different runs diff cleanly.
///
/// The report is also the audit's mergeable state: destinations, rule
/// evidence, name mismatches and DNS failures are aggregates that add up
/// (`AuditMerge`), and `findings` and `verdict` are derived from them
/// (`AuditFindings`), so a merged report is judged exactly as one run would be.
public struct AuditReport: Codable, Sendable, Equatable {
    public var schemaVersion = 3
    public var tool = "egress-audit"
    /// The version of egress-audit that wrote the report (`egress-audit --version`); absent in reports of
    /// versions before it was added. A merged report carries the version that merged.
    public var toolVersion: String? = ToolVersion.current
    /// One line: what an operator reads first.
    public var verdict: String
    /// The profile audited; for several, their composition (`a+b`, parameters `a.name`).
    public var profile: ProfileSummary
    /// Each profile audited, in the order given (one for a single profile).
    public var profiles: [ProfileSummary]
    public var nodes: NodeSelection
    public var findings: [Finding]
    /// Egress no rule allows, by destination.
    public var undocumented: [Destination]
    /// Egress allowed only on other ports or another transport.
    public var wrongPort: [Destination]
    /// Allowed egress, by destination.
    public var allowed: [Destination]
    /// DNS servers the nodes asked, when the profile documents no DNS rule:
    /// name-resolution evidence, not findings (168.63.129.16 is Azure's platform resolver).
    public var resolvers: [Destination]
    public var requiredRules: [RuleStatus]
    public var optionalRules: [RuleStatus]
    public var dnsFailures: [DNSFailure]
    public var warnings: [String]
    /// What to open, and nothing more, for the allowed egress seen (`--suggest-rules` prints it as a profile).
    public var suggestions: [RuleSuggester.Item]
    public var capture: CaptureSummary
    /// TLS/QUIC server names that disagree with the DNS answer for the same address.
    public var nameMismatches: [NameMismatch]
    /// How the audited flows divide: egress from a node, toward a node, neither.
    public var flowTotals: FlowTotals
    /// The busiest initiators (any address), most flows first: how nodes are chosen, and what a mistyped `--node` meant.
    public var initiators: [Initiator]
    /// The caps in force (`AuditLimits`).
    public var limits: [String: Int]
    /// Caps that were reached, and the flows that folded into groups because of them.
    public var overflow: [Overflow]

    public struct FlowTotals: Codable, Sendable, Equatable {
        public var outbound: Int
        public var inbound: Int
        /// Neither initiated by nor addressed to a node (or link-local multicast).
        public var notAudited: Int
    }

    public struct Initiator: Codable, Sendable, Equatable {
        public var address: String
        public var flows: Int
    }

    public struct Overflow: Codable, Sendable, Equatable {
        /// Which cap (an `AuditLimits` name).
        public var cap: String
        public var limit: Int
        /// Flows that went into a group (or a sample) because of it.
        public var flows: Int
    }

    public struct NameMismatch: Codable, Sendable, Equatable {
        public var address: String
        public var port: Int
        public var sni: String
        public var dns: String
        public var flows: Int
    }

    public struct ProfileSummary: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var parameters: [String: String]
        public var features: [String]
        public var serviceTagFiles: [String]
    }

    public struct NodeSelection: Codable, Sendable, Equatable {
        public var addresses: [String]
        /// "given with --node", or why these were chosen.
        public var how: String
    }

    public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
        case blockedRequired = "blocked-required"
        case failingDNS = "failing-dns"
        case undocumented
        case wrongPort = "wrong-port"
        case nameMismatch = "name-mismatch"
        case requiredNotSeen = "required-not-seen"
        case optionalUnused = "optional-unused"

        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

        /// Whether a finding of this kind makes the verdict FAIL (the others make it INCOMPLETE at most).
        public var failsVerdict: Bool {
            switch self {
            case .blockedRequired, .failingDNS, .undocumented, .wrongPort, .nameMismatch: true
            case .requiredNotSeen, .optionalUnused: false
            }
        }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public struct Finding: Codable, Sendable, Equatable {
        public var kind: Severity
        public var summary: String
        /// The rule it concerns, when there is one.
        public var rule: String?
        /// The destination (name, else address) and port it concerns, when there is one.
        public var destination: String?
        public var port: Int?
        /// The profile whose rule it concerns; for a destination no rule allows (or a name
        /// mismatch), the profile audited (`a+b` for several).
        public var profile: String? = nil
        /// Set when a `--baseline` covers it (a waiver's reason, or the baseline report): listed, but it does not trip `--fail-on`.
        public var known: String?
    }

    /// Where a destination's name came from, most trusted first.
    public enum NameSource: String, Codable, Sendable {
        case sni
        case quicSNI = "quic-sni"
        case httpHost = "http-host"
        /// `CONNECT host:port` through a forward proxy.
        case connect
        /// The DNS answer this client received for the address.
        case dns
        /// No name: the address alone.
        case address
        /// The FQDN a firewall's log gave (Azure Firewall application rules).
        case firewallLog = "firewall-log"
    }

    public struct Destination: Codable, Sendable, Equatable {
        /// The name the wire gave (SNI, QUIC SNI, HTTP Host, CONNECT, DNS), else the address.
        public var destination: String
        /// Where the name came from: sni, quic-sni, http-host, connect, dns, or address.
        public var nameSource: NameSource
        public var addresses: [String]
        public var ports: [String]
        public var flows: Int
        public var failedFlows: Int
        public var bytesSent: UInt64
        public var bytesReceived: UInt64
        public var firstSeen: String
        public var lastSeen: String
        /// Every service tag containing one of the addresses.
        public var serviceTags: [String]
        /// Rules that allow it (allowed), or name it on other ports (wrong-port).
        public var rules: [String]
        public var direction: String
        /// Distinct addresses; `addresses` lists a sample when there are more than the cap.
        public var addressCount: Int
        /// Nodes that reached it (a sample past the cap) and how many there were.
        public var nodes: [String]
        public var nodeCount: Int
        /// Distinct ports; `ports` lists a sample past the cap.
        public var portCount: Int
        /// Which of the counts are estimates (addresses, nodes, ports): set only past a cap.
        public var estimated: [String]?
        /// Failed flows by outcome (unanswered, refused, unreachable, prohibited).
        public var failures: [String: Int]
        /// Set for a group that destinations folded into past a cap:
        /// service-tag, prefix, parent-domain or rest.
        public var folded: String?
        /// Flows read from a firewall's or flow log: the device's own rules and actions
        /// for them ("Deny: policy/group/collection/rule"), beside the profile's `rules`;
        /// at most `DestinationAggregates.firewallRulesPerDestination`, first seen kept.
        public var firewallRules: [String]?
    }

    public struct RuleStatus: Codable, Sendable, Equatable {
        /// The rule's id; with several profiles, `profile/rule`.
        public var rule: String
        /// The profile the rule belongs to.
        public var profile: String
        /// satisfied | attempted-but-failing | not-seen (required); used | unused (optional).
        public var status: String
        public var feature: String?
        public var purpose: String
        public var flows: Int
        public var failedFlows: Int
        /// name:port of the destinations it allowed (at most `destinationsPerRule`).
        public var destinations: [String]
        public var failures: [RuleFailure]
        /// Node address → status (satisfied, attempted-but-failing) for every node that used the rule.
        public var nodes: [String: String]?
    }

    public struct RuleFailure: Codable, Sendable, Equatable {
        /// name:port
        public var destination: String
        public var outcome: String
        public var flows: Int

        public var text: String { "\(destination) \(outcome) ×\(flows)" }
    }

    public struct DNSFailure: Codable, Sendable, Equatable {
        public var name: String
        public var rcode: String
        /// Rules whose destinations this name would have been (required ones first).
        public var rules: [String]
        public var required: Bool
    }
}
