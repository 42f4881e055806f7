import CaptureRuntime
import TestSupport
import Testing
@testable import EgressAudit

/// Every name the wire carries, against tshark's ground truth for each real
/// capture: TLS SNI, QUIC SNI, HTTP Host and DNS (qname → answers).
@Suite struct NamingAgreementTests {
    /// Names tshark reports that egress-audit must not, or the reverse, each
    /// verified by hand against the frame named.
    static let knownDifferences: [String: (tsharkOnly: Set<String>, oursOnly: Set<String>, why: String)] = [
        "zeek-get-to-ssh-server.pcap": ([], ["http:128.3.50.246"],
            "frame 4 is `GET /` with `Host: 128.3.50.246` sent to port 22; tshark dissects port 22 as SSH (its documented blind spot) and finds no HTTP"),
        "ndpi-fuzz-2006-06-26-2594.pcap": (["dns:", "dns:1.0.0.127.in-a\\032dr.arpa", "dns:1.0.0.127.in-add\u{fffd}.arpa", "dns:<unknown extended label>"], [],
            "fuzzed trace: frames 43, 332, 334, 452 and 615 are DNS that tshark itself marks malformed (its '' and placeholder names); frame 601 claims IPv4 total length 37211 in a 105-byte frame, which egress-audit counts as malformed (ipv4: length-exceeds-enclosing) while tshark dissects on"),
        "tcpdump-dns-badlabel.pcap": (["dns:<name too long>"], [],
            "frame 1's question name is longer than 255 bytes: tshark prints the placeholder '<Name too long>' (and marks the frame malformed); egress-audit refuses the name"),
    ]

    @Test(.requires(.shared))
    func namesMatchTshark() throws {
        let entries = try SharedCaptures.manifest()
        #expect(entries.count >= RealCaptures.manifestEntryCount)
        for entry in entries {
            var analyzer = CapturePipeline(keepsFlows: true)
            analyzer.read(path: SharedCaptures.path(entry.file))
            analyzer.finish()
            let flows = analyzer.flowEntries

            var ours = Set<String>()
            for f in flows {
                if let s = f.sni { ours.insert("sni:\(s)") }
                if let s = f.quicSNI { ours.insert("quic:\(s)") }
                if let s = f.httpHost { ours.insert("http:\(s)") }
            }
            var ourAnswers: [String: Set<String>] = [:]
            for d in analyzer.dnsEntries {
                ours.insert("dns:\(d.name)")
                ourAnswers[d.name, default: []].formUnion(d.answers)
            }

            // tshark's side: names keep their wire case; egress-audit folds case (DNS and
            // SNI compare case-insensitively), so compare lower-cased.
            var theirs = Set<String>()
            for s in entry.sni { theirs.insert("sni:\(s.lowercased())") }
            for s in entry.quic_sni { theirs.insert("quic:\(s.lowercased())") }
            for h in entry.http_hosts { theirs.insert("http:\(Self.hostWithoutPort(h).lowercased())") }
            var theirAnswers: [String: Set<String>] = [:]
            for d in entry.dns {
                if d.qname.isEmpty && !d.answer_records.isEmpty {
                    // A response without a question (mDNS announcement): its records' owners are the names.
                    for r in d.answer_records where r.count == 3 {
                        theirs.insert("dns:\(r[0].lowercased())")
                        theirAnswers[r[0].lowercased(), default: []].insert(r[2].lowercased())
                    }
                    continue
                }
                let name = d.qname.lowercased()
                theirs.insert("dns:\(name)")
                theirAnswers[name, default: []].formUnion(d.answers.map { $0.lowercased() })
            }

            let known = Self.knownDifferences[entry.file]
            #expect(theirs.subtracting(ours) == known?.tsharkOnly ?? [], "\(entry.file): tshark names egress-audit missed")
            #expect(ours.subtracting(theirs) == known?.oursOnly ?? [], "\(entry.file): names only egress-audit reports")
            for (name, answers) in theirAnswers where ourAnswers[name] != nil {
                #expect(ourAnswers[name] == answers, "\(entry.file): answers for \(name)")
            }
        }
    }

    static func hostWithoutPort(_ host: String) -> String {
        if host.hasPrefix("[") { return String(host.dropFirst().prefix { $0 != "]" }) }
        if host.filter({ $0 == ":" }).count == 1 { return String(host.prefix { $0 != ":" }) }
        return host
    }
}
