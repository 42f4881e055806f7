import Foundation

/// A policy input file (service tags, IP ranges) that could not be used:
/// which file, where inside it (a JSON path such as
/// `values[12].properties.addressPrefixes[3]`), what was expected there and
/// what was found.
public struct PolicyLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    /// JSON path of the offending value; "" for the file as a whole.
    public let path: String
    public let expected: String
    public let found: String

    public init(file: String, path: String, expected: String, found: String) {
        self.file = file
        self.path = path
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let location = path.isEmpty ? file : "\(file): \(path)"
        return "\(location): expected \(expected), found \(found)"
    }
}

/// A position in a parsed JSON document that knows its own path, so every
/// type check can fail with a `PolicyLoadError` naming the file and path.
struct JSONCursor {
    let file: String
    // The path is only spelled out on failure: the parent's path and this step.
    private let parentPath: String
    private let index: Int?
    let value: Any

    init(file: String, path: String, value: Any) {
        self.file = file
        self.parentPath = path
        self.index = nil
        self.value = value
    }

    private init(file: String, parentPath: String, index: Int, value: Any) {
        self.file = file
        self.parentPath = parentPath
        self.index = index
        self.value = value
    }

    var path: String {
        guard let index else { return parentPath }
        return "\(parentPath)[\(index)]"
    }

    /// Parses `data` as JSON; syntax errors name the file and Foundation's reason.
    static func root(_ data: Data, file: String) throws(PolicyLoadError) -> JSONCursor {
        do {
            let value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return JSONCursor(file: file, path: "", value: value)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw PolicyLoadError(file: file, path: "", expected: "a JSON document",
                                  found: "malformed JSON (\(reason ?? String(describing: error)))")
        }
    }

    static func read(_ path: String) throws(PolicyLoadError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PolicyLoadError(file: path, path: "", expected: "a readable file",
                                  found: FileProblem.describe(error, path: path, writing: false))
        }
    }

    func fail(_ expected: String) -> PolicyLoadError {
        PolicyLoadError(file: file, path: path.isEmpty ? "(top level)" : path, expected: expected, found: JSONCursor.describe(value))
    }

    func object() throws(PolicyLoadError) -> [String: Any] {
        guard let o = value as? [String: Any] else { throw fail("an object") }
        return o
    }

    func array() throws(PolicyLoadError) -> [JSONCursor] {
        guard let a = value as? [Any] else { throw fail("an array") }
        let base = path
        return a.enumerated().map { JSONCursor(file: file, parentPath: base, index: $0.offset, value: $0.element) }
    }

    func string() throws(PolicyLoadError) -> String {
        guard let s = value as? String else { throw fail("a string") }
        return s
    }

    func int() throws(PolicyLoadError) -> Int {
        if JSONCursor.isBool(value) { throw fail("an integer") }
        guard let n = value as? NSNumber, let i = Int(exactly: n.doubleValue) else { throw fail("an integer") }
        return i
    }

    var isNull: Bool { value is NSNull }

    /// The member `key`; a missing member fails here, naming the key.
    func field(_ key: String) throws(PolicyLoadError) -> JSONCursor {
        let o = try object()
        let childPath = path.isEmpty ? key : "\(path).\(key)"
        guard let v = o[key] else {
            throw PolicyLoadError(file: file, path: childPath, expected: "a member \"\(key)\"", found: "none")
        }
        return JSONCursor(file: file, path: childPath, value: v)
    }

    /// The member `key`, or nil when absent or null.
    func optionalField(_ key: String) throws(PolicyLoadError) -> JSONCursor? {
        let o = try object()
        guard let v = o[key], !(v is NSNull) else { return nil }
        return JSONCursor(file: file, path: path.isEmpty ? key : "\(path).\(key)", value: v)
    }

    /// A CIDR string, with the parse failure spelled out.
    func cidr() throws(PolicyLoadError) -> CIDR {
        guard let s = value as? String else { throw fail("a CIDR string like 10.0.0.0/8") }
        let parsed: (cidr: CIDR, hasLength: Bool)
        do {
            parsed = try CIDR.parse(s)
        } catch {
            throw PolicyLoadError(file: file, path: path, expected: "a CIDR like 10.0.0.0/8 or 2001:db8::/32",
                                  found: "\"\(s)\" (\(error.description))")
        }
        // Published range files always give the length; a bare address there means a damaged file.
        // (Told by the parse: looking for the '/' first went through Foundation's string search.)
        guard parsed.hasLength else {
            throw PolicyLoadError(file: file, path: path, expected: "a CIDR like 10.0.0.0/8 or 2001:db8::/32",
                                  found: "\"\(s)\" (no prefix length)")
        }
        return parsed.cidr
    }

    /// JSON true/false: Foundation hands them back as NSNumbers of C type `char`
    /// (`value is Bool` is also true for the numbers 0 and 1, so it cannot tell).
    static func isBool(_ value: Any) -> Bool {
        guard let n = value as? NSNumber else { return false }
        return n.objCType.pointee == CChar(UInt8(ascii: "c"))
    }

    static func describe(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let s as String: return "\"\(s.count > 60 ? String(s.prefix(60)) + "…" : s)\""
        case let n as NSNumber where isBool(n): return n.boolValue ? "true" : "false"
        case let n as NSNumber: return "the number \(n)"
        case let a as [Any]: return "an array of \(a.count)"
        case is [String: Any]: return "an object"
        default: return "a \(type(of: value))"
        }
    }
}
