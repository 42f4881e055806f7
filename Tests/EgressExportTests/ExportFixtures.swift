import EgressAudit
import EgressExport
import EgressPolicy
import Foundation
import TestSupport
import Testing

/// The built-in profiles as the bundled demos deploy them (Captures/demo-*.findings.json),
/// and bare (no parameters, no tag file: placeholders left open, tags without addresses).
struct Deployment: CustomTestStringConvertible, Sendable {
    var profile: String
    var parameters: [String: String]
    var features: [String]
    var withTags: Bool

    var testDescription: String { withTags ? profile : "\(profile) (bare)" }

    static let demos: [Deployment] = [
        Deployment(profile: "apim-vnet", parameters: ["cloud": "public", "platform": "stv2", "region": "westus", "sku": "premium",
                                                      "virtual-network": "10.10.0.0/16", "vnet-mode": "internal"],
                   features: ["azure-monitor", "cert-chain"], withTags: true),
        Deployment(profile: "apim-self-hosted-gateway", parameters: ["apim-name": "contoso", "cloud": "public", "region": "westus",
                                                                     "vault-name": "contoso-kv"],
                   features: ["entra-id", "key-vault"], withTags: true),
        Deployment(profile: "cassandra-mi", parameters: ["cloud": "public", "region": "westus", "virtual-network": "10.10.0.0/16"],
                   features: [], withTags: true),
    ]
    /// A profile with its Azure Firewall FQDN tag rule on: aks's `firewall-fqdn-tag` (AzureKubernetesService, TCP 443).
    static let fqdnTagged: [Deployment] = [
        Deployment(profile: "aks", parameters: ["cloud": "public", "region": "westus"], features: ["firewall-fqdn-tag"], withTags: true),
    ]
    static let bare: [Deployment] = BuiltinProfiles.texts.map { Deployment(profile: $0.id, parameters: [:], features: [], withTags: false) }
    static let all = demos + fqdnTagged + bare

    static let catalog: ServiceTagCatalog = (try? ServiceTagSources.catalog(files: [SharedFolder.azurePublicServiceTags]))
        ?? ServiceTagCatalog(tags: [], sources: [])

    func compiled() throws -> CompiledProfile {
        let profile = try #require(BuiltinProfiles.profile(id: profile))
        let expanded = try profile.expand(parameters: parameters, features: Set(features))
        let vnet = (expanded.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) }
        let catalog = withTags ? try ServiceTagSources.catalog(files: [SharedFolder.azurePublicServiceTags], virtualNetwork: vnet)
            : ServiceTagCatalog(tags: [], sources: [], virtualNetwork: vnet)
        return CompiledProfile(expanded, catalog: catalog)
    }

    func export(_ format: ExportFormat) throws -> ExportResult {
        try RuleExporter.export(ExportInput(profile: try compiled()), as: format)
    }
}

enum ExportFixtures {
    static let repoRoot = RealCaptures.repositoryRoot
    static let demoReports = ["apim-self-hosted-gateway", "apim-vnet", "cassandra-mi"].map {
        repoRoot.appendingPathComponent("Captures/demo-\($0).expected.json").path
    }

    /// Writes `text` to a fresh temporary file named `name` and returns its path.
    static func write(_ text: String, name: String) throws -> String {
        let dir = try TestScratch.directory("egress-export")
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Runs a tool; standard output and error together, and the status.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]).map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The validator that owns `format`, on `path`: (valid, what it said).
    static func validate(_ format: ExportFormat, path: String) throws -> (valid: Bool, output: String) {
        switch format {
        case .azureFirewall, .nsg:
            let r = try run("/usr/bin/env", ["python3", repoRoot.appendingPathComponent("deploy/tools/validate-arm.py").path, path])
            return (r.status == 0, r.output)
        case .cilium, .networkpolicy:
            let r = try run("/usr/bin/env", ["python3", repoRoot.appendingPathComponent("deploy/tools/validate-manifests.py").path, path])
            return (r.status == 0, r.output)
        case .nftables:
            let unshare = try #require(which("unshare")), nft = try #require(which("nft"))
            let r = try run(unshare, ["-n", nft, "-c", "-f", path])
            return (r.status == 0, r.output)
        case .awsNetworkFirewall:
            Issue.record("no validator is checked in for \(format.rawValue)")
            return (false, "")
        }
    }
}
