import CaptureRuntime
import Foundation
import TestSupport
import Testing
@testable import EgressAudit

/// The hand-written audit-report writer gives exactly the text Foundation's
/// JSONEncoder gives for the same report (the reference: an independent
/// implementation of the same layout), on every demo report and on a report
/// built to hold every awkward value.
@Suite struct ReportJSONTests {
    @Test(.requires(.shared), arguments: AuditDemoTests.demos)
    func demoReportsMatchTheEncoder(demo: String) throws {
        let report = try AuditDemoTests.run(demo).report
        let ours = try ReportOutput.json(report)
        let reference = try ReportOutput.encoderJSON(report)
        #expect(ours == reference, "diff \(Self.keep(ours, reference, demo))")
        #expect(ours.utf8.count > 5000)
    }

    @Test func awkwardValuesMatchTheEncoder() throws {
        let odd = "q\"b\\s/\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f} é \u{2028} 😀"
        let destination = AuditReport.Destination(
            destination: odd, nameSource: .quicSNI, addresses: ["2001:db8::1", "192.0.2.1"], ports: [], flows: 0, failedFlows: 7,
            bytesSent: UInt64.max, bytesReceived: 0, firstSeen: "", lastSeen: odd, serviceTags: [odd, "AzureCloud"], rules: [],
            direction: "inbound", addressCount: 2, nodes: ["10.0.0.1", odd], nodeCount: 3, portCount: 0, estimated: ["nodes"],
            failures: ["unanswered": 4, odd: 3], folded: odd)
        let report = AuditReport(
            verdict: odd,
            profile: .init(id: "p", title: odd, parameters: ["b": "1", "A": odd, "a-b": "", "a_b": "2"], features: [], serviceTagFiles: [odd]),
            profiles: [
                .init(id: "p", title: odd, parameters: ["b": "1", "A": odd], features: [], serviceTagFiles: [odd]),
                .init(id: odd, title: "", parameters: [:], features: [odd], serviceTagFiles: []),
            ],
            nodes: .init(addresses: [], how: ""),
            findings: [
                .init(kind: .blockedRequired, summary: odd, rule: nil, destination: nil, port: nil, profile: odd),
                .init(kind: .wrongPort, summary: "s", rule: "r", destination: odd, port: 65535),
            ],
            undocumented: [destination, destination], wrongPort: [], allowed: [destination], resolvers: [],
            requiredRules: [
                .init(rule: odd, profile: odd, status: "satisfied", feature: nil, purpose: "", flows: 1, failedFlows: 0, destinations: [], failures: [.init(destination: odd, outcome: "refused", flows: 2)],
                      nodes: ["10.0.0.9": "satisfied", "10.0.0.10": "attempted-but-failing", "2001:db8::a": odd]),
                .init(rule: "x", profile: "p", status: "not-seen", feature: "f", purpose: odd, flows: 0, failedFlows: 0, destinations: ["d"], failures: [],
                      nodes: [:]),
            ],
            optionalRules: [],
            dnsFailures: [.init(name: odd, rcode: "NXDOMAIN", rules: [], required: false), .init(name: "n", rcode: "SERVFAIL", rules: ["a", "b"], required: true)],
            warnings: [odd, ""],
            suggestions: [.init(kind: "fqdn", value: odd, transport: "udp", port: 0)],
            capture: CapturePipeline().summary,
            nameMismatches: [.init(address: "192.0.2.1", port: 443, sni: odd, dns: "d", flows: 2)],
            flowTotals: .init(outbound: 1, inbound: 2, notAudited: 3), initiators: [.init(address: "10.0.0.1", flows: 9)],
            limits: ["groups": 256, "a": 1], overflow: [.init(cap: "groups", limit: 256, flows: 12)])
        let ours = try ReportOutput.json(report), reference = try ReportOutput.encoderJSON(report)
        #expect(ours == reference, "diff \(Self.keep(ours, reference, "awkward"))")
    }

    /// On a difference: both texts in a temporary folder, to diff by hand.
    static func keep(_ ours: String, _ reference: String, _ name: String) -> String {
        guard ours != reference else { return "" }
        let dir = FileManager.default.temporaryDirectory
        let a = dir.appendingPathComponent("report-json-\(name).ours.json"), b = dir.appendingPathComponent("report-json-\(name).encoder.json")
        try? Data(ours.utf8).write(to: a)
        try? Data(reference.utf8).write(to: b)
        return "\(a.path) \(b.path)"
    }
}

/// The writer's word-at-a-time escape scan against the byte-at-a-time rule.
@Suite struct JSONEscapeScanTests {
    @Test func everyByteAtEveryPosition() {
        for length in 1...17 {
            for position in 0..<length {
                for b in 0...255 {
                    // Filler bytes that need no escape, some of them UTF-8 continuation bytes.
                    var bytes = (0..<length).map { UInt8([0x41, 0xC3, 0xA9, 0x7E, 0x21, 0x23, 0x5B, 0x5D][$0 % 8]) }
                    bytes[position] = UInt8(b)
                    let expected = b < 0x20 || b == 0x22 || b == 0x5C
                    let found = bytes.withUnsafeBufferPointer { JSONTextWriter.needsEscape($0) }
                    #expect(found == expected, "byte \(b) at \(position) of \(length)")
                }
            }
        }
    }
}

/// The writer's own byte moves: short copies by overlapping words, indents by whole words
/// into the sink's slack, checked at every length and depth around the word sizes.
@Suite struct JSONTextWriterLayoutTests {
    @Test func copiesEveryLength() {
        let source = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for count in 0...source.count {
            var target = [UInt8](repeating: 0xEE, count: count + 8)
            source.withUnsafeBufferPointer { from in
                target.withUnsafeMutableBufferPointer { to in ByteSink.copy(from.baseAddress!, count: count, to: to.baseAddress!) }
            }
            #expect(Array(target[..<count]) == Array(source[..<count]), "\(count) bytes")
            #expect(target[count...].allSatisfy { $0 == 0xEE }, "nothing past \(count) bytes")
        }
    }

    @Test func stringsAndIndentsMatchTheEncoder() throws {
        let texts = (0...40).map { String(repeating: "a", count: $0) } + ["é" + String(repeating: "b", count: 20), "q\"\\"]
        for depth in 1...12 {
            var w = JSONTextWriter(reservingCapacity: 0)
            for _ in 1..<depth { w.beginArray(); w.element() }
            w.stringArray(texts)
            for _ in 1..<depth { w.endArray() }
            w.newline()
            var nested: Any = texts
            for _ in 1..<depth { nested = [nested] }
            let reference = try NestedStrings.encode(nested)
            #expect(w.text == reference, "depth \(depth)")
        }
    }

    /// Nested string arrays through JSONEncoder: the reference layout.
    enum NestedStrings {
        struct Nested: Encodable {
            let value: Any
            func encode(to encoder: Encoder) throws {
                var c = encoder.singleValueContainer()
                if let strings = value as? [String] { try c.encode(strings) } else { try c.encode((value as! [Any]).map { Nested(value: $0) }) }
            }
        }
        static func encode(_ value: Any) throws -> String { try ReportOutput.encoderJSON(Nested(value: value)) }
    }
}
