/// Which way a rule's traffic is initiated, seen from the audited node or subnet.
public enum RuleDirection: String, Sendable, Hashable, CaseIterable {
    case outbound
    case inbound
    /// The documents' "Inbound & Outbound" rows (e.g. VirtualNetwork ↔ VirtualNetwork 6380).
    case both
}

/// Transport protocol a rule allows.
public enum RuleTransport: String, Sendable, Hashable, CaseIterable {
    case tcp
    case udp
    case any
}

/// An inclusive port range; a single port is `lower == upper`.
public struct PortRange: Sendable, Hashable, CustomStringConvertible {
    public let lower: UInt16
    public let upper: UInt16

    public init?(lower: Int, upper: Int) {
        guard 1 <= lower, lower <= upper, upper <= 65535 else { return nil }
        self.lower = UInt16(lower)
        self.upper = UInt16(upper)
    }

    public init?(_ port: Int) {
        self.init(lower: port, upper: port)
    }

    public func contains(_ port: UInt16) -> Bool {
        lower <= port && port <= upper
    }

    public var description: String {
        lower == upper ? "\(lower)" : "\(lower)-\(upper)"
    }
}

/// Ports a rule allows: `any`, or a list of single ports and ranges.
public enum PortSpec: Sendable, Hashable, CustomStringConvertible {
    case any
    case ranges([PortRange])

    public func contains(_ port: UInt16) -> Bool {
        switch self {
        case .any: return true
        case .ranges(let ranges): return ranges.contains { $0.contains(port) }
        }
    }

    public var description: String {
        switch self {
        case .any: return "any"
        case .ranges(let ranges): return ranges.map(\.description).joined(separator: ",")
        }
    }
}

/// A source or destination as the documents name it. Kept as validated text so the
/// matchers (FQDN trie, prefix trie, service-tag catalog) can compile it later.
public enum ProfileEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A host name or wildcard pattern in the profile's dialect; may contain placeholders.
    case fqdn(String)
    /// An Azure service tag or NSG keyword (`Storage.WestUS`, `VirtualNetwork`); may contain placeholders.
    case serviceTag(String)
    /// An IPv4/IPv6 address or prefix (`52.224.186.99`, `10.0.0.0/16`).
    case cidr(String)
    /// An Azure Firewall FQDN tag (`AzureKubernetesService`, `WindowsUpdate`): a named set of
    /// host names Microsoft maintains. Matched by the names Microsoft publishes for it
    /// (`FirewallFQDNTags`); where those are not the whole tag, the rule is not fully expandable.
    case fqdnTag(String)

    public var kind: String {
        switch self {
        case .fqdn: return "fqdn"
        case .serviceTag: return "serviceTag"
        case .cidr: return "cidr"
        case .fqdnTag: return "fqdnTag"
        }
    }

    public var value: String {
        switch self {
        case .fqdn(let text), .serviceTag(let text), .cidr(let text), .fqdnTag(let text): return text
        }
    }

    public var description: String { "\(kind): \(value)" }
}

/// Where in a published document a rule comes from, so every rule is traceable to a row.
public struct SourceReference: Sendable, Hashable {
    /// Id of one of the profile's `source` documents.
    public var document: String
    /// Name of the table in that document (profile-defined, e.g. `stv2-ports`), nil for prose.
    public var table: String?
    /// 1-based data row within `table`.
    public var row: Int?
    /// Which answer of a Q&A thread (`accepted`, `assist`), when the document is one.
    public var answer: String?
    /// The words of the document this rule rests on, quoted verbatim.
    public var text: String?

    public init(document: String, table: String? = nil, row: Int? = nil, answer: String? = nil, text: String? = nil) {
        self.document = document
        self.table = table
        self.row = row
        self.answer = answer
        self.text = text
    }
}

/// `when:` — the rule applies only if the parameter's value is one of `values`.
public struct RuleCondition: Sendable, Hashable, CustomStringConvertible {
    public var parameter: String
    public var values: [String]

    public init(parameter: String, values: [String]) {
        self.parameter = parameter
        self.values = values
    }

    public var description: String { "\(parameter)=\(values.joined(separator: "|"))" }
}

/// One allowed flow of a profile, as written (placeholders not yet filled).
public struct ProfileRule: Sendable, Hashable {
    public var id: String
    public var direction: RuleDirection
    /// Who initiates; for outbound rules usually empty (the audited node itself).
    public var sources: [ProfileEndpoint]
    /// Empty: any destination (`destinations: any`, the documents' "*").
    public var destinations: [ProfileEndpoint]
    public var ports: PortSpec
    public var transport: RuleTransport
    /// Required for the service to work, or optional behind `feature`.
    public var required: Bool
    public var feature: String?
    public var conditions: [RuleCondition]
    public var purpose: String
    public var note: String?
    public var references: [SourceReference]

    public init(
        id: String, direction: RuleDirection, sources: [ProfileEndpoint] = [], destinations: [ProfileEndpoint],
        ports: PortSpec, transport: RuleTransport, required: Bool, feature: String? = nil,
        conditions: [RuleCondition] = [], purpose: String, note: String? = nil, references: [SourceReference] = []
    ) {
        self.id = id
        self.direction = direction
        self.sources = sources
        self.destinations = destinations
        self.ports = ports
        self.transport = transport
        self.required = required
        self.feature = feature
        self.conditions = conditions
        self.purpose = purpose
        self.note = note
        self.references = references
    }
}
