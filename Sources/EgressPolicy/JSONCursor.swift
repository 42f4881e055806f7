import Foundation

/// A position in a parsed JSON document that knows its own path, so every
/// type check can fail with a `PolicyLoadError` naming the file and path.
struct JSONCursor {
    let file: String
    // The path is only spelled out on failure: the parent's path and this step.
    private let parentPath: String
    private let index: Int?
    let value: JSONValue

    init(file: String, path: String, value: JSONValue) {
        self.file = file
        self.parentPath = path
        self.index = nil
        self.value = value
    }

    private init(file: String, parentPath: String, index: Int, value: JSONValue) {
        self.file = file
        self.parentPath = parentPath
        self.index = index
        self.value = value
    }

    var path: String {
        guard let index else { return parentPath }
        return "\(parentPath)[\(index)]"
    }

    /// Parses `data` as one JSON document (`JSONParser`); a syntax error names the file, what the
    /// file was `expected` to be, the line and the column.
    static func root(_ data: Data, file: String, expected: String = "a JSON document") throws(PolicyLoadError) -> JSONCursor {
        do {
            return JSONCursor(file: file, path: "", value: try JSONParser.document([UInt8](data)))
        } catch {
            throw PolicyLoadError(file: file, path: "", expected: expected,
                                  found: "malformed JSON at line \(error.line), column \(error.column): expected \(error.expected)")
        }
    }

    func fail(_ expected: String) -> PolicyLoadError {
        PolicyLoadError(file: file, path: path.isEmpty ? "(top level)" : path, expected: expected, found: JSONCursor.describe(value))
    }

    /// The object's members, in order.
    private func members() throws(PolicyLoadError) -> [(key: String, value: JSONValue)] {
        guard case .object(let members, _) = value else { throw fail("an object") }
        return members
    }

    func array() throws(PolicyLoadError) -> [JSONCursor] {
        guard case .array(let items, _) = value else { throw fail("an array") }
        let base = path
        return items.enumerated().map { JSONCursor(file: file, parentPath: base, index: $0.offset, value: $0.element) }
    }

    func string() throws(PolicyLoadError) -> String {
        guard case .string(let s, _) = value else { throw fail("a string") }
        return s
    }

    /// An integer: a number whose value is whole (`12`, `12.0`, `1.2e1`).
    func int() throws(PolicyLoadError) -> Int {
        guard case .number(let text, _) = value else { throw fail("an integer") }
        if let i = Int(text) { return i }
        guard let d = Double(text), let i = Int(exactly: d) else { throw fail("an integer") }
        return i
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The member `key` (the last, if the object repeats it), or nil when absent.
    private func member(_ key: String) throws(PolicyLoadError) -> JSONValue? {
        try members().last { $0.key == key }?.value
    }

    /// Whether the object has a member `key` (null counts).
    func hasMember(_ key: String) throws(PolicyLoadError) -> Bool {
        try member(key) != nil
    }

    /// The member `key`; a missing member fails here, naming the key.
    func field(_ key: String) throws(PolicyLoadError) -> JSONCursor {
        guard let v = try member(key) else {
            throw PolicyLoadError(file: file, path: childPath(key), expected: "a member \"\(key)\"", found: "none")
        }
        return JSONCursor(file: file, path: childPath(key), value: v)
    }

    /// The member `key`, or nil when absent or null.
    func optionalField(_ key: String) throws(PolicyLoadError) -> JSONCursor? {
        guard let v = try member(key) else { return nil }
        if case .null = v { return nil }
        return JSONCursor(file: file, path: childPath(key), value: v)
    }

    /// The path of member `key` of this object.
    private func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// A CIDR string, with the parse failure spelled out.
    func cidr() throws(PolicyLoadError) -> CIDR {
        guard case .string(let s, _) = value else { throw fail("a CIDR string like 10.0.0.0/8") }
        let parsed: (cidr: CIDR, hasLength: Bool)
        do {
            parsed = try CIDR.parse(s)
        } catch {
            throw PolicyLoadError(file: file, path: path, expected: "a CIDR like 10.0.0.0/8 or 2001:db8::/32",
                                  found: "\"\(s)\" (\(error.description))")
        }
        // Published range files always give the length; a bare address there means a damaged file.
        guard parsed.hasLength else {
            throw PolicyLoadError(file: file, path: path, expected: "a CIDR like 10.0.0.0/8 or 2001:db8::/32",
                                  found: "\"\(s)\" (no prefix length)")
        }
        return parsed.cidr
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .string(let s, _): return "\"\(s.count > 60 ? String(s.prefix(60)) + "…" : s)\""
        case .bool(let b, _): return b ? "true" : "false"
        case .number(let text, _): return "the number \(text)"
        case .array(let items, _): return "an array of \(items.count)"
        case .object: return "an object"
        }
    }
}
