/// A profile shipped inside the binary: the YAML file of
/// `Sources/EgressPolicy/BuiltinProfiles/Profiles/<id>.yaml`, embedded at build time
/// (SwiftPM `embedInCode`), so the schema, linters and reviewers see a YAML file and
/// the binary needs no resource bundle beside it.
public struct BuiltinProfileText: Sendable {
    public let id: String
    public let yaml: String

    init(id: String, bytes: [UInt8]) {
        self.id = id
        self.yaml = String(decoding: bytes, as: UTF8.self)
    }

    /// Name used for the text in error messages (`builtin:apim-vnet.yaml`).
    public var fileName: String { "builtin:\(id).yaml" }

    /// Where the file lives in the package.
    public var packagePath: String { "Sources/EgressPolicy/BuiltinProfiles/Profiles/\(id).yaml" }

    public func load() throws(ProfileValidationErrors) -> Profile {
        try ProfileLoader.load(text: yaml, file: fileName)
    }
}

/// The registry of built-in profiles.
public enum BuiltinProfiles {
    /// Sources in listing order (Package.swift's `builtinProfiles` embeds the same files).
    public static let texts: [BuiltinProfileText] = [
        BuiltinProfileText(id: "apim-vnet", bytes: PackageResources.apim_vnet_yaml),
        BuiltinProfileText(id: "apim-self-hosted-gateway", bytes: PackageResources.apim_self_hosted_gateway_yaml),
        BuiltinProfileText(id: "cassandra-mi", bytes: PackageResources.cassandra_mi_yaml),
        BuiltinProfileText(id: "aks", bytes: PackageResources.aks_yaml),
        BuiltinProfileText(id: "spring-apps", bytes: PackageResources.spring_apps_yaml),
        BuiltinProfileText(id: "container-apps", bytes: PackageResources.container_apps_yaml),
        BuiltinProfileText(id: "avd-session-host", bytes: PackageResources.avd_session_host_yaml),
        BuiltinProfileText(id: "arc-servers", bytes: PackageResources.arc_servers_yaml),
        BuiltinProfileText(id: "azure-ml", bytes: PackageResources.azure_ml_yaml),
        BuiltinProfileText(id: "hdinsight", bytes: PackageResources.hdinsight_yaml),
        BuiltinProfileText(id: "databricks", bytes: PackageResources.databricks_yaml),
        BuiltinProfileText(id: "app-service-environment-v3", bytes: PackageResources.app_service_environment_v3_yaml),
    ]

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
