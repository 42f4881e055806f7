import EgressAudit
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

/// The whole-file audit the benchmarks time: read, decode, track, name,
/// audit against `profile`, and the JSON report's text. Returns its length.
public enum BenchmarkAudit {
    public static func run(_ path: String, profile: CompiledProfile) throws -> Int {
        var analyzer = CaptureAnalyzer(keepsFlows: true)
        analyzer.read(path: path)
        analyzer.finish()
        return try report(analyzer, profile: profile)
    }

    /// The report stage alone, over an analysis already made.
    public static func report(_ analyzer: CaptureAnalyzer, profile: CompiledProfile) throws -> Int {
        let report = Auditor(profile: profile).audit(
            flows: analyzer.flows, names: analyzer.tracker.names, dns: Array(analyzer.tracker.dnsObservations),
            capture: analyzer.summary, nodes: [], serviceTagFiles: [])
        return try ReportOutput.json(report).utf8.count
    }
}
