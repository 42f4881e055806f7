import EgressPolicy

/// A profile's name pattern (Azure Firewall dialect, `FQDNPattern`) said in a
/// target's own wildcard dialect, exactly when the target can, else wider,
/// with the reason.
///
/// What each target documents:
/// - Azure Firewall application rules: `*.x.com` is one or more labels before
///   `x.com`, not the apex; `*` alone is every name; no other wildcard.
/// - Cilium `toFQDNs` (the CRD's description of `matchPattern`): `*` is zero
///   or more valid characters within one label; `**.` as a prefix is every
///   multi-level subdomain, not the apex; `matchName` is a literal name.
/// - AWS Network Firewall domain lists: `abc.x.com` is that name only; a
///   leading dot, `.x.com`, is `x.com` and every subdomain; nothing else.
enum NameTranslation {
    enum Dialect {
        case azureFirewall
        case cilium
        case aws
    }

    struct Name: Equatable {
        /// As the target writes it.
        var text: String
        /// Cilium: `matchPattern` rather than `matchName`.
        var isPattern: Bool
        /// Why the target's form matches more than the rule (nil: exact).
        var widened: String?
    }

    /// The name in `dialect`, or the reason it cannot be said at all.
    static func translate(_ written: String, to dialect: Dialect) -> Result<Name, Reason> {
        let pattern: FQDNPattern
        do { pattern = try FQDNPattern(written) } catch { return .failure(Reason(text: error.description)) }
        let labels = pattern.labels
        let literal = labels.map(text)
        if labels.allSatisfy({ if case .exact = $0 { true } else { false } }) {
            return .success(Name(text: literal.joined(separator: "."), isPattern: false, widened: nil))
        }
        let restExact = labels.dropFirst().allSatisfy { if case .exact = $0 { true } else { false } }
        let leadingAny = labels.first == .oneOrMoreLabels
        // The labels right of the rightmost wildcard: the suffix a wider form keeps.
        let lastWild = labels.lastIndex { if case .exact = $0 { false } else { true } } ?? 0
        let suffix = literal[(lastWild + 1)...].joined(separator: ".")
        switch dialect {
        case .cilium:
            let text = labels.enumerated().map { i, l in
                l == .oneOrMoreLabels ? (labels.count == 1 ? "*" : "**") : literal[i]
            }.joined(separator: ".")
            return .success(Name(text: text, isPattern: true, widened: nil))
        case .azureFirewall:
            if leadingAny && restExact {
                return .success(Name(text: literal.joined(separator: "."), isPattern: true, widened: nil))
            }
            let wider = suffix.isEmpty ? "*" : "*." + suffix
            return .success(Name(text: wider, isPattern: true,
                                 widened: "\(pattern.text) widened to \(wider): Azure Firewall takes a wildcard only as the whole leftmost label"))
        case .aws:
            guard !suffix.isEmpty else {
                return .failure(Reason(text: "\(pattern.text): a domain list has no target for every name"))
            }
            let why = leadingAny && restExact
                ? "\(pattern.text) widened to .\(suffix): a domain list's leading dot also matches the apex \(suffix)"
                : "\(pattern.text) widened to .\(suffix): a domain list has no wildcard inside a name, only the leading dot (the apex and every subdomain)"
            return .success(Name(text: "." + suffix, isPattern: true, widened: why))
        }
    }

    struct Reason: Error, Equatable {
        var text: String
    }

    private static func text(_ label: FQDNPattern.Label) -> String {
        switch label {
        case .exact(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .glob(let pieces): return pieces.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "*")
        case .anyOneLabel, .oneOrMoreLabels: return "*"
        }
    }
}
