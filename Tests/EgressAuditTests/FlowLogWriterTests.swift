import CaptureRuntime
import FlowEngine
import Foundation
import PacketWire
import TestSupport
import Testing
@testable import EgressAudit

/// The flow log (`--flow-log`): every line of a bundled capture's log parsed
/// back as JSON and held against tshark (conversations, Community IDs, times,
/// packet and byte counts) and the capture's plant list (endpoints, outcomes,
/// names); the byte-level pieces (string escaping, IPv6 text) against
/// Foundation and `IPAddress.description`; and the error texts.
@Suite struct FlowLogWriterTests {
    static let capture = RealCaptures.repositoryRoot.appendingPathComponent("Captures/gateway-egress.pcap").path
    static let plants = RealCaptures.repositoryRoot.appendingPathComponent("Captures/gateway-egress.plants.json").path

    /// Every key a line may carry, in the order the writer must keep.
    static let keyOrder = ["ts", "end", "community_id", "proto", "src", "sport", "dst", "dport", "outcome",
                           "initiator_evidence", "pkts_out", "bytes_out", "pkts_in", "bytes_in", "syn_retransmits",
                           "sni", "quic_sni", "http_host", "connect", "alpn", "dns", "ech", "verdict", "destination", "rules"]

    static func temporaryPath() -> String {
        TestScratch.path("flowlog.jsonl")
    }

    /// The capture's flows written to a temporary flow log, read back: each line's text and parsed object.
    static func logOfCapture() throws -> [(text: String, object: [String: Any])] {
        var pipeline = CapturePipeline(keepsFlows: true)
        pipeline.read(path: capture)
        pipeline.finish()
        #expect(pipeline.errors.isEmpty)
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try FlowLogWriter(path: path)
        for flow in pipeline.flows { writer.write(flow, names: pipeline.tracker.names, audit: nil) }
        try writer.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.last == 0x0a, "the log ends with a newline")
        return try data.split(separator: 0x0a).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            return (String(decoding: line, as: UTF8.self), object)
        }
    }

    /// The top-level keys of a line in order (the lines here carry no `":` inside values).
    static func keys(_ line: String) -> [String] {
        line.matches(of: /"([a-z_]+)":/).map { String($0.output.1) }
    }

    /// A line's 5-tuple as tshark's packets name it.
    static func tuple(_ o: [String: Any]) throws -> TsharkCommunityIDs.Tuple {
        let source = try #require((o["src"] as? String).flatMap(IPAddress.init)), sourcePort = try #require(o["sport"] as? Int)
        let destination = try #require((o["dst"] as? String).flatMap(IPAddress.init)), destinationPort = try #require(o["dport"] as? Int)
        return TsharkCommunityIDs.Tuple(proto: o["proto"] as? String == "tcp" ? 6 : 17, source: source, sourcePort: UInt16(sourcePort),
                                        destination: destination, destinationPort: UInt16(destinationPort))
    }

    /// "2026-01-01T00:00:01.405429000Z" → nanoseconds since the epoch, through Foundation's own parser.
    static func nanoseconds(_ text: String) throws -> Int64 {
        let formatter = ISO8601DateFormatter()
        let date = try #require(formatter.date(from: String(text.prefix(19)) + "Z"), "\(text)")
        let fraction = text.dropFirst(20).prefix(9)
        #expect(text.count == 30 && text.last == "Z" && fraction.count == 9, "\(text)")
        return Int64(date.timeIntervalSince1970) * 1_000_000_000 + (Int64(fraction) ?? -1)
    }

    @Test(.requires(.tshark))
    func everyFlowOfACaptureAgreesWithTshark() throws {
        let log = try Self.logOfCapture()

        // One line per TCP/UDP conversation tshark sees.
        let conversations = try TsharkCommunityIDs.run(["-n", "-r", Self.capture, "-q", "-z", "conv,tcp", "-z", "conv,udp"])
            .split(separator: "\n").filter { $0.contains("<->") }
        #expect(conversations.count == 44)
        #expect(log.count == conversations.count)

        let packets = try TsharkCommunityIDs.packets(Self.capture)
        let ids = TsharkCommunityIDs.byFlow(packets)
        let byFlow = Dictionary(grouping: packets, by: \.tuple.unordered)
        let hellos = try TsharkCommunityIDs.clientHellos(Self.capture)
        #expect(hellos.count == 12)
        var seen = Set<TsharkCommunityIDs.Tuple>()
        for (text, o) in log {
            let keys = Self.keys(text)
            #expect(keys == Self.keyOrder.filter { keys.contains($0) }, "key order: \(text)")
            #expect(Array(keys.prefix(15)) == Array(Self.keyOrder.prefix(15)), "fixed keys: \(text)")
            let tuple = try Self.tuple(o)
            #expect(seen.insert(tuple.unordered).inserted, "one line per flow: \(tuple)")
            #expect(o["community_id"] as? String == ids[tuple.unordered], "\(tuple)")

            // Times and counts from tshark's packets of this flow; "out" is what the initiator (src) sent.
            let mine = byFlow[tuple.unordered] ?? []
            #expect(!mine.isEmpty, "tshark has no packets for \(tuple)")
            let out = mine.filter { $0.tuple.source == tuple.source && $0.tuple.sourcePort == tuple.sourcePort }
            let back = mine.filter { !($0.tuple.source == tuple.source && $0.tuple.sourcePort == tuple.sourcePort) }
            #expect(try Self.nanoseconds(try #require(o["ts"] as? String)) == mine.map(\.time).min(), "ts \(tuple)")
            #expect(try Self.nanoseconds(try #require(o["end"] as? String)) == mine.map(\.time).max(), "end \(tuple)")
            #expect(o["pkts_out"] as? Int == out.count, "pkts_out \(tuple)")
            #expect(o["pkts_in"] as? Int == back.count, "pkts_in \(tuple)")
            #expect(o["bytes_out"] as? Int == out.map(\.length).reduce(0, +), "bytes_out \(tuple)")
            #expect(o["bytes_in"] as? Int == back.map(\.length).reduce(0, +), "bytes_in \(tuple)")

            // The ClientHello's server name and first ALPN protocol, as tshark decodes them.
            let hello = hellos[tuple.unordered]
            let sni = tuple.proto == 6 ? o["sni"] : o["quic_sni"]
            #expect(sni as? String == hello.map(\.sni), "sni \(tuple)")
            #expect(o["alpn"] as? String == hello.flatMap { $0.alpn.split(separator: ",").first.map(String.init) }, "alpn \(tuple)")
        }
    }

    /// The plant list's flows: endpoints in the initiator's direction, outcome and names.
    @Test func plantedFlowsAndNames() throws {
        let log = try Self.logOfCapture().map(\.object)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.plants))) as? [String: Any])
        let planted = try #require(root["flows"] as? [[String: Any]])
        let dns = try #require(root["dns"] as? [[String: Any]])
        #expect(planted.count == 40)
        // The generator's outcome words → FlowOutcome names.
        let outcomes = ["replied": "established", "established": "established", "unanswered": "unanswered",
                        "refused": "refused", "prohibited": "prohibited"]
        var namedLines = 0
        for plant in planted {
            let client = try #require(plant["client"] as? String), server = try #require(plant["server"] as? String)
            let clientPort = try #require(plant["clientPort"] as? Int), serverPort = try #require(plant["serverPort"] as? Int)
            let matches = log.filter {
                $0["proto"] as? String == plant["transport"] as? String && $0["src"] as? String == client && $0["sport"] as? Int == clientPort
                    && $0["dst"] as? String == server && $0["dport"] as? Int == serverPort
            }
            let label = "\(client):\(clientPort) → \(server):\(serverPort)"
            #expect(matches.count == 1, "\(label): \(matches.count) lines")
            guard let line = matches.first else { continue }
            #expect(line["outcome"] as? String == outcomes[plant["outcome"] as? String ?? ""], "\(label) outcome")
            #expect(line["sni"] as? String == plant["sni"] as? String, "\(label) sni")
            #expect(line["quic_sni"] as? String == plant["quicSNI"] as? String, "\(label) quic_sni")
            // The plant list keeps the Host header as sent; the log keeps the host.
            let host = (plant["httpHost"] as? String).map { $0.split(separator: ":").first.map(String.init) ?? $0 }
            #expect(line["http_host"] as? String == host, "\(label) http_host")
            #expect(line["connect"] as? String == plant["connectTarget"] as? String, "\(label) connect")
            // (QUIC flows' ALPN is not in the plant list: tshark checks it.)
            if let alpn = plant["alpn"] as? [String] { #expect(line["alpn"] as? String == alpn.first, "\(label) alpn") }
            #expect(line["ech"] as? Bool == ((plant["ech"] as? Bool) == true ? true : nil), "\(label) ech")
            // The name the client asked DNS for before connecting to this address.
            let asked = dns.filter { ($0["addresses"] as? [String] ?? []).contains(server) }.compactMap { $0["qname"] as? String }
            #expect(line["dns"] as? String == asked.last, "\(label) dns")
            if line["sni"] != nil || line["quic_sni"] != nil || line["http_host"] != nil { namedLines += 1 }
            #expect(line["verdict"] == nil && line["rules"] == nil, "no audit, no verdict")
        }
        #expect(namedLines == 13)
    }

    /// A hand-built flow, the whole line byte for byte: direction (the
    /// initiator is the key's high endpoint), every optional field, the audit.
    @Test func oneLineByteForByte() throws {
        var names = NameTable()
        let a = try #require(IPAddress("1.2.3.4")), b = try #require(IPAddress("5.6.7.8"))
        let key = FlowKey(transport: .tcp, b, 3344, a, 1122)
        #expect(key.lowAddress == a)
        // 2026-01-01T00:00:00Z is 1767225600 s (`date -u -d 2026-01-01 +%s`).
        var r = FlowRecord(key: key, initiatorIsLow: false, evidence: .handshake, timestamp: 1_767_225_600_000_723_000)
        r.lastSeen = 1_767_225_601_250_000_001
        r.fromInitiator.packets = 7; r.fromInitiator.bytes = 1234
        r.fromResponder.packets = 5; r.fromResponder.bytes = 5_000_000_000
        r.synCount = 3; r.synAckSeen = true
        r.sni = names.intern("cloudflare-ech.com")
        r.httpHost = names.intern("Example.COM")
        r.connectTarget = names.intern("2001:db8::1")
        r.connectPort = 8443
        r.alpn = names.intern("h2")
        r.dnsName = names.intern("pastebin.com.")
        r.echPresent = true
        var out: [UInt8] = []
        FlowLogWriter.appendLine(r, names: names, audit: FlowLogVerdict(verdict: "blocked", destination: "pastebin.com", rules: ["r1", "dns \"x\""]), to: &out)
        // The community ID is the spec's own TCP vector for 1.2.3.4:1122 ↔ 5.6.7.8:3344.
        let expected = #"{"ts":"2026-01-01T00:00:00.000723000Z","end":"2026-01-01T00:00:01.250000001Z","community_id":"1:wCb3OG7yAFWelaUydu0D+125CLM=","proto":"tcp","src":"5.6.7.8","sport":3344,"dst":"1.2.3.4","dport":1122,"outcome":"established","initiator_evidence":"handshake","pkts_out":7,"bytes_out":1234,"pkts_in":5,"bytes_in":5000000000,"syn_retransmits":2,"sni":"cloudflare-ech.com","http_host":"example.com","connect":"[2001:db8::1]:8443","alpn":"h2","dns":"pastebin.com","ech":true,"verdict":"blocked","destination":"pastebin.com","rules":["r1","dns \"x\""]}"# + "\n"
        #expect(String(decoding: out, as: UTF8.self) == expected)

        // The bare minimum: no names, no audit, an empty rule list stays a list.
        let quiet = FlowRecord(key: FlowKey(transport: .udp, a, 53, b, 40000), initiatorIsLow: false, evidence: .servicePort, timestamp: 0)
        out.removeAll()
        FlowLogWriter.appendLine(quiet, names: names, audit: FlowLogVerdict(verdict: "allowed", destination: "", rules: []), to: &out)
        #expect(String(decoding: out, as: UTF8.self).hasSuffix(#""syn_retransmits":0,"verdict":"allowed","destination":"","rules":[]}"# + "\n"))
        #expect(String(decoding: out, as: UTF8.self).contains(#""proto":"udp","src":"5.6.7.8","sport":40000,"dst":"1.2.3.4","dport":53,"outcome":"responder-only""#))
    }

    /// Names come off the wire: quotes, backslashes, control bytes and broken
    /// UTF-8 must still make one valid JSON line.
    @Test func namesAreEscaped() throws {
        var names = NameTable()
        let raw: [UInt8] = Array("a\"b\\c".utf8) + [0x01, 0x09, 0x0a, 0x7f] + Array("é".utf8) + [0xff, 0x2e, 0x78]
        let id = raw.withUnsafeBytes { names.intern(ByteView($0)) }
        var out: [UInt8] = []
        names.withBytes(id) { view in view.withUnsafeBytes { FlowLogWriter.appendJSONString($0, to: &out) } }
        #expect(String(decoding: out, as: UTF8.self) == "\"a\\\"b\\\\c\\u0001\\t\\n\u{7f}é\u{fffd}.x\"")

        // The same inside a whole line, parsed back.
        var r = FlowRecord(key: FlowKey(transport: .tcp, IPAddress(ipv4: 1), 1, IPAddress(ipv4: 2), 2), initiatorIsLow: true, evidence: .firstPacket, timestamp: 0)
        r.sni = id
        out.removeAll()
        FlowLogWriter.appendLine(r, names: names, audit: FlowLogVerdict(verdict: "x\u{0}y", destination: "\u{1f}", rules: ["\\"]), to: &out)
        #expect(out.filter { $0 == 0x0a } == [0x0a] && out.last == 0x0a, "one line")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
        #expect(o["sni"] as? String == "a\"b\\c\u{1}\t\n\u{7f}é\u{fffd}.x")
        #expect(o["verdict"] as? String == "x\u{0}y")
        #expect(o["destination"] as? String == "\u{1f}")
        #expect(o["rules"] as? [String] == ["\\"])
    }

    /// Random bytes, biased to UTF-8 lead and continuation bytes: the escaped
    /// text parses to what `String(decoding:as:)` (and so every report) makes of them.
    @Test func arbitraryBytesBecomeTheStringSwiftDecodes() throws {
        var rng = SplitMix64(seed: 0x666c_6f77)
        let interesting: [UInt8] = [0x00, 0x1f, 0x22, 0x5c, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
                                    0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff, 0x41]
        for round in 0..<3000 {
            let count = Int(rng.next() % 12)
            let bytes: [UInt8] = (0..<count).map { _ in
                rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : interesting[Int(rng.next() % UInt64(interesting.count))]
            }
            var out: [UInt8] = [UInt8(ascii: "[")]
            bytes.withUnsafeBytes { FlowLogWriter.appendJSONString($0, to: &out) }
            out.append(UInt8(ascii: "]"))
            let parsed = try JSONSerialization.jsonObject(with: Data(out)) as? [String]
            #expect(parsed == [String(decoding: bytes, as: UTF8.self)], "round \(round): \(bytes)")
        }
    }

    /// RFC 5952 text without a String, against `IPAddress.description`, on
    /// addresses rich in zero runs (where the compression rules bite).
    @Test func addressTextMatchesDescription() {
        var rng = SplitMix64(seed: 5952)
        for _ in 0..<20_000 {
            var words: [UInt64] = [0, 0]
            for g in 0..<8 {
                let group: UInt64 = switch rng.next() % 4 {
                case 0, 1: 0
                case 2: rng.next() % 16
                default: rng.next() & 0xffff
                }
                words[g / 4] |= group << UInt64(48 - 16 * (g % 4))
            }
            let address = rng.next() % 8 == 0 ? IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())) : IPAddress(ipv6High: words[0], low: words[1])
            var out: [UInt8] = []
            FlowLogWriter.appendAddress(address, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == address.description)
        }
        for text in ["::", "::1", "1::", "2001:db8::1:0:0:1", "2001:0:0:1::1", "fe80::20d:3aff:fe10:4", "0.0.0.0", "255.255.255.255", "10.1.0.4"] {
            var out: [UInt8] = []
            FlowLogWriter.appendAddress(IPAddress(text)!, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == text)
        }
    }

    @Test func openErrorIsOneLine() throws {
        #expect(throws: FlowLogError.self) { try FlowLogWriter(path: "/nonexistent-flow-log-dir/flows.jsonl") }
        do {
            _ = try FlowLogWriter(path: "/nonexistent-flow-log-dir/flows.jsonl")
        } catch {
            #expect(error.description == "/nonexistent-flow-log-dir/flows.jsonl: cannot write the flow log (No such file or directory)")
        }
        let directory = FileManager.default.temporaryDirectory.path
        do {
            _ = try FlowLogWriter(path: directory)
            Issue.record("opened a directory")
        } catch {
            #expect(error.description == "\(directory): cannot write the flow log (Is a directory)")
        }
    }

    /// A full disk (/dev/full) is reported by close(), in the same one line.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full (Linux)")) func writeErrorSurfacesOnClose() throws {
        let writer = try FlowLogWriter(path: "/dev/full")
        writer.write(FlowRecord(key: FlowKey(transport: .udp, IPAddress(ipv4: 1), 1, IPAddress(ipv4: 2), 2), initiatorIsLow: true, evidence: .firstPacket, timestamp: 0), names: NameTable())
        do {
            try writer.close()
            Issue.record("close() hid the write error")
        } catch {
            #expect(error.description == "/dev/full: cannot write the flow log (No space left on device)")
        }
    }

    /// Lines reach the file when the buffer fills, whole; the rest on flush();
    /// the file is created 0644 and truncated when reopened.
    @Test func buffersAboutSixtyFourKiB() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("stale\n".utf8).write(to: URL(fileURLWithPath: path))
        let writer = try FlowLogWriter(path: path)
        let names = NameTable()
        func size() throws -> Int { try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) }
        #expect(try size() == 0, "truncated")
        var written = 0
        while try size() == 0 && written < 2000 {
            var r = FlowRecord(key: FlowKey(transport: .tcp, IPAddress(ipv4: 0x0a00_0001), UInt16(1024 + written), IPAddress(ipv4: 0x0a00_0002), 443),
                               initiatorIsLow: true, evidence: .handshake, timestamp: 0)
            r.fromInitiator.packets = 1
            writer.write(r, names: names)
            written += 1
        }
        let first = try size()
        #expect(first > 56 * 1024 && first <= 64 * 1024, "first write: \(first) bytes after \(written) lines")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).last == 0x0a, "whole lines only")
        try writer.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == written)
        try writer.close()
        // 0644 less the umask: owner read-write, nobody executes, nobody else writes.
        let permissions = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(permissions & 0o600 == 0o600 && permissions & 0o133 == 0, "mode \(String(permissions, radix: 8))")
    }

    /// "-" borrows standard output and leaves it open.
    @Test func standardOutputStaysOpen() throws {
        let writer = try FlowLogWriter(path: "-")
        try writer.close()
        #expect(fcntl(STDOUT_FILENO, F_GETFD) != -1)
    }
}
