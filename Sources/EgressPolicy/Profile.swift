/// How FQDN patterns of a profile are to be read. Products disagree on what `*.a.com`
/// means, so a profile names the product whose documents it transcribes.
public enum FQDNDialect: String, Sendable, Hashable, CaseIterable {
    /// Azure Firewall application rules: a leftmost `*` label stands for one or more
    /// labels; the apex (`a.com` for `*.a.com`) is not matched.
    case azureFirewall = "azure-firewall"
}

/// A published document a profile transcribes.
public struct ProfileDocument: Sendable, Hashable {
    /// Short id rules cite in `source.document`.
    public var id: String
    public var url: String?
    public var title: String?

    public init(id: String, url: String? = nil, title: String? = nil) {
        self.id = id
        self.url = url
        self.title = title
    }
}

/// The documented network needs of one service: parameters that tailor it, optional
/// features, and the rules, each traceable to the document row it came from.
public struct Profile: Sendable, Hashable {
    public var id: String
    public var title: String
    public var documents: [ProfileDocument]
    public var dialect: FQDNDialect
    public var summary: String?
    public var parameters: [ProfileParameter]
    public var features: [ProfileFeature]
    public var rules: [ProfileRule]

    public init(
        id: String, title: String, documents: [ProfileDocument], dialect: FQDNDialect, summary: String? = nil,
        parameters: [ProfileParameter], features: [ProfileFeature], rules: [ProfileRule]
    ) {
        self.id = id
        self.title = title
        self.documents = documents
        self.dialect = dialect
        self.summary = summary
        self.parameters = parameters
        self.features = features
        self.rules = rules
    }

    public func parameter(named name: String) -> ProfileParameter? {
        parameters.first { $0.name == name }
    }

    public func feature(named name: String) -> ProfileFeature? {
        features.first { $0.name == name }
    }

    public func rule(id: String) -> ProfileRule? {
        rules.first { $0.id == id }
    }
}
