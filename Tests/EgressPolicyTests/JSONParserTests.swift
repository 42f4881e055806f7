import EgressPolicy
import Foundation
import TestSupport
import Testing

/// `JSONParser` (the one JSON reader of tag files and logs) against Foundation's
/// `JSONSerialization` as the independent reader: the same trees for the real Service
/// Tags and IP range files and for hand-made edge cases, and the same documents refused.
@Suite struct JSONParserTests {
    /// The tree as Foundation builds it: objects as dictionaries (a repeated key: the last),
    /// numbers as doubles, `nil` for null.
    private static func foundationShaped(_ value: JSONValue) -> AnyHashable? {
        switch value {
        case .null: return nil
        case .bool(let b, _): return b
        case .number(let text, _): return Double(text)
        case .string(let s, _): return s
        case .array(let items, _): return items.map { foundationShaped($0) }
        case .object(let members, _):
            var d: [String: AnyHashable?] = [:]
            for m in members { d[m.key] = foundationShaped(m.value) }
            return d
        }
    }

    private static func shaped(_ any: Any) -> AnyHashable? {
        switch any {
        case is NSNull: return nil
        // Foundation hands JSON's true and false back as NSNumbers of C type `char`.
        case let n as NSNumber where n.objCType.pointee == CChar(UInt8(ascii: "c")): return n.boolValue
        case let n as NSNumber: return n.doubleValue
        case let s as String: return s
        case let a as [Any]: return a.map { shaped($0) }
        case let o as [String: Any]: return o.mapValues { shaped($0) }
        default: return "unexpected \(type(of: any))"
        }
    }

    private static func agree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try JSONParser.document(Array(text.utf8))
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(foundationShaped(ours) == shaped(theirs), "\(text)", sourceLocation: sourceLocation)
    }

    @Test func edgeCasesReadAsFoundationReadsThem() throws {
        try Self.agree(#"{"a": [1, -2.5, 3e2, 0.125E-1, true, false, null], "b": {"c": "d"}, "": ""}"#)
        try Self.agree(#"["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "é中😀", "a\u0000b"]"#)
        try Self.agree(" \r\n\t{ \"k\" : [ ] , \"m\" : { } }\n")
        try Self.agree(#"{"k": 1, "k": 2}"#)
        try Self.agree(#""just a string""#)
        try Self.agree("\u{FEFF}{\"after a byte order mark\": 1}")
    }

    @Test func syntaxErrorsSayWhereAndWhat() throws {
        for (text, line, column, expected) in [
            ("{\"values\": [ {\"name\": \"A\", }", 1, 28, "a quoted key"),
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "':' after a key"),
            ("[1, 2", 1, 6, "',' or ']'"),
            ("{\"a\": tru}", 1, 7, "true"),
            ("{} x", 1, 4, "the end of the document"),
            ("", 1, 1, "a JSON value"),
        ] {
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil, "Foundation accepts \(text)")
            do {
                _ = try JSONParser.document(Array(text.utf8))
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error == JSONSyntaxError(line: line, column: column, expected: expected), "\(text)")
            }
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.document(Array(deep.utf8)) }
    }

    /// The real files read to the same trees as Foundation reads them.
    @Test(.requires(.shared), arguments: [
        "azure/ServiceTags_Public_20251109.json", "azure/ServiceTags_China_20251020.json",
        "azure/ServiceTags_AzureGovernment_20260719.json", "aws/ip-ranges.json", "gcp/cloud.json", "gcp/goog.json",
    ])
    func realFilesReadAsFoundationReadsThem(relative: String) throws {
        let path = try #require(SharedFolder.dataFile(relative))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let ours = try JSONParser.document([UInt8](data))
        let theirs = try JSONSerialization.jsonObject(with: data)
        #expect(Self.foundationShaped(ours) == Self.shaped(theirs))
    }
}
