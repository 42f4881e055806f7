import EgressPolicy

/// The profile the audit benchmarks judge the bulk capture by: the self-hosted
/// gateway's, with the features its traffic uses, and no service tag file
/// (the capture's addresses are made up).
public enum BenchmarkProfile {
    public static func audit() throws -> CompiledProfile {
        guard let profile = BuiltinProfiles.profile(id: "apim-self-hosted-gateway") else {
            fatalError("the built-in profile apim-self-hosted-gateway is missing")
        }
        return CompiledProfile(
            try profile.expand(parameters: ["apim-name": "contoso", "region": "westus"], features: ["entra-id", "storage", "app-insights"]),
            catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
    }
}
