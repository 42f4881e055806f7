/// A JSON value (RFC 8259) that remembers the line it started on, read by
/// `JSONParser`: the one JSON reader of the policy inputs (Service Tags and IP
/// range files, through `JSONCursor`) and of the logs (`LogRecordStream`), so
/// a value that does not fit its schema is reported at its line, and a file
/// that is not JSON at its line and column. Numbers keep their text (ports,
/// counters and epoch times are integers whatever their width). Not
/// `indirect`: objects and arrays hold their members in arrays already, and
/// a boxed case was an allocation for every value of a 4 MB tag file.
public enum JSONValue: Sendable, Equatable {
    case object([(key: String, value: JSONValue)], line: Int)
    case array([JSONValue], line: Int)
    case string(String, line: Int)
    case number(String, line: Int)
    case bool(Bool, line: Int)
    case null(line: Int)

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.object(x, l1), .object(y, l2)):
            return l1 == l2 && x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x, l1), .array(y, l2)): return l1 == l2 && x == y
        case let (.string(x, l1), .string(y, l2)): return l1 == l2 && x == y
        case let (.number(x, l1), .number(y, l2)): return l1 == l2 && x == y
        case let (.bool(x, l1), .bool(y, l2)): return l1 == l2 && x == y
        case let (.null(l1), .null(l2)): return l1 == l2
        default: return false
        }
    }

    public var line: Int {
        switch self {
        case .object(_, let l), .array(_, let l), .string(_, let l), .number(_, let l), .bool(_, let l), .null(let l): l
        }
    }

    /// The member `key` of an object, compared without case (Azure's storage
    /// records say `properties.SourceIp`, Log Analytics exports `SourceIp`).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members, _) = self else { return nil }
        for m in members where m.key.lowercased() == key.lowercased() { return m.value }
        return nil
    }

    /// A string or a number's text; nil for anything else.
    public var text: String? {
        switch self {
        case .string(let s, _), .number(let s, _): s
        default: nil
        }
    }
}

/// Where a document stopped being JSON.
public struct JSONSyntaxError: Error, Equatable, Sendable {
    public let line: Int
    public let column: Int
    public let expected: String

    public init(line: Int, column: Int, expected: String) {
        self.line = line
        self.column = column
        self.expected = expected
    }
}

/// A recursive-descent JSON reader over bytes, tracking line and column.
/// Nesting is bounded (`maxDepth`): a hostile file cannot exhaust the stack.
/// (Foundation's `JSONSerialization` read the Service Tags files before it:
/// 406 M instructions for the 4 MB public file, and 263 M more to walk its
/// tree of `Any`.)
public struct JSONParser {
    public static let maxDepth = 64
    private let bytes: [UInt8]
    private(set) var position: Int
    private(set) var line = 1
    private var lineStart = 0

    public init(_ bytes: [UInt8], from position: Int = 0, line: Int = 1) {
        self.bytes = bytes
        self.position = position
        self.line = line
        var p = position
        while p > 0 && bytes[p - 1] != UInt8(ascii: "\n") { p -= 1 }
        lineStart = p
    }

    public var atEnd: Bool { position >= bytes.count }
    public var currentLine: Int { line }

    /// Skips whitespace; false at the end of the bytes.
    @discardableResult
    public mutating func skipWhitespace() -> Bool {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): position += 1
            case UInt8(ascii: "\n"): position += 1; line += 1; lineStart = position
            default: return true
            }
        }
        return false
    }

    public func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Consumes `byte` (after whitespace) if it is next.
    public mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// Skips to the start of the next line (resynchronising after a bad record in a file of one record per line).
    public mutating func skipLine() {
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
        if position < bytes.count { position += 1; line += 1; lineStart = position }
    }

    /// An error at the current position: what was expected there.
    public func error(_ expected: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: position - lineStart + 1, expected: expected)
    }

    /// `bytes` as one JSON document (a UTF-8 byte order mark before it is skipped): its value,
    /// with nothing but whitespace after it.
    public static func document(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var parser = JSONParser(bytes, from: bom)
        let value = try parser.parseValue()
        guard !parser.skipWhitespace() else { throw parser.error("the end of the document") }
        return value
    }

    public mutating func parseValue(depth: Int = 0) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting at most \(Self.maxDepth) deep") }
        guard skipWhitespace(), let b = peek() else { throw error("a JSON value") }
        let startLine = line
        switch b {
        case UInt8(ascii: "{"):
            position += 1
            var members: [(key: String, value: JSONValue)] = []
            if consume(UInt8(ascii: "}")) { return .object(members, line: startLine) }
            repeat {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw error("a quoted key") }
                let key = try parseString()
                guard consume(UInt8(ascii: ":")) else { throw error("':' after a key") }
                members.append((key, try parseValue(depth: depth + 1)))
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else { throw error("',' or '}'") }
            return .object(members, line: startLine)
        case UInt8(ascii: "["):
            position += 1
            var items: [JSONValue] = []
            if consume(UInt8(ascii: "]")) { return .array(items, line: startLine) }
            repeat { items.append(try parseValue(depth: depth + 1)) } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "]")) else { throw error("',' or ']'") }
            return .array(items, line: startLine)
        case UInt8(ascii: "\""):
            return .string(try parseString(), line: startLine)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true, line: startLine)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false, line: startLine)
        case UInt8(ascii: "n"): try literal("null"); return .null(line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            position += 1
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                     UInt8(ascii: "+"), UInt8(ascii: "-"):
                    position += 1
                default:
                    return .number(String(decoding: bytes[start..<position], as: UTF8.self), line: startLine)
                }
            }
            return .number(String(decoding: bytes[start..<position], as: UTF8.self), line: startLine)
        default:
            throw error("a JSON value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        // Compared in place: two arrays were made for every true, false and null.
        let n = word.utf8CodeUnitCount
        let start = position
        guard start + n <= bytes.count, word.withUTF8Buffer({ bytes[start..<start + n].elementsEqual($0) }) else {
            throw error("\(word)")
        }
        position += n
    }

    /// Four hex digits (after `\\u`).
    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("four hex digits after '\\u'") }
        var v: UInt32 = 0
        for b in bytes[position..<position + 4] {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("four hex digits after '\\u'")
            }
        }
        position += 4
        return v
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1  // the opening quote
        // Most strings have no escape: made from their bytes in one go.
        var end = position
        while end < bytes.count {
            let b = bytes[end]
            if b == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[position..<end], as: UTF8.self)
                position = end + 1
                return text
            }
            if b == UInt8(ascii: "\\") || b == UInt8(ascii: "\n") { break }
            end += 1
        }
        var out: [UInt8] = []
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw error("an escape after '\\'") }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var v = try hex4()
                    // A UTF-16 surrogate pair is one scalar; a lone surrogate becomes U+FFFD rather than failing the record.
                    if (0xD800..<0xDC00).contains(v), position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                       bytes[position + 1] == UInt8(ascii: "u") {
                        let mark = position
                        position += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = mark
                        }
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
                default:
                    throw error("a valid escape")
                }
            case UInt8(ascii: "\n"):
                position -= 1  // the newline stays unread: resynchronising starts at the next line
                throw error("'\"' before the end of the line")
            default:
                out.append(b)
            }
        }
        throw error("'\"' to close the string")
    }
}
