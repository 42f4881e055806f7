/// An export: the target's text, and what it could not say exactly.
public struct ExportResult: Sendable {
    public var format: ExportFormat
    /// The file to hand to the target's tool.
    public var text: String
    /// A pattern or peer the target can only say wider than the rule: named, never silent.
    public var warnings: [ExportWarning]
    /// Peers the target cannot express at all, and why.
    public var untranslated: [Untranslated]

    public init(format: ExportFormat, text: String, warnings: [ExportWarning], untranslated: [Untranslated]) {
        self.format = format
        self.text = text
        self.warnings = warnings
        self.untranslated = untranslated
    }
}

public struct ExportWarning: Sendable, Hashable, CustomStringConvertible {
    public var rule: String
    public var message: String

    public init(rule: String, message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "rule \(rule): \(message)" }
}

public struct Untranslated: Sendable, Hashable, CustomStringConvertible {
    public var rule: String
    /// The peer as the rule names it (`fqdn *.blob.core.windows.net`, `serviceTag Storage`).
    public var peer: String
    public var reason: String

    public init(rule: String, peer: String, reason: String) {
        self.rule = rule
        self.peer = peer
        self.reason = reason
    }

    public var description: String { "rule \(rule): \(peer) not exported: \(reason)" }
}
