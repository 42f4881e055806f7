/// A JSON value that remembers the line it started on (RFC 8259), so a log
/// record that does not fit its schema is reported at its line, not at "the
/// file". Logs are read whole and small per record; numbers keep their text
/// (ports, counters and epoch times are integers whatever their width).
public indirect enum LogJSON: Sendable, Equatable {
    case object([(key: String, value: LogJSON)], line: Int)
    case array([LogJSON], line: Int)
    case string(String, line: Int)
    case number(String, line: Int)
    case bool(Bool, line: Int)
    case null(line: Int)

    public static func == (a: LogJSON, b: LogJSON) -> Bool {
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
    public subscript(key: String) -> LogJSON? {
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
public struct LogJSONError: Error, Equatable, Sendable {
    public let line: Int
    public let column: Int
    public let expected: String
}

/// A recursive-descent JSON reader over bytes, tracking line and column.
/// Nesting is bounded (`maxDepth`): a hostile file cannot exhaust the stack.
public struct LogJSONParser {
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

    func error(_ expected: String) -> LogJSONError {
        LogJSONError(line: line, column: position - lineStart + 1, expected: expected)
    }

    public mutating func parseValue(depth: Int = 0) throws(LogJSONError) -> LogJSON {
        guard depth < Self.maxDepth else { throw error("nesting at most \(Self.maxDepth) deep") }
        guard skipWhitespace(), let b = peek() else { throw error("a JSON value") }
        let startLine = line
        switch b {
        case UInt8(ascii: "{"):
            position += 1
            var members: [(key: String, value: LogJSON)] = []
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
            var items: [LogJSON] = []
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

    private mutating func literal(_ word: StaticString) throws(LogJSONError) {
        let text = word.withUTF8Buffer { Array($0) }
        guard position + text.count <= bytes.count, Array(bytes[position..<position + text.count]) == text else {
            throw error("\(word)")
        }
        position += text.count
    }

    private mutating func parseString() throws(LogJSONError) -> String {
        position += 1  // the opening quote
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
                    guard position + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
                    else { throw error("four hex digits after '\\u'") }
                    position += 4
                    // Surrogates (never in the fields read here) become U+FFFD rather than failing the record.
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
