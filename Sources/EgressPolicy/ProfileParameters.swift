import PacketWire

/// What values a profile parameter accepts.
public enum ParameterKind: Sendable, Hashable {
    /// One of a fixed list (`cloud: public|usgov|china`, `vnet-mode: external|internal`).
    case choice([String])
    /// An Azure region in any spelling (`West US`, `westus`, `WestUS`).
    case region
    /// Comma-separated IPv4/IPv6 prefixes (a virtual network's address space).
    case cidrList
    /// One DNS label: letters, digits, hyphens, 1-63 characters (an instance or account name).
    case dnsLabel
    /// Free text; only placeholders that never reach a matcher should use it.
    case text

    /// Name of the kind in the profile format.
    public var formatName: String {
        switch self {
        case .choice: return "choice"
        case .region: return "region"
        case .cidrList: return "cidr-list"
        case .dnsLabel: return "dns-label"
        case .text: return "text"
        }
    }

    static let formatNames = ["choice", "region", "cidr-list", "dns-label", "text"]

    /// What `validate` expects, worded for error messages.
    public var expectation: String {
        switch self {
        case .choice(let values): return "one of " + values.joined(separator: ", ")
        case .region: return "a known Azure region (e.g. \"West US\" or westus)"
        case .cidrList: return "comma-separated IP addresses or prefixes (e.g. 10.0.0.0/16)"
        case .dnsLabel: return "a DNS label (letters, digits, hyphens; 1-63 characters)"
        case .text: return "text"
        }
    }

    /// Normalized value, or nil when `value` is not acceptable.
    /// Regions normalize to their ARM name; choices compare case-insensitively.
    public func validate(_ value: String) -> String? {
        switch self {
        case .choice(let values):
            return values.first { $0.lowercased() == value.lowercased() }
        case .region:
            return AzureRegion.named(value)?.name
        case .cidrList:
            let items = value.split(separator: ",").map { trimmedSpaces(String($0)) }
            guard !items.isEmpty, items.allSatisfy(isCIDRText) else { return nil }
            return items.joined(separator: ",")
        case .dnsLabel:
            return isDNSLabel(value) ? value.lowercased() : nil
        case .text:
            return value.isEmpty ? nil : value
        }
    }
}

/// A value the operator supplies when expanding a profile (`region`, `cloud`, `apim-name`).
public struct ProfileParameter: Sendable, Hashable {
    public var name: String
    public var description: String
    public var kind: ParameterKind
    /// Normalized default; nil means "unset unless given", which widens placeholders.
    public var defaultValue: String?
    /// Other placeholder names the documents use for this parameter (`your-apim`, `instance`).
    public var placeholders: [String]

    public init(name: String, description: String, kind: ParameterKind, defaultValue: String? = nil, placeholders: [String] = []) {
        self.name = name
        self.description = description
        self.kind = kind
        self.defaultValue = defaultValue
        self.placeholders = placeholders
    }

    /// True when `<placeholder>` / `{placeholder}` names this parameter.
    public func answers(to placeholder: String) -> Bool {
        let key = placeholder.lowercased()
        return key == name.lowercased() || placeholders.contains { $0.lowercased() == key }
    }
}

/// An optional capability of the service; rules behind it are optional.
public struct ProfileFeature: Sendable, Hashable {
    public var name: String
    public var description: String
    public var enabledByDefault: Bool

    public init(name: String, description: String, enabledByDefault: Bool = false) {
        self.name = name
        self.description = description
        self.enabledByDefault = enabledByDefault
    }
}

func trimmedSpaces(_ text: String) -> String {
    var scalars = Substring(text).unicodeScalars[...]
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars))
}

/// RFC 1035 §2.3.1 label, relaxed to allow a leading digit (RFC 1123 §2.1).
func isDNSLabel(_ text: String) -> Bool {
    let scalars = Array(text.unicodeScalars)
    guard (1...63).contains(scalars.count), scalars.first != "-", scalars.last != "-" else { return false }
    return scalars.allSatisfy { $0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "-" }
}

/// An address (`52.224.186.99`, `2001:db8::1`) or a prefix whose length fits its family.
func isCIDRText(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return false }
    guard parts.count == 2 else { return true }
    let lengthText = parts[1]
    guard !lengthText.isEmpty, lengthText.count <= 3, lengthText.allSatisfy(\.isASCIIDigit),
        let length = Int(lengthText)
    else { return false }
    return length <= (address.isIPv4 ? 32 : 128)
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
