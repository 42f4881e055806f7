import Foundation
import TestSupport
import Testing
@testable import PacketWire

/// Real public captures (read-only, `<repo>/../shared/captures/real`) with
/// tshark's ground truth in manifest.json; payloads extracted with tshark.
/// Skipped when the folder or tshark is absent (failed where CI provides them).
@Suite(.requires(.shared, .tshark))
struct AppWireCaptureAgreementTests {
    typealias F = AppWireFixtures

    @Test func clientHelloSNIAgreesWithTshark() throws {
        var checked = 0
        var singleSegment = 0
        for capture in try RealCaptures.manifest() {
            let expected = Set(capture["sni"] as? [String] ?? [])
            guard !expected.isEmpty, let file = capture["file"] as? String else { continue }
            var found = Set<String>()
            var scratch = [UInt8](repeating: 0, count: 65_536)
            for row in try RealCaptures.fields(file, filter: "tls.handshake.type == 1 && !quic", ["tls.handshake.extensions_server_name", "tcp.payload"]) {
                guard row.count == 2 else { continue }
                let payload = F.bytes(row[1])
                // Single segment: a handshake record whose declared length fits in this payload.
                let recordFits = payload.count >= 9 && payload[0] == 0x16 && payload[5] == 0x01
                    && Int(payload[3]) << 8 | Int(payload[4]) + 5 <= payload.count
                let result = F.withView(payload) { view in
                    scratch.withUnsafeMutableBytes { buffer -> String?? in
                        if case .complete(let hello) = TLSClientHello.parse(records: view, scratch: buffer) {
                            return .some(hello.serverNameString)
                        }
                        return .none
                    }
                }
                if recordFits {
                    singleSegment += 1
                    #expect(result != nil, "\(file): single-segment ClientHello did not parse")
                }
                if let sni = result {
                    checked += 1
                    #expect((sni ?? "") == row[0], "\(file): SNI \(sni ?? "nil") vs tshark \(row[0])")
                    if let sni { found.insert(sni) }
                }
            }
            #expect(found.isSubset(of: expected), "\(file): \(found.subtracting(expected)) not in manifest")
            print("capture agreement: \(file): \(found.count) of \(expected.count) SNIs from single segments")
        }
        print("capture agreement: \(checked) ClientHellos parsed, \(singleSegment) single-segment")
        #expect(checked > 30 && singleSegment > 30, "checked \(checked) ClientHellos")
    }

    /// ALPN list, supported_versions and ECH presence against tshark's own dissection of the same frames.
    @Test func clientHelloExtensionsAgreeWithTshark() throws {
        var checked = 0
        var withECH = 0
        var scratch = [UInt8](repeating: 0, count: 65_536)
        for capture in try RealCaptures.manifest() {
            guard !(capture["sni"] as? [String] ?? []).isEmpty, let file = capture["file"] as? String else { continue }
            let rows = try RealCaptures.fields(
                file, filter: "tls.handshake.type == 1 && !quic",
                ["tls.handshake.extensions_alpn_str", "tls.handshake.extension.type", "tls.handshake.extensions.supported_version", "tcp.payload"],
                allOccurrences: true)
            for row in rows where row.count == 4 {
                let payload = F.bytes(row[3])
                F.withView(payload) { view in
                    scratch.withUnsafeMutableBytes { buffer in
                        guard case .complete(let hello) = TLSClientHello.parse(records: view, scratch: buffer) else { return }
                        checked += 1
                        #expect(hello.alpnProtocols.strings.joined(separator: ",") == row[0], "\(file) ALPN")
                        let types = row[1].split(separator: ",").compactMap { Int($0) }
                        #expect(hello.hasECH == types.contains(0xFE0D), "\(file) ECH")
                        #expect(hello.extensionCount == types.count, "\(file) extension count")
                        let versions = row[2].split(separator: ",").compactMap { UInt16($0.dropFirst(2), radix: 16) }
                        #expect(Array(hello.versions) == versions, "\(file) supported_versions")
                        if hello.hasECH { withECH += 1 }
                    }
                }
            }
        }
        print("capture agreement: \(checked) ClientHellos' ALPN/versions/ECH checked, \(withECH) with ECH")
        #expect(checked > 30 && withECH > 0)
    }

    @Test func dnsResponsesAgreeWithManifest() throws {
        var checked = 0
        var skipped = 0
        for capture in try RealCaptures.manifest() {
            let entries = capture["dns"] as? [[String: Any]] ?? []
            guard !entries.isEmpty, let file = capture["file"] as? String else { continue }
            let truth = Set(entries.compactMap { e -> String? in
                guard (e["transport"] as? String) == "udp" else { return nil }
                let records = (e["answer_records"] as? [[String]] ?? []).map { $0.joined(separator: " ") }
                return "\(e["qname"] as? String ?? "")|\(e["qtype"] as? Int ?? -1)|\(e["rcode"] as? Int ?? -1)|\(records.joined(separator: ","))"
            })
            for row in try RealCaptures.fields(file, filter: "dns.flags.response == 1 && udp && !icmp && !icmpv6", ["udp.payload"]) {
                let payload = F.bytes(row[0])
                guard let key = Self.summary(payload) else {
                    skipped += 1
                    continue
                }
                checked += 1
                #expect(truth.contains(key), "\(file): \(key) not in manifest")
            }
        }
        print("capture agreement: \(checked) DNS responses matched, \(skipped) rejected as malformed")
        #expect(checked > 100, "checked \(checked) DNS responses")
    }

    /// Manifest-style summary: first question, rcode, and the answer section's A/AAAA/CNAME records.
    /// Nil for a message the parser rejects (all in the fuzz and bad-label captures).
    static func summary(_ payload: [UInt8]) -> String? {
        AppWireFixtures.withView(payload) { view -> String? in
            guard let m = try? DNSMessage(view) else { return nil }
            var name = DNSNameBuffer()
            var qname = ""
            var qtype = -1
            if let q = m.firstQuestion {
                guard (try? m.decodeName(at: q.nameOffset, into: &name)) != nil else { return nil }
                qname = name.string
                qtype = Int(q.type)
            }
            var answers: [String] = []
            var records = m.records()
            do throws(DNSIssue) {
                while let r = try records.next(), r.section == .answer {
                    let kind: String
                    let value: String
                    switch r.type {
                    case DNSRecordType.a:
                        kind = "A"; value = r.ipv4?.description ?? ""
                    case DNSRecordType.aaaa:
                        kind = "AAAA"; value = r.ipv6?.description ?? ""
                    case DNSRecordType.cname:
                        kind = "CNAME"
                        try m.decodeName(at: r.dataOffset, into: &name)
                        value = name.string
                    default:
                        continue
                    }
                    try m.decodeName(at: r.nameOffset, into: &name)
                    answers.append("\(name.string) \(kind) \(value)")
                }
            } catch {
                // Lax like tshark: a snaplen cut (tcpdump-dns_udp_2.pcap) keeps the records before it.
                guard error.what == .truncated else { return nil }
            }
            return "\(qname)|\(qtype)|\(m.header.responseCode.rawValue)|\(answers.joined(separator: ","))"
        }
    }

    @Test func httpHostsAgreeWithManifest() throws {
        var checked = 0
        for capture in try RealCaptures.manifest() {
            let expected = Set(capture["http_hosts"] as? [String] ?? [])
            guard !expected.isEmpty, let file = capture["file"] as? String else { continue }
            for row in try RealCaptures.fields(file, filter: "http.request", ["http.host", "tcp.payload"]) {
                guard row.count == 2, !row[1].isEmpty else { continue }
                let result = F.withView(F.bytes(row[1])) { HTTPRequestHead.parse($0) }
                guard case .complete(let head) = result else {
                    Issue.record("\(file): request head did not parse: \(result)")
                    continue
                }
                checked += 1
                #expect((head.hostString ?? "") == row[0])
                if let host = head.hostString { #expect(expected.contains(host)) }
            }
        }
        #expect(checked > 0)
    }
}
