import CaptureRuntime
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
        var analyzer = CapturePipeline(audit: AuditAccumulator(profile: profile, nodes: []))
        analyzer.read(path: path)
        analyzer.finish()
        return try report(analyzer)
    }

    /// The report stage alone (render and JSON text), over an audit already folded.
    public static func report(_ analyzer: CapturePipeline) throws -> Int {
        guard let report = analyzer.auditReport(serviceTagFiles: []) else { return 0 }
        return try ReportOutput.json(report).utf8.count
    }
}
