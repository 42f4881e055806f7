/// A profile shipped inside the binary, kept as the YAML an operator would write.
public struct BuiltinProfileText: Sendable {
    public let id: String
    public let yaml: String

    /// Name used for the text in error messages (`builtin:apim-vnet.yaml`).
    public var fileName: String { "builtin:\(id).yaml" }

    public func load() throws(ProfileValidationErrors) -> Profile {
        try ProfileLoader.load(text: yaml, file: fileName)
    }
}

/// The registry of built-in profiles.
public enum BuiltinProfiles {
    /// Sources in listing order.
    public static let texts: [BuiltinProfileText] = [apimVNet, apimSelfHostedGateway, cassandraMI]

    /// Every built-in profile that loads (all of them; the tests keep it that way).
    public static let all: [Profile] = texts.compactMap { try? $0.load() }

    /// The built-in profile with `id`, or nil. Loads that one only: the
    /// YAML of all of them takes longer to read than a small capture.
    public static func profile(id: String) -> Profile? {
        guard let text = text(id: id) else { return nil }
        return try? text.load()
    }

    public static func text(id: String) -> BuiltinProfileText? {
        texts.first { $0.id == id }
    }
}
