import EgressPolicy
import Foundation

/// Small text helpers every target shares.
enum ExportText {
    /// `s` as a double-quoted YAML/JSON-compatible scalar.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
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

