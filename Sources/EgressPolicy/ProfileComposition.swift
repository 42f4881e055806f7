/// Several profiles audited at once (a self-hosted API Management gateway running on AKS
/// needs both): each is expanded with its own parameters and features, then their rules
/// are joined into one `ExpandedProfile`, so one `CompiledProfile` answers for all of them
/// with one query. A flow is allowed when any profile's rule allows it; every rule keeps
/// its profile (`ExpandedRule.profile`) and is named `profile/rule` (`aks/mcr`), so rules
/// of the same id in two profiles stay apart and every finding says whose rule it is.
public enum ProfileComposition {
    /// Expands `profiles` with the operator's `--param` values and `--feature` names and, for
    /// more than one, composes them. A name scoped with a profile id (`aks.region=westus`,
    /// `aks.azure-monitor`) is for that profile only; an unscoped one for every profile that
    /// declares it, and an error when none does.
    public static func expand(_ profiles: [Profile], parameters: [String: String], features: [String])
        throws(ProfileValidationErrors) -> ExpandedProfile
    {
        var errors: [ProfileValidationError] = []
        var seenIDs = Set<String>()
        for profile in profiles where !seenIDs.insert(profile.id).inserted {
            errors.append(
                ProfileValidationError(
                    file: expansionInputName, path: "profiles", expected: "each profile once", found: "\(profile.id) twice"))
        }
        var values = [[String: String]](repeating: [:], count: profiles.count)
        var wanted = [Set<String>](repeating: [], count: profiles.count)
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if let (index, local) = scoped(name, profiles) {
                values[index][local] = value
                continue
            }
            let declaring = declaringProfiles(name, kind: "parameter", path: "parameters." + name, in: profiles,
                                              names: { $0.parameters.map(\.name) }, errors: &errors)
            for index in declaring { values[index][name] = value }
        }
        for name in features.sorted() {
            if let (index, local) = scoped(name, profiles) {
                wanted[index].insert(local)
                continue
            }
            let declaring = declaringProfiles(name, kind: "feature", path: "features", in: profiles,
                                              names: { $0.features.map(\.name) }, errors: &errors)
            for index in declaring { wanted[index].insert(name) }
        }
        var expanded: [ExpandedProfile] = []
        for (index, profile) in profiles.enumerated() {
            do {
                expanded.append(try profile.expand(parameters: values[index], features: wanted[index]))
            } catch {
                errors += error.errors.map { e in
                    var e = e
                    if profiles.count > 1 { e.path = profile.id + "." + e.path }
                    return e
                }
            }
        }
        guard errors.isEmpty else { throw ProfileValidationErrors(errors) }
        return expanded.count == 1 ? expanded[0] : ExpandedProfile.composing(expanded)
    }

    /// The profiles that declare the unscoped parameter or feature `name` (`names` lists a
    /// profile's own); none is an error naming every one there is, and the nearest spelling.
    private static func declaringProfiles(_ name: String, kind: String, path: String, in profiles: [Profile],
                                          names: (Profile) -> [String], errors: inout [ProfileValidationError]) -> [Int] {
        let declaring = profiles.indices.filter { names(profiles[$0]).contains(name) }
        if declaring.isEmpty {
            let listed = profiles.flatMap { p in names(p).map { profiles.count > 1 ? "\(p.id).\($0)" : $0 } }
            errors.append(
                ProfileValidationError(
                    file: expansionInputName, path: path,
                    expected: "a \(kind) of " + describe(profiles) + " (" + listed.joined(separator: ", ") + ")",
                    found: "unknown \(kind) " + quoted(name),
                    suggestion: nearestSpelling(to: name, among: profiles.flatMap(names))))
        }
        return declaring
    }

    /// `aks.region` → (index of `aks`, `region`): the longest profile id that prefixes the name.
    private static func scoped(_ name: String, _ profiles: [Profile]) -> (Int, String)? {
        var best: (Int, String)?
        for (index, profile) in profiles.enumerated() where name.hasPrefix(profile.id + ".") && name.count > profile.id.count + 1 {
            if best == nil || profile.id.count > profiles[best!.0].id.count {
                best = (index, String(name.dropFirst(profile.id.count + 1)))
            }
        }
        return best
    }

    private static func describe(_ profiles: [Profile]) -> String {
        profiles.count == 1 ? "profile \(profiles[0].id)" : "profiles " + profiles.map(\.id).joined(separator: ", ")
    }
}

extension ExpandedProfile {
    /// One profile from several: rules of each in the order given, named `profile/rule`;
    /// parameters and features named `profile.name`; id `a+b`. The members stay in `members`.
    public static func composing(_ members: [ExpandedProfile]) -> ExpandedProfile {
        var parameters: [String: String] = [:]
        var features = Set<String>()
        var rules: [ExpandedRule] = []
        var warnings: [ExpansionWarning] = []
        for member in members {
            for (name, value) in member.parameters { parameters[member.profileID + "." + name] = value }
            for name in member.enabledFeatures { features.insert(member.profileID + "." + name) }
            for rule in member.rules {
                var rule = rule
                rule.id = member.profileID + "/" + rule.id
                rules.append(rule)
            }
            for warning in member.warnings {
                switch warning {
                case .widened(let rule, let placeholder, let parameter):
                    warnings.append(.widened(rule: member.profileID + "/" + rule, placeholder: placeholder, parameter: parameter))
                case .conditionUndetermined(let rule, let parameter):
                    warnings.append(.conditionUndetermined(rule: member.profileID + "/" + rule, parameter: member.profileID + "." + parameter))
                }
            }
        }
        return ExpandedProfile(
            profileID: members.map(\.profileID).joined(separator: "+"), title: members.map(\.title).joined(separator: " + "),
            dialect: members.first?.dialect ?? .azureFirewall, parameters: parameters, enabledFeatures: features, rules: rules,
            warnings: warnings, members: members)
    }

    /// The profile itself, or the profiles composed into it.
    public var profiles: [ExpandedProfile] { members.isEmpty ? [self] : members }

    /// The `virtual-network` prefixes every profile was given (what `VirtualNetwork` stands for).
    public var virtualNetwork: [CIDR] {
        profiles.flatMap { ($0.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) } }
    }
}
