import Foundation

/// Whether a flow matching an expanded rule is needed for the service or only for a feature.
public enum RuleRequirement: Sendable, Hashable {
    case required
    case optional(feature: String, enabled: Bool)

    public var isRequired: Bool { self == .required }
}

/// Something expansion could not pin down; the rule stays, but is wider than the document meant.
public enum ExpansionWarning: Sendable, Hashable, CustomStringConvertible {
    /// `placeholder` left in a pattern because `parameter` has no value.
    case widened(rule: String, placeholder: String, parameter: String)
    /// The rule's `when` depends on `parameter`, which has no value, so the rule is kept.
    case conditionUndetermined(rule: String, parameter: String)

    public var description: String {
        switch self {
        case .widened(let rule, let placeholder, _):
            return "rule \(rule) widened: \(placeholder) unset, matches any label part"
        case .conditionUndetermined(let rule, let parameter):
            return "rule \(rule) kept: \(parameter) unset, its condition cannot be decided"
        }
    }
}

/// A rule with its conditions decided and placeholders filled, ready for the matchers.
public struct ExpandedRule: Sendable, Hashable {
    /// The rule's id; in a composition of several profiles, `profile/id` (`aks/mcr`).
    public var id: String
    /// Id of the profile the rule belongs to.
    public var profile: String
    public var direction: RuleDirection
    public var sources: [ProfileEndpoint]
    public var destinations: [ProfileEndpoint]
    public var ports: PortSpec
    public var transport: RuleTransport
    public var requirement: RuleRequirement
    public var purpose: String
    public var note: String?
    public var references: [SourceReference]
    /// Placeholders still in the endpoints (their parameter was unset).
    public var openPlaceholders: [String]
}

/// A profile tailored to one deployment: parameter values, enabled features and the rules that apply.
public struct ExpandedProfile: Sendable, Hashable {
    public var profileID: String
    public var title: String
    public var dialect: FQDNDialect
    /// Effective values (given, else default), normalized; unset parameters are absent.
    public var parameters: [String: String]
    public var enabledFeatures: Set<String>
    public var rules: [ExpandedRule]
    public var warnings: [ExpansionWarning]
    /// The profiles composed into this one (`ExpandedProfile.composing`), in the order given;
    /// empty for a single profile.
    public var members: [ExpandedProfile] = []
}

/// File name used in errors about expansion input, which has no file.
public let expansionInputName = "<parameters>"

/// The NSG keyword a `virtual-network` parameter gives addresses to.
private let virtualNetworkTag = "VirtualNetwork"
private let virtualNetworkParameter = "virtual-network"

extension Profile {
    /// Tailors the profile: validates `parameters` (name → value, any accepted spelling)
    /// and `features` (enabled on top of the defaults), drops rules whose `when` does not
    /// hold, and fills placeholders: a region becomes `westus` in FQDNs and `WestUS` in
    /// service tags. Unset parameters leave their placeholders and add a warning.
    public func expand(parameters given: [String: String] = [:], features wanted: Set<String> = []) throws(ProfileValidationErrors)
        -> ExpandedProfile
    {
        var errors: [ProfileValidationError] = []
        var values: [String: String] = [:]
        for parameter in self.parameters {
            if let value = parameter.defaultValue { values[parameter.name] = value }
        }
        let names = self.parameters.map(\.name)
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let parameter = parameter(named: name) else {
                errors.append(
                    ProfileValidationError(
                        file: expansionInputName, path: "parameters." + name,
                        expected: "a parameter of profile \(id) (" + names.joined(separator: ", ") + ")",
                        found: "unknown parameter " + quoted(name), suggestion: nearestSpelling(to: name, among: names)))
                continue
            }
            guard let normalized = parameter.kind.validate(value) else {
                errors.append(
                    ProfileValidationError(
                        file: expansionInputName, path: "parameters." + name, expected: parameter.kind.expectation, found: quoted(value)))
                continue
            }
            values[name] = normalized
        }
        if let regionName = values["region"], let region = AzureRegion.named(regionName), let cloud = values["cloud"],
            cloud != region.cloud.rawValue
        {
            errors.append(
                ProfileValidationError(
                    file: expansionInputName, path: "parameters.region", expected: "a region of cloud \(cloud)",
                    found: "\(quoted(regionName)) (cloud \(region.cloud.rawValue))"))
        }
        let featureNames = features.map(\.name)
        for name in wanted.sorted() where !featureNames.contains(name) {
            errors.append(
                ProfileValidationError(
                    file: expansionInputName, path: "features",
                    expected: "a feature of profile \(id) (" + featureNames.joined(separator: ", ") + ")",
                    found: "unknown feature " + quoted(name), suggestion: nearestSpelling(to: name, among: featureNames)))
        }
        guard errors.isEmpty else { throw ProfileValidationErrors(errors) }

        let enabled = Set(features.filter { $0.enabledByDefault }.map(\.name)).union(wanted)
        var warnings: [ExpansionWarning] = []
        var rules: [ExpandedRule] = []
        for rule in self.rules {
            var applies = true
            for condition in rule.conditions {
                if let value = values[condition.parameter] {
                    if !condition.values.contains(value) { applies = false }
                } else {
                    warnings.append(.conditionUndetermined(rule: rule.id, parameter: condition.parameter))
                }
            }
            guard applies else { continue }
            var open: [String] = []
            let sources = rule.sources.flatMap { fill($0, values: values, open: &open) }
            let destinations = rule.destinations.flatMap { fill($0, values: values, open: &open) }
            for token in open {
                let parameter = placeholders(in: token).first.flatMap { found in self.parameters.first { $0.answers(to: found.name) } }
                warnings.append(.widened(rule: rule.id, placeholder: token, parameter: parameter?.name ?? token))
            }
            let requirement: RuleRequirement =
                rule.required ? .required : .optional(feature: rule.feature ?? "", enabled: rule.feature.map(enabled.contains) ?? false)
            rules.append(
                ExpandedRule(
                    id: rule.id, profile: id, direction: rule.direction, sources: sources, destinations: destinations, ports: rule.ports,
                    transport: rule.transport, requirement: requirement, purpose: rule.purpose, note: rule.note,
                    references: rule.references, openPlaceholders: open))
        }
        return ExpandedProfile(
            profileID: id, title: title, dialect: dialect, parameters: values, enabledFeatures: enabled, rules: rules, warnings: warnings)
    }

    /// The endpoint with placeholders replaced; `VirtualNetwork` also yields the network's prefixes.
    private func fill(_ endpoint: ProfileEndpoint, values: [String: String], open: inout [String]) -> [ProfileEndpoint] {
        switch endpoint {
        case .cidr, .fqdnTag:
            return [endpoint]
        case .fqdn(let pattern):
            return [.fqdn(substitute(pattern, values: values, open: &open, inTag: false))]
        case .serviceTag(let name):
            var result: [ProfileEndpoint] = [.serviceTag(substitute(name, values: values, open: &open, inTag: true))]
            if name.lowercased() == virtualNetworkTag.lowercased(), let prefixes = values[virtualNetworkParameter] {
                result += prefixes.split(separator: ",").map { .cidr(String($0)) }
            }
            return result
        }
    }

    private func substitute(_ text: String, values: [String: String], open: inout [String], inTag: Bool) -> String {
        var result = text
        for (token, name) in placeholders(in: text) {
            guard let parameter = parameters.first(where: { $0.answers(to: name) }), let value = values[parameter.name] else {
                if !open.contains(token) { open.append(token) }
                continue
            }
            let replacement: String
            if parameter.kind == .region, let region = AzureRegion.named(value) {
                // Service tags spell regions CamelCase (Storage.WestUS), host names lower case (westus).
                replacement = inTag ? region.tagSpelling : region.name
            } else {
                replacement = inTag ? value : value.lowercased()
            }
            result = result.replacingOccurrences(of: token, with: replacement)
        }
        return result
    }
}
