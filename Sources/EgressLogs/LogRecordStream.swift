import EgressPolicy

/// The records of a log file, each with the line it starts on, whatever the
/// container: one JSON record per line (a diagnostic setting's blobs,
/// `PT1H.json`), `{"records": [...]}` (flow-log blobs), a JSON array (a Log
/// Analytics export), or CSV with a header (a Log Analytics export). A record
/// that is not JSON is reported at its line and the reading goes on from the
/// next line that can start one: one bad line never costs the rest.
public enum LogRecordStream {
    public enum Item {
        case record(JSONValue)
        case malformed(line: Int, column: Int, expected: String)
    }

    /// Calls `body` with each record (or each place the JSON broke), in order.
    public static func jsonRecords(_ bytes: [UInt8], _ body: (Item) -> Void) {
        var p = JSONParser(bytes)
        while p.skipWhitespace() {
            let b = p.peek()
            if b == UInt8(ascii: "[") {
                _ = p.consume(UInt8(ascii: "["))
                elements(&p, body)
                continue
            }
            if b == UInt8(ascii: "{"), let wrapped = recordsWrapper(&p) {
                p = wrapped
                elements(&p, body)
                if !p.consume(UInt8(ascii: "}")) {
                    let e = p.error("'}' closing the object that holds \"records\"")
                    body(.malformed(line: e.line, column: e.column, expected: e.expected))
                    p.skipLine()
                }
                continue
            }
            do {
                body(.record(try p.parseValue()))
            } catch {
                body(.malformed(line: error.line, column: error.column, expected: error.expected))
                p.skipLine()
            }
        }
    }

    /// At `{"records": [`: the parser just inside the array; nil (parser untouched) otherwise.
    private static func recordsWrapper(_ p: inout JSONParser) -> JSONParser? {
        var q = p
        guard q.consume(UInt8(ascii: "{")), q.skipWhitespace(), q.peek() == UInt8(ascii: "\""),
              case .string(let key, _)? = try? q.parseValue(depth: JSONParser.maxDepth - 1),
              key.lowercased() == "records", q.consume(UInt8(ascii: ":")), q.consume(UInt8(ascii: "["))
        else { return nil }
        return q
    }

    /// The elements of an array whose `[` was consumed, through its `]`.
    private static func elements(_ p: inout JSONParser, _ body: (Item) -> Void) {
        if p.consume(UInt8(ascii: "]")) { return }
        while p.skipWhitespace() {
            do {
                body(.record(try p.parseValue()))
            } catch {
                body(.malformed(line: error.line, column: error.column, expected: error.expected))
                // Resynchronise: the next line that opens an object.
                p.skipLine()
                while p.skipWhitespace(), p.peek() != UInt8(ascii: "{") {
                    if p.peek() == UInt8(ascii: "]") { _ = p.consume(UInt8(ascii: "]")); return }
                    p.skipLine()
                }
                continue
            }
            if p.consume(UInt8(ascii: ",")) { continue }
            if p.consume(UInt8(ascii: "]")) { return }
            let e = p.error("',' or ']' between records")
            body(.malformed(line: e.line, column: e.column, expected: e.expected))
            p.skipLine()
        }
    }

    /// CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes)
    /// with a header row; each row becomes an object of its columns as
    /// strings. Log Analytics names time columns `TimeGenerated [UTC]`: the
    /// bracketed suffix is dropped.
    public static func csvRecords(_ bytes: [UInt8], _ body: (Item) -> Void) {
        var i = 0, line = 1
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }  // Excel's UTF-8 byte order mark
        func row() -> (fields: [String], line: Int, unterminated: Bool)? {
            guard i < bytes.count else { return nil }
            let start = line
            var fields: [String] = [], field: [UInt8] = [], quoted = false
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if quoted {
                    if b == UInt8(ascii: "\"") {
                        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") { field.append(b); i += 1 } else { quoted = false }
                    } else {
                        if b == UInt8(ascii: "\n") { line += 1 }
                        field.append(b)
                    }
                    continue
                }
                switch b {
                case UInt8(ascii: "\""): quoted = true
                case UInt8(ascii: ","): fields.append(String(decoding: field, as: UTF8.self)); field = []
                case UInt8(ascii: "\r"): break
                case UInt8(ascii: "\n"):
                    line += 1
                    fields.append(String(decoding: field, as: UTF8.self))
                    return (fields, start, false)
                default: field.append(b)
                }
            }
            fields.append(String(decoding: field, as: UTF8.self))
            return (fields, start, quoted)
        }
        guard let header = row() else { return }
        let columns = header.fields.map { name -> String in
            let trimmed = name.trimmingSpaces
            if let bracket = trimmed.firstIndex(of: "[") { return String(trimmed[..<bracket]).trimmingSpaces }
            return trimmed
        }
        while let r = row() {
            if r.fields.count == 1 && r.fields[0].isEmpty { continue }  // a blank line
            if r.unterminated {
                body(.malformed(line: r.line, column: 1, expected: "a closing '\"' for a quoted field"))
                continue
            }
            guard r.fields.count == columns.count else {
                body(.malformed(line: r.line, column: 1, expected: "\(columns.count) fields as in the header, found \(r.fields.count)"))
                continue
            }
            body(.record(.object(zip(columns, r.fields).map { (key: $0, value: JSONValue.string($1, line: r.line)) }, line: r.line)))
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
