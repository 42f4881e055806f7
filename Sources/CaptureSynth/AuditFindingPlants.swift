import Foundation

/// Ground truth of an audit demonstration: what the generator planted for one profile, written from the
/// generator's side only (CaptureSynth does not import EgressPolicy). Rule ids and service tags are
/// transcribed by hand from the built-in profile's YAML; addresses come from the Azure Public service-tag
/// file named in `serviceTagFile`. A golden audit test compares the engine's findings with this list.
public struct AuditFindingPlants: Codable, Sendable, Equatable {
    public var scenario: String
    public var seed: UInt64
    /// Built-in profile the capture is meant to be audited against.
    public var profile: String
    /// `--param K=V` values the demo is meant for.
    public var parameters: [String: String]
    /// Features to enable (`--feature`); rules of other features are not expected in any finding.
    public var features: [String]
    /// The audited nodes (`--node`): every flow they initiate is egress.
    public var nodes: [AuditNodePlant]
    /// The resolver the nodes ask; its DNS traffic is name resolution, audited only where the profile has a DNS rule.
    public var resolver: String
    /// Service-tag file the cited prefixes and containing tags come from (under `/work/shared/data/azure/` at build time).
    public var serviceTagFile: String
    /// How the statuses below were decided, so that the engine's rules can be compared with the same reading.
    public var semantics: [String]
    /// Every planted finding and every planted allowed flow, in the order the capture contains them.
    public var findings: [AuditFindingPlant]
    /// Every required rule of the expanded profile (for these parameters) and the status the capture gives it.
    public var requiredRules: [AuditRuleStatusPlant]
    /// Every optional rule of the enabled features and whether the capture uses it.
    public var optionalRules: [AuditRuleStatusPlant]
}

public struct AuditNodePlant: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
}

public struct AuditFindingPlant: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Not a finding: required traffic that succeeded (evidence for `satisfied`).
        case allowedRequired
        /// Not a finding: traffic of an enabled feature's optional rule.
        case allowedOptional
        /// Every attempt at a required destination failed: unanswered SYNs or ICMP administratively prohibited.
        case blockedRequired
        /// Nothing in the profile allows the destination (by name or by address).
        case undocumented
        /// The destination is allowed, but not on this port or transport.
        case wrongPort
        /// A required rule with no traffic at all.
        case requiredNeverSeen
        /// An enabled feature's optional rule with no traffic.
        case unusedOptional
        /// The resolver answered NXDOMAIN or SERVFAIL for a name a rule needs.
        case failingDNS
        /// The TLS SNI names one host while this client's DNS answer for the address named another.
        case nameMismatch
    }

    public var kind: Kind
    /// The rule the item concerns (nil for undocumented and name-mismatch destinations).
    public var rule: String?
    /// Other required or enabled rules the same evidence concerns (a flow meets every rule that allows it;
    /// a wrong-port destination is allowed on other ports by each of these).
    public var alsoRules: [String]?
    /// Name the engine should give the destination (SNI, else HTTP Host, else this client's DNS answer).
    public var name: String?
    /// The other name of a mismatch: what DNS said for the address.
    public var dnsName: String?
    public var address: String?
    public var port: UInt16?
    public var transport: String?
    /// For service-tag evidence: the tag and the prefix of the tag file that holds `address`.
    public var serviceTag: ServiceTagCitation?
    /// Every tag of `serviceTagFile` that contains `address`, sorted (what the report can say the address is).
    public var containingTags: [String]?
    /// DNS response code for `failingDNS` (`nameError` = NXDOMAIN, `serverFailure` = SERVFAIL).
    public var rcode: String?
    /// The planted flows that make up this item (empty for never-seen and unused rules, and DNS failures).
    public var flows: [AuditFlowReference]
    public var why: String
}

public struct ServiceTagCitation: Codable, Sendable, Equatable {
    public var tag: String
    public var prefix: String
}

/// Points at one flow of the plant list: the 5-tuple and the outcome it was planted with.
public struct AuditFlowReference: Codable, Sendable, Equatable {
    public var node: String
    public var transport: String
    public var client: String
    public var clientPort: UInt16
    public var server: String
    public var serverPort: UInt16
    public var outcome: PlantFlow.Outcome

    init(_ flow: PlantFlow) {
        node = flow.node; transport = flow.transport; client = flow.client; clientPort = flow.clientPort
        server = flow.server; serverPort = flow.serverPort; outcome = flow.outcome
    }

    public func matches(_ flow: PlantFlow) -> Bool {
        flow.node == node && flow.transport == transport && flow.client == client && flow.clientPort == clientPort
            && flow.server == server && flow.serverPort == serverPort && flow.outcome == outcome
    }
}

public struct AuditRuleStatusPlant: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case satisfied
        case attemptedButFailing
        case notSeen
        case used
        case unused
    }
    public var rule: String
    public var status: Status
    /// Per-node status where nodes differ (a rule satisfied on one node and failing on another).
    public var nodes: [String: Status]?
}

extension AuditFindingPlants {
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func decode(from data: Data) throws -> AuditFindingPlants { try JSONDecoder().decode(AuditFindingPlants.self, from: data) }
}
