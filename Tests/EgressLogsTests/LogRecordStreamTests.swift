@testable import EgressLogs
import Testing

/// Records are found in every container, each with its line; a broken one costs only itself.
@Suite struct LogRecordStreamTests {
    static func lines(_ text: String, csv: Bool = false) -> [String] {
        var out: [String] = []
        let body: (LogRecordStream.Item) -> Void = { item in
            switch item {
            case .record(let r): out.append("record@\(r.line)")
            case .malformed(let line, let column, _): out.append("bad@\(line):\(column)")
            }
        }
        if csv { LogRecordStream.csvRecords(Array(text.utf8), body) } else { LogRecordStream.jsonRecords(Array(text.utf8), body) }
        return out
    }

    @Test func oneRecordPerLineWithABrokenLineInTheMiddle() {
        let text = "{\"a\": 1}\n{\"a\": 2}\n{\"a\": \"cut\n{\"a\": 4}\n"
        #expect(Self.lines(text) == ["record@1", "record@2", "bad@3:11", "record@4"])
    }

    @Test func recordsWrapperAndArray() {
        #expect(Self.lines("{\n \"records\": [\n  {\"a\": 1},\n  {\"a\": 2}\n ]\n}\n") == ["record@3", "record@4"])
        #expect(Self.lines("[\n{\"a\": 1},\n{\"a\": tru},\n{\"a\": 3}\n]") == ["record@2", "bad@3:7", "record@4"])
        #expect(Self.lines("{\"records\": []}") == [])
    }

    @Test func csvWithQuotesAndATooShortRow() {
        let text = "TimeGenerated [UTC],Type,msg_s\n2024-01-01T00:00:00Z,AzureDiagnostics,\"a, \"\"quoted\"\"\nmsg\"\n2024-01-01T00:00:01Z,AzureDiagnostics\n"
        #expect(Self.lines(text, csv: true) == ["record@2", "bad@4:1"])
        var keys: [String] = [], msg = ""
        LogRecordStream.csvRecords(Array(text.utf8)) { item in
            if case .record(.object(let members, _)) = item {
                keys = members.map(\.key)
                msg = members.last?.value.text ?? ""
            }
        }
        #expect(keys == ["TimeGenerated", "Type", "msg_s"])
        #expect(msg == "a, \"quoted\"\nmsg")
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let text = String(repeating: "[", count: 10_000)
        #expect(Self.lines(text).first?.hasPrefix("bad@1:") == true)
    }
}
