import EgressPolicy
import Foundation

/// Small text helpers every target shares.
enum ExportText {
    /// `s` as a double-quoted YAML/JSON-compatible scalar (one escaper: ProfileJSON's).
    static func quoted(_ s: String) -> String { ProfileJSON.string(s) }

    /// A service tag with addresses, for a target that lists them, or nil with the reason
    /// recorded when there are none to list (no tag file, or none for this tag).
    static func tagWithPrefixes(_ tag: String, rule: ExportRule, catalog: ServiceTagCatalog,
                                untranslated: inout [Untranslated]) -> ServiceTag? {
        guard let t = catalog.tag(named: tag), !t.prefixes.isEmpty else {
            untranslated.append(Untranslated(rule: rule.id, peer: "serviceTag \(tag)",
                reason: catalog.sources.isEmpty ? "no service tag file given (--service-tags) to give it addresses" : "no addresses for it in the service tag files"))
            return nil
        }
        return t
    }

    /// Letters, digits and `sep`, lower case, at most `limit` characters: names targets accept.
    static func identifier(_ s: String, separator: Character = "-", limit: Int = 63) -> String {
        var out = ""
        for c in s.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) { out.append(c) } else if out.last != separator && !out.isEmpty { out.append(separator) }
        }
        while out.last == separator { out.removeLast() }
        return String(out.prefix(limit)).trimmingTrailing(separator)
    }

    /// The single ports and ranges of a rule (nil: any port).
    static func ranges(_ ports: PortSpec) -> [PortRange]? {
        if case .ranges(let r) = ports { return r }
        return nil
    }

    static func peerText(_ p: ExportPeer) -> String {
        switch p {
        case .name(let n): return "fqdn \(n)"
        case .serviceTag(let t): return "serviceTag \(t)"
        case .cidr(let c): return "cidr \(c)"
        }
    }
}

extension String {
    func trimmingTrailing(_ c: Character) -> String {
        var s = self
        while s.last == c { s.removeLast() }
        return s
    }
}

