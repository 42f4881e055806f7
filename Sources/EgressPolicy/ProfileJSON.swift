import Yams

/// A profile document as written, in JSON instead of YAML: the same keys in the same
/// order, plain `true`/`false`/integers/null as JSON values, everything else as text.
/// For `profiles show --format json`; the loader reads the result back to the same
/// profile (JSON is YAML's flow style), which the schema tests check.
public enum ProfileJSON {
    /// `text` (YAML or JSON) as indented JSON; nil when it is not well-formed or uses
    /// YAML aliases (which JSON cannot say; no built-in profile uses them).
    public static func json(fromYAML text: String) -> String? {
        guard let node = try? Yams.compose(yaml: text), !hasAlias(node) else { return nil }
        var out = ""
        write(node, indent: "", to: &out)
        return out + "\n"
    }

    private static func hasAlias(_ node: Node) -> Bool {
        switch node {
        case .alias: return true
        case .scalar: return false
        case .mapping(let mapping): return mapping.contains { hasAlias($0.key) || hasAlias($0.value) }
        case .sequence(let sequence): return sequence.contains(where: hasAlias)
        }
    }

    private static func write(_ node: Node, indent: String, to out: inout String) {
        let inner = indent + "  "
        switch node {
        case .mapping(let mapping):
            guard mapping.count > 0 else { out += "{}"; return }
            out += "{\n"
            for (index, (key, value)) in mapping.enumerated() {
                out += inner + string(key.scalar?.string ?? "") + ": "
                write(value, indent: inner, to: &out)
                out += index + 1 < mapping.count ? ",\n" : "\n"
            }
            out += indent + "}"
        case .sequence(let sequence):
            guard sequence.count > 0 else { out += "[]"; return }
            out += "[\n"
            for (index, item) in sequence.enumerated() {
                out += inner
                write(item, indent: inner, to: &out)
                out += index + 1 < sequence.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case .scalar(let scalar):
            out += value(scalar)
        case .alias:
            break  // excluded by hasAlias
        }
    }

    private static func value(_ scalar: Node.Scalar) -> String {
        let text = scalar.string
        guard scalar.style == .plain else { return string(text) }
        switch text {
        case "true", "false": return text
        case "", "~", "null", "Null", "NULL": return "null"
        default:
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            if !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0.isASCII && $0.isNumber }), !(digits.count > 1 && digits.hasPrefix("0")) {
                return text
            }
            return string(text)
        }
    }

    /// A JSON string literal (RFC 8259 §7); also a valid YAML double-quoted scalar.
    public static func string(_ text: String) -> String {
        let escaped = text.escapingScalars { scalar in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: return nil
            }
        }
        return "\"" + escaped + "\""
    }
}
