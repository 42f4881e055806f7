import ArgumentParser
import EgressPolicy
import Foundation

/// The profile options `explain`, `analyze` and `live` share, with the same meaning everywhere.
/// `--profile` is optional here so `analyze` can run without one; `compile()` requires it.
struct PolicyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A built-in profile id (see `profiles list`) or a profile file (.yaml, .yml, .json).", valueName: "id|file"))
    var profile: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A profile parameter, e.g. --param region=westus (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    @Option(name: .customLong("feature"), help: ArgumentHelp("Enable an optional feature of the profile (repeatable).", valueName: "name"))
    var features: [String] = []

    @Option(
        name: .customLong("service-tags"),
        help: ArgumentHelp(
            "A service tag or IP range file: Azure ServiceTags_*.json, AWS ip-ranges.json, GCP cloud.json (repeatable). "
                + "Without one only AzureLoadBalancer, VirtualNetwork, Internet and CIDR rules match addresses.",
            valueName: "file"))
    var serviceTagFiles: [String] = []

    /// `--param` values by name; a value not of the form name=value is bad
    /// input (status 1, one line), like every other profile error here.
    func parameterValues() throws -> [String: String] {
        var values: [String: String] = [:]
        for parameter in parameters {
            guard let eq = parameter.firstIndex(of: "="), eq != parameter.startIndex else {
                throw failure("--param expects name=value, found \"\(parameter)\"")
            }
            values[String(parameter[..<eq])] = String(parameter[parameter.index(after: eq)...])
        }
        return values
    }

    /// Loads, expands and compiles the profile against the tag files, printing
    /// its warnings on standard error. Bad input prints its errors and exits 1.
    func compile(printWarnings: Bool = true) throws -> CompiledProfile {
        guard profile != nil else { throw failure("--profile is required: a built-in id (\(BuiltinProfiles.texts.map(\.id).joined(separator: ", "))) or a profile file") }
        let values = try parameterValues()
        let profile = try loadProfile()
        let expanded: ExpandedProfile
        do {
            expanded = try profile.expand(parameters: values, features: Set(features))
        } catch {
            throw failure(error.description)
        }
        let virtualNetwork = (expanded.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) }
        let catalog: ServiceTagCatalog
        do {
            catalog = try ServiceTagSources.catalog(files: serviceTagFiles, virtualNetwork: virtualNetwork)
        } catch {
            throw failure(error.description)
        }
        let compiled = CompiledProfile(expanded, catalog: catalog)
        if printWarnings {
            for stale in staleTagWarnings { Diagnostics.warning(stale) }
            for line in PolicyOptions.summarize(compiled.warnings) { Diagnostics.warning(line) }
        }
        return compiled
    }

    /// One line per service tag file older than `ServiceTagSources.staleAfterDays`.
    var staleTagWarnings: [String] { serviceTagFiles.compactMap { ServiceTagSources.staleness(of: $0) } }

    private func loadProfile() throws -> Profile {
        let profile = self.profile ?? ""
        if let text = BuiltinProfiles.text(id: profile) {
            do { return try text.load() } catch { throw failure(error.description) }
        }
        guard FileManager.default.fileExists(atPath: profile) else {
            let ids = BuiltinProfiles.texts.map(\.id).joined(separator: ", ")
            throw failure("--profile \"\(profile)\" is neither a built-in profile (\(ids)) nor an existing file")
        }
        do { return try ProfileLoader.load(path: profile) } catch { throw failure(error.description) }
    }

    /// Prints `message` and gives the error that ends the command with status 1.
    private func failure(_ message: String) -> ExitCode {
        Diagnostics.error(message)
        return ExitCode(1)
    }

    /// One line per warning, except undecided conditions, grouped per parameter
    /// (an unset region keeps every region's control-plane rule: dozens of lines).
    static func summarize(_ warnings: [CompileWarning]) -> [String] {
        var lines: [String] = []
        var undecided: [String: [String]] = [:]
        var order: [String] = []
        for warning in warnings {
            if case .expansion(.conditionUndetermined(let rule, let parameter)) = warning {
                if undecided[parameter] == nil { order.append(parameter) }
                undecided[parameter, default: []].append(rule)
            } else {
                lines.append(warning.description)
            }
        }
        for parameter in order {
            let rules = undecided[parameter] ?? []
            let shown = rules.prefix(4).joined(separator: ", ") + (rules.count > 4 ? ", …" : "")
            lines.append("\(parameter) unset: \(rules.count) rule(s) conditioned on it kept (\(shown))")
        }
        return lines
    }
}
