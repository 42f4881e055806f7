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
    /// The document's own date as it states it (Microsoft Learn's `ms.date`), `YYYY-MM-DD`.
    public var date: String?
    /// The part of the document transcribed (a heading), when not all of it.
    public var section: String?

    public init(id: String, url: String? = nil, title: String? = nil, date: String? = nil, section: String? = nil) {
        self.id = id
        self.url = url
        self.title = title
        self.date = date
        self.section = section
    }
}

/// A table row of a source document the profile deliberately does not turn into a rule
/// (inbound-only rows of an egress table, prose alternatives, rows too vague to match),
/// with the reason: completeness checks count it as accounted for.
public struct UnmodelledRow: Sendable, Hashable {
    public var document: String
    public var table: String
    public var row: Int
    public var reason: String
    /// Words of the row, quoted verbatim.
    public var text: String?

    public init(document: String, table: String, row: Int, reason: String, text: String? = nil) {
        self.document = document
        self.table = table
        self.row = row
        self.reason = reason
        self.text = text
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
    /// When the profile was transcribed from its documents, `YYYY-MM-DD`.
    public var transcribed: String?
    /// Source rows deliberately left out, each with its reason.
    public var unmodelled: [UnmodelledRow]

    public init(
        id: String, title: String, documents: [ProfileDocument], dialect: FQDNDialect, summary: String? = nil,
        parameters: [ProfileParameter], features: [ProfileFeature], rules: [ProfileRule], transcribed: String? = nil,
        unmodelled: [UnmodelledRow] = []
    ) {
        self.id = id
        self.title = title
        self.documents = documents
        self.dialect = dialect
        self.summary = summary
        self.parameters = parameters
        self.features = features
        self.rules = rules
        self.transcribed = transcribed
        self.unmodelled = unmodelled
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
