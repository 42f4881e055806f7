import CaptureRuntime
import Foundation
import PacketCapture
import TestSupport
import Testing
@testable import EgressAudit

/// The link layers a gateway may hand over, checked against tshark: real
/// Ethernet captures re-framed packet by packet as PPP, PPP in HDLC framing,
/// Cisco HDLC, PPPoE without Ethernet, pflog and NFLOG (both byte orders).
/// tshark reads each re-framed file; egress-audit must count what tshark
/// counts and find the names tshark finds (and tshark the names it finds in
/// the original, so the framing itself is right).
@Suite struct LinkLayerAgreementTests {
    /// TLS, QUIC, DNS and HTTP (in VLAN-tagged and VXLAN-tunnelled frames) from real captures.
    static let captures = ["ja4-tls-sni.pcapng", "zeek-chrome-34-google.pcap", "zeek-curl-8.1.2-dev-http3-www-google-de.pcap",
                           "ndpi-bad-dns-traffic.pcap", "zeek-long-connection.pcap", "zeek-http-vlan-0.pcap", "zeek-vxlan-encapsulated-http.pcap"]

    /// How each link type wraps an IP packet (definitions: tcpdump.org/linktypes, RFC 1661/1662, tcpdump's printers).
    static let framings: [(name: String, dlt: UInt32, bigEndianFile: Bool, frame: @Sendable ([UInt8]) -> [UInt8])] = [
        ("PPP", 9, false, { ip in [0xff, 0x03] + (ip[0] >> 4 == 6 ? [0x00, 0x57] : [0x00, 0x21]) + ip }),
        ("PPP protocol-compressed", 9, false, { ip in (ip[0] >> 4 == 6 ? [0x57] : [0x21]) + ip }),
        ("PPP_SERIAL", 50, false, { ip in [0xff, 0x03] + (ip[0] >> 4 == 6 ? [0x00, 0x57] : [0x00, 0x21]) + ip }),
        ("C_HDLC", 104, false, { ip in [0x0f, 0x00] + (ip[0] >> 4 == 6 ? [0x86, 0xdd] : [0x08, 0x00]) + ip }),
        ("PPP_ETHER", 51, false, { ip in
            [0x11, 0x00, 0x00, 0x01, UInt8((ip.count + 2) >> 8), UInt8((ip.count + 2) & 0xff)]
                + (ip[0] >> 4 == 6 ? [0x00, 0x57] : [0x00, 0x21]) + ip }),
        ("PFLOG", 117, false, { ip in
            var h = [UInt8](repeating: 0, count: 64)
            h[0] = 61; h[1] = ip[0] >> 4 == 6 ? 24 : 2
            return h + ip }),
        ("NFLOG", 239, false, { ip in nflog(ip, bigEndian: false) }),
        ("NFLOG big-endian", 239, true, { ip in nflog(ip, bigEndian: true) }),
    ]

    static func nflog(_ ip: [UInt8], bigEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xff)] : [UInt8(v & 0xff), UInt8(v >> 8)] }
        func tlv(_ type: Int, _ value: [UInt8]) -> [UInt8] {
            u16(4 + value.count) + u16(type) + value + [UInt8](repeating: 0, count: (4 - (4 + value.count) % 4) % 4)
        }
        let v6 = ip[0] >> 4 == 6
        return [v6 ? 10 : 2, 0, 0, 5] + tlv(1, [v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00, 3, 0]) + tlv(10, Array("drop: ".utf8) + [0]) + tlv(9, ip)
    }

    /// The IP packets of an Ethernet capture (one 802.1Q tag peeled; frames of other ethertypes left out), with times.
    static func ipPackets(_ path: String) throws -> [(Int64, [UInt8])] {
        var out: [(Int64, [UInt8])] = []
        try OfflineCapture(path: path).forEachPacket { p in
            let b = p.bytes.copyBytes()
            guard p.linkType == 1, b.count > 18, p.originalLength == b.count else { return }
            let at = b[12] == 0x81 && b[13] == 0x00 ? 16 : 12
            guard b[at] == 0x08 && b[at + 1] == 0x00 || b[at] == 0x86 && b[at + 1] == 0xdd else { return }
            out.append((p.timestampNanoseconds, Array(b[(at + 2)...])))
        }
        return out
    }

    static func writePcap(_ path: String, dlt: UInt32, bigEndian: Bool, _ frames: [(Int64, [UInt8])]) throws {
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { bytes += bigEndian ? [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
                                                   : [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
        func u16(_ v: UInt16) { bytes += bigEndian ? [UInt8(v >> 8), UInt8(v & 0xff)] : [UInt8(v & 0xff), UInt8(v >> 8)] }
        u32(0xa1b2_3c4d); u16(2); u16(4); u32(0); u32(0); u32(262_144); u32(dlt)
        for (t, f) in frames {
            u32(UInt32(t / 1_000_000_000)); u32(UInt32(t % 1_000_000_000)); u32(UInt32(f.count)); u32(UInt32(f.count))
            bytes += f
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// tshark's packet count and names (lower-cased) in a file; DNS names from responses
    /// (egress-audit names destinations by the answers it saw).
    static func tsharkView(_ path: String) throws -> (packets: Int, names: Set<String>) {
        let tshark = try #require(RealCaptures.tshark)
        let out = String(decoding: try ToolOutput.run(tshark, [
            "-n", "-r", path, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number",
            "-e", "tls.handshake.extensions_server_name", "-e", "http.host", "-e", "dns.qry.name", "-e", "dns.flags.response",
        ]).stdout, as: UTF8.self)
        var names = Set<String>(), packets = 0
        for line in out.split(separator: "\n") {
            packets += 1
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let response = f.count > 4 && (f[4] == "1" || f[4] == "True")
            for (i, kind) in [(1, "sni"), (2, "http"), (3, "dns")] where f.count > i && (kind != "dns" || response) {
                for n in f[i].split(separator: ",") where !n.isEmpty { names.insert("\(kind):\(n.lowercased())") }
            }
        }
        return (packets, names)
    }

    @Test(.requires(.shared, .tshark))
    func reframedCapturesReadAsTsharkReadsThem() throws {
        let dir = try TestScratch.directory("link-layers")
        defer { try? FileManager.default.removeItem(at: dir) }
        for capture in Self.captures {
            let packets = try Self.ipPackets(RealCaptures.path(capture))
            #expect(packets.count >= 10, "\(capture)")
            let original = try Self.tsharkView(RealCaptures.path(capture))
            for framing in Self.framings {
                let path = dir.appendingPathComponent("\(capture)-\(framing.dlt)-\(framing.bigEndianFile).pcap").path
                try Self.writePcap(path, dlt: framing.dlt, bigEndian: framing.bigEndianFile, packets.map { ($0.0, framing.frame($0.1)) })
                let truth = try Self.tsharkView(path)
                let label = "\(capture) as \(framing.name)"
                #expect(truth.packets == packets.count, "\(label): tshark reads every packet")
                #expect(truth.names == original.names, "\(label): tshark finds the original's names in the re-framed file")

                var pipeline = CapturePipeline(keepsFlows: true)
                pipeline.read(path: path)
                pipeline.finish()
                #expect(pipeline.errors.isEmpty, "\(label)")
                #expect(pipeline.summary.packets == truth.packets, "\(label)")
                #expect(pipeline.summary.notDecoded == 0 && pipeline.summary.malformed == 0, "\(label)")
                var ours = Set<String>()
                for f in pipeline.flowEntries {
                    if let s = f.sni { ours.insert("sni:\(s)") }
                    if let s = f.quicSNI { ours.insert("sni:\(s)") }  // tshark's TLS field covers QUIC's ClientHello too
                    if let s = f.httpHost { ours.insert("http:\(NamingAgreementTests.hostWithoutPort(s))") }
                }
                for d in pipeline.dnsEntries { ours.insert("dns:\(d.name)") }
                let theirs = Set(truth.names.map { $0.hasPrefix("http:") ? "http:" + NamingAgreementTests.hostWithoutPort(String($0.dropFirst(5))) : $0 })
                #expect(ours.subtracting(theirs).isEmpty && theirs.subtracting(ours).isEmpty,
                        "\(label): names only ours \(ours.subtracting(theirs).sorted()), only tshark's \(theirs.subtracting(ours).sorted())")
            }
        }
    }

    /// A link type egress-audit does not decode never rejects a file: every packet is counted, as not decoded, with its type named.
    @Test func aFileOfALinkTypeNotDecodedIsCountedNotRefused() throws {
        let path = TestScratch.path("usr.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.writePcap(path, dlt: 147, bigEndian: false, [(1_000, [1, 2, 3]), (2_000, [4, 5, 6, 7])])
        var pipeline = CapturePipeline()
        pipeline.read(path: path)
        pipeline.finish()
        #expect(pipeline.errors.isEmpty)
        #expect(pipeline.summary.packets == 2 && pipeline.summary.notDecoded == 2)
        #expect(pipeline.summary.notDecodedReasons == ["unsupported-link-type 147 (DLT_147)": 2])
        #expect(pipeline.files.first?.linkTypeName == "DLT_147")
    }
}
