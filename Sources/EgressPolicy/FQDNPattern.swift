/// A destination-name pattern in the Azure Firewall dialect, validated and
/// normalised once.
///
/// Semantics (the profile format and README quote this):
/// - Matching is ASCII case-insensitive, and one trailing dot is ignored on
///   both the pattern and the name (`Example.COM.` ≡ `example.com`).
/// - A leftmost label that is exactly `*` stands for **one or more labels**
///   (Azure Firewall application rules): `*.blob.core.windows.net` matches
///   `a.blob.core.windows.net` and `x.y.blob.core.windows.net` but **not** the
///   apex `blob.core.windows.net`. A pattern that is only `*` matches every name.
/// - A whole label `*` anywhere else stands for **exactly one label**
///   (`login.*.example.com` matches `login.eu.example.com` only).
/// - A `*` inside a label (`snovap*`, `*-dsms`, `prod*-black`, and a leftmost
///   `*foo.bar`) matches any characters **within that one label**: zero or more,
///   never a dot.
/// - A placeholder left unfilled — any `<…>` or `{…}` such as `<region>`,
///   `{region}`, `<your-apim>` — matches like an in-label `*`. The profile layer
///   fills the parameters it knows before compiling; a leftover placeholder
///   widens the pattern, which `isWidened` and `placeholders` expose so the
///   caller can warn.
/// - Valid labels hold `A–Z a–z 0–9 - _`, `*` and placeholders; at most 63
///   literal bytes per label and 253 for the name (RFC 1035 §2.3.4); no empty
///   labels; no `**` (two globs in a row mean nothing more than one).
public struct FQDNPattern: Hashable, Sendable, CustomStringConvertible {
    /// One label of a pattern, leftmost-first order as written.
    public enum Label: Hashable, Sendable {
        /// Lower-cased literal bytes.
        case exact([UInt8])
        /// In-label glob: lower-cased literal pieces separated by "any run of
        /// non-dot characters" (`prod*-black` → `["prod", "-black"]`, `snovap*`
        /// → `["snovap", ""]`). Always at least two pieces.
        case glob([[UInt8]])
        /// Whole non-leftmost `*`: exactly one label.
        case anyOneLabel
        /// Whole leftmost `*`: one or more labels.
        case oneOrMoreLabels
    }

    /// The pattern as written (trailing dot removed, case kept), for messages.
    public let text: String
    /// Labels leftmost first.
    public let labels: [Label]
    /// Placeholders left in the pattern (`<region>`, `{instance}`), as written.
    public let placeholders: [String]

    /// True when unfilled placeholders made the pattern wider than its author meant.
    public var isWidened: Bool { !placeholders.isEmpty }

    public var description: String { text }

    public init(_ pattern: String) throws(FQDNPatternError) {
        var bytes = Array(pattern.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        let text = String(decoding: bytes, as: UTF8.self)
        func fail(_ reason: FQDNPatternError.Reason, at offset: Int) -> FQDNPatternError {
            FQDNPatternError(pattern: pattern, offset: offset, reason: reason)
        }
        guard !bytes.isEmpty else { throw fail(.empty, at: 0) }

        var labels: [Label] = []
        var placeholders: [String] = []
        var literalNameLength = 0
        var labelStart = 0
        while labelStart <= bytes.count {
            var end = labelStart
            // A placeholder may not contain a dot, so the first dot ends the label.
            while end < bytes.count, bytes[end] != UInt8(ascii: ".") { end += 1 }
            if end == labelStart { throw fail(.emptyLabel, at: labelStart) }

            var pieces: [[UInt8]] = [[]]
            var literalLength = 0
            var previousWasGlob = false
            var i = labelStart
            while i < end {
                let c = bytes[i]
                if c == UInt8(ascii: "<") || c == UInt8(ascii: "{") {
                    let close = c == UInt8(ascii: "<") ? UInt8(ascii: ">") : UInt8(ascii: "}")
                    var j = i + 1
                    while j < end, bytes[j] != close {
                        guard FQDNPattern.isPlaceholderByte(bytes[j]) else {
                            throw fail(.badPlaceholder, at: j)
                        }
                        j += 1
                    }
                    guard j < end, j > i + 1 else { throw fail(.badPlaceholder, at: i) }
                    placeholders.append(String(decoding: bytes[i ... j], as: UTF8.self))
                    if previousWasGlob { throw fail(.doubleGlob, at: i) }
                    pieces.append([])
                    previousWasGlob = true
                    i = j + 1
                    continue
                }
                if c == UInt8(ascii: "*") {
                    if previousWasGlob { throw fail(.doubleGlob, at: i) }
                    pieces.append([])
                    previousWasGlob = true
                } else {
                    guard FQDNPattern.isLabelByte(c) else { throw fail(.badCharacter(c), at: i) }
                    pieces[pieces.count - 1].append(asciiLowerByte(c))
                    literalLength += 1
                    previousWasGlob = false
                }
                i += 1
            }
            if literalLength > 63 { throw fail(.labelTooLong(literalLength), at: labelStart) }
            literalNameLength += literalLength + (labelStart == 0 ? 0 : 1)

            let isWholeStar = end - labelStart == 1 && bytes[labelStart] == UInt8(ascii: "*")
            if isWholeStar {
                labels.append(labelStart == 0 ? .oneOrMoreLabels : .anyOneLabel)
            } else if pieces.count == 1 {
                labels.append(.exact(pieces[0]))
            } else {
                labels.append(.glob(pieces))
            }
            labelStart = end + 1
        }
        if literalNameLength > 253 { throw fail(.nameTooLong(literalNameLength), at: 0) }
        self.text = text
        self.labels = labels
        self.placeholders = placeholders
    }

    /// Letters, digits, `-` and `_` (service names such as `_ldap._tcp` use it).
    static func isLabelByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    /// Placeholder names are free text for the profile author (`<your apim>`,
    /// `{workspace-id}`): printable ASCII other than a dot or a delimiter.
    static func isPlaceholderByte(_ c: UInt8) -> Bool {
        c >= 0x20 && c < 0x7F && c != UInt8(ascii: ".") && c != UInt8(ascii: "<") && c != UInt8(ascii: ">")
            && c != UInt8(ascii: "{") && c != UInt8(ascii: "}")
    }
}

@inline(__always)
func asciiLowerByte(_ b: UInt8) -> UInt8 {
    (b &- 0x41) < 26 ? b | 0x20 : b
}

/// Why a pattern was rejected, and where (byte offset in the text as given).
public struct FQDNPatternError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case empty
        case emptyLabel
        case labelTooLong(Int)
        case nameTooLong(Int)
        case badCharacter(UInt8)
        case badPlaceholder
        case doubleGlob
    }

    public let pattern: String
    public let offset: Int
    public let reason: Reason

    public var description: String {
        let what: String = switch reason {
        case .empty: "is empty"
        case .emptyLabel: "has an empty label (two dots in a row, or a leading dot)"
        case .labelTooLong(let n): "has a label of \(n) characters (at most 63)"
        case .nameTooLong(let n): "is \(n) characters long (at most 253)"
        case .badCharacter(let c):
            "has the character \(c >= 0x21 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))") where only letters, digits, '-', '_', '*' or a <placeholder> may appear"
        case .badPlaceholder: "has a placeholder that is empty, not closed within its label (no dots inside) or holds a control character, delimiter or non-ASCII byte"
        case .doubleGlob: "has two wildcards in a row ('**' or '*<placeholder>'), which is never meaningful"
        }
        return "FQDN pattern \"\(pattern)\" \(what) (at offset \(offset))"
    }
}
