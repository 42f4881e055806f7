import CaptureRuntime
import FlowEngine
import Foundation
import PacketWire
import TestSupport
import Testing
@testable import EgressAudit

/// Community ID v1 against the spec's own published values and against
/// Wireshark's implementation (tshark's `communityid` post-dissector).
@Suite struct CommunityIDTests {
    struct Vector: CustomStringConvertible, Sendable {
        let proto: UInt8, source: String, destination: String, sourcePort: UInt16, destinationPort: UInt16
        let seed: UInt16, expected: String
        var description: String { "\(proto) \(source):\(sourcePort) → \(destination):\(destinationPort) seed \(seed)" }
    }

    /// github.com/corelight/community-id-spec (commit b1fe530), baseline/README.md:
    /// the "Default settings" and "A custom seed=1 value" tables. ICMP rows
    /// there give type and code; the spec maps echo request (8, 0) to ports (8, 0)
    /// and its reply (0, 0) to (0, 8), as baseline_deflt.json's ICMP rows show.
    /// RSVP has no ports: whatever is passed for them must not be hashed.
    static let readmeVectors: [Vector] = [
        Vector(proto: 6, source: "1.2.3.4", destination: "5.6.7.8", sourcePort: 1122, destinationPort: 3344, seed: 0, expected: "1:wCb3OG7yAFWelaUydu0D+125CLM="),
        Vector(proto: 6, source: "5.6.7.8", destination: "1.2.3.4", sourcePort: 3344, destinationPort: 1122, seed: 0, expected: "1:wCb3OG7yAFWelaUydu0D+125CLM="),
        Vector(proto: 17, source: "1.2.3.4", destination: "5.6.7.8", sourcePort: 1122, destinationPort: 3344, seed: 0, expected: "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="),
        Vector(proto: 17, source: "5.6.7.8", destination: "1.2.3.4", sourcePort: 3344, destinationPort: 1122, seed: 0, expected: "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="),
        Vector(proto: 132, source: "1.2.3.4", destination: "5.6.7.8", sourcePort: 1122, destinationPort: 3344, seed: 0, expected: "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="),
        Vector(proto: 1, source: "1.2.3.4", destination: "5.6.7.8", sourcePort: 8, destinationPort: 0, seed: 0, expected: "1:crodRHL2FEsHjbv3UkRrfbs4bZ0="),
        Vector(proto: 1, source: "5.6.7.8", destination: "1.2.3.4", sourcePort: 0, destinationPort: 8, seed: 0, expected: "1:crodRHL2FEsHjbv3UkRrfbs4bZ0="),
        Vector(proto: 46, source: "1.2.3.4", destination: "5.6.7.8", sourcePort: 0, destinationPort: 0, seed: 0, expected: "1:ikv3kmf89luf73WPz1jOs49S768="),
        Vector(proto: 46, source: "5.6.7.8", destination: "1.2.3.4", sourcePort: 7, destinationPort: 9, seed: 0, expected: "1:ikv3kmf89luf73WPz1jOs49S768="),
        Vector(proto: 46, source: "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", destination: "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", sourcePort: 0, destinationPort: 0, seed: 0, expected: "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="),
        Vector(proto: 46, source: "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", destination: "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", sourcePort: 0, destinationPort: 0, seed: 0, expected: "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="),
        // seed=1: the seed is two big-endian bytes in front.
        Vector(proto: 6, source: "1.2.3.4", destination: "5.6.7.8", sourcePort: 1122, destinationPort: 3344, seed: 1, expected: "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="),
        Vector(proto: 6, source: "5.6.7.8", destination: "1.2.3.4", sourcePort: 3344, destinationPort: 1122, seed: 1, expected: "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="),
        Vector(proto: 17, source: "1.2.3.4", destination: "5.6.7.8", sourcePort: 1122, destinationPort: 3344, seed: 1, expected: "1:OShq+iKDAMVouh/4bMxB9Sz4amw="),
        Vector(proto: 46, source: "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", destination: "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", sourcePort: 0, destinationPort: 0, seed: 1, expected: "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM="),
    ]

    /// Same repository, baseline/baseline_deflt.json (pycommunityid over
    /// pcaps/combined.pcap.gz, default seed): real packets, IPv6 TCP and
    /// ICMPv6 where the swap is decided by the address bytes.
    static let baselineJSONVectors: [Vector] = [
        Vector(proto: 6, source: "2001:470:e5bf:dead:4957:2174:e82c:4887", destination: "2607:f8b0:400c:c03::1a", sourcePort: 63943, destinationPort: 25, seed: 0, expected: "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="),
        Vector(proto: 6, source: "2607:f8b0:400c:c03::1a", destination: "2001:470:e5bf:dead:4957:2174:e82c:4887", sourcePort: 25, destinationPort: 63943, seed: 0, expected: "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="),
        Vector(proto: 6, source: "128.232.110.120", destination: "66.35.250.204", sourcePort: 34855, destinationPort: 80, seed: 0, expected: "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
        Vector(proto: 6, source: "66.35.250.204", destination: "128.232.110.120", sourcePort: 80, destinationPort: 34855, seed: 0, expected: "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
        Vector(proto: 17, source: "192.168.1.52", destination: "8.8.8.8", sourcePort: 54585, destinationPort: 53, seed: 0, expected: "1:d/FP5EW3wiY1vCndhwleRRKHowQ="),
        Vector(proto: 17, source: "8.8.8.8", destination: "192.168.1.52", sourcePort: 53, destinationPort: 54585, seed: 0, expected: "1:d/FP5EW3wiY1vCndhwleRRKHowQ="),
        Vector(proto: 132, source: "192.168.170.56", destination: "192.168.170.8", sourcePort: 7, destinationPort: 7, seed: 0, expected: "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="),
        Vector(proto: 58, source: "fe80::200:86ff:fe05:80da", destination: "fe80::260:97ff:fe07:69ea", sourcePort: 135, destinationPort: 136, seed: 0, expected: "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="),
        Vector(proto: 58, source: "fe80::260:97ff:fe07:69ea", destination: "fe80::200:86ff:fe05:80da", sourcePort: 136, destinationPort: 135, seed: 0, expected: "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="),
        Vector(proto: 58, source: "fe80::260:97ff:fe07:69ea", destination: "fe80::200:86ff:fe05:80da", sourcePort: 135, destinationPort: 136, seed: 0, expected: "1:zavyT/cezQr1fmImYCwYnMXbgck="),
        Vector(proto: 1, source: "192.168.0.1", destination: "192.168.0.89", sourcePort: 0, destinationPort: 8, seed: 0, expected: "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="),
        Vector(proto: 46, source: "10.1.12.2", destination: "10.1.12.1", sourcePort: 0, destinationPort: 0, seed: 0, expected: "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="),
    ]

    @Test(arguments: readmeVectors + baselineJSONVectors)
    func specBaseline(_ v: Vector) throws {
        let source = try #require(IPAddress(v.source)), destination = try #require(IPAddress(v.destination))
        let id = CommunityID.v1(protocol: v.proto, source: source, sourcePort: v.sourcePort,
                                destination: destination, destinationPort: v.destinationPort, seed: v.seed)
        #expect(id == v.expected)
    }

    /// The flow-key form gives the spec's values whichever endpoint the key put first.
    @Test func flowKeysHashAsTheSpecSays() throws {
        let a = try #require(IPAddress("1.2.3.4")), b = try #require(IPAddress("5.6.7.8"))
        #expect(CommunityID.v1(FlowKey(transport: .tcp, a, 1122, b, 3344)) == "1:wCb3OG7yAFWelaUydu0D+125CLM=")
        #expect(CommunityID.v1(FlowKey(transport: .tcp, b, 3344, a, 1122)) == "1:wCb3OG7yAFWelaUydu0D+125CLM=")
        #expect(CommunityID.v1(FlowKey(transport: .udp, b, 3344, a, 1122), seed: 1) == "1:OShq+iKDAMVouh/4bMxB9Sz4amw=")
        let c = try #require(IPAddress("2607:f8b0:400c:c03::1a")), d = try #require(IPAddress("2001:470:e5bf:dead:4957:2174:e82c:4887"))
        #expect(CommunityID.v1(FlowKey(transport: .tcp, c, 25, d, 63943)) == "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=")
        // Equal addresses: the ports decide (both orders, one value).
        let same = CommunityID.v1(FlowKey(transport: .udp, a, 5353, a, 53))
        #expect(same == CommunityID.v1(protocol: 17, source: a, sourcePort: 53, destination: a, destinationPort: 5353))
        #expect(same == CommunityID.v1(protocol: 17, source: a, sourcePort: 5353, destination: a, destinationPort: 53))
        // A key's ports mean nothing to the spec's ICMP mapping: no value.
        #expect(CommunityID.v1(FlowKey(transport: .icmp, a, 8, b, 0)) == "")
    }

    /// RFC 4648 §10's test vectors.
    @Test func base64() {
        for (input, expected) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
                                  ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            var out: [UInt8] = []
            Array(input.utf8).withUnsafeBytes { CommunityID.appendBase64($0, to: &out) }
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(input)")
        }
    }

    static let captures = ["gateway-egress.pcap", "gateway-egress-vlan-ipv6.pcapng"]

    /// Every TCP/UDP packet and every flow of a bundled capture: our value is tshark's.
    @Test(.requires(.tshark), arguments: captures)
    func agreesWithTshark(capture: String) throws {
        let path = RealCaptures.repositoryRoot.appendingPathComponent("Captures/\(capture)").path
        let packets = try TsharkCommunityIDs.packets(path)
        #expect(packets.count > 100, "tshark gave \(packets.count) TCP/UDP packets")
        for p in packets {
            let ours = CommunityID.v1(protocol: p.tuple.proto, source: p.tuple.source, sourcePort: p.tuple.sourcePort,
                                      destination: p.tuple.destination, destinationPort: p.tuple.destinationPort)
            #expect(ours == p.communityID, "frame \(p.frame): \(p.tuple)")
        }

        var pipeline = CapturePipeline(keepsFlows: true)
        pipeline.read(path: path)
        pipeline.finish()
        let theirs = TsharkCommunityIDs.byFlow(packets)
        let flows = pipeline.flows.filter { $0.key.transport == .tcp || $0.key.transport == .udp }
        #expect(flows.count == theirs.count)
        for flow in flows {
            let key = flow.key
            let tuple = TsharkCommunityIDs.Tuple(proto: key.transport == .tcp ? 6 : 17, source: key.lowAddress, sourcePort: key.lowPort,
                                                 destination: key.highAddress, destinationPort: key.highPort)
            let expected = try #require(theirs[tuple.unordered], "no tshark packets for \(tuple)")
            #expect(CommunityID.v1(key) == expected, "\(tuple)")
        }
    }
}

/// tshark's Community IDs (Wireshark's own implementation, off by default:
/// `--enable-protocol communityid`) for each TCP/UDP packet of a capture.
/// ICMP errors are left out: tshark dissects the quoted TCP/UDP header inside
/// them, and hashes the ICMP packet, not that flow.
enum TsharkCommunityIDs {
    struct Tuple: Hashable, CustomStringConvertible {
        let proto: UInt8
        let source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16
        var description: String { "\(proto) \(source):\(sourcePort) → \(destination):\(destinationPort)" }

        /// The same tuple whichever way it was seen.
        var unordered: Tuple {
            (source, sourcePort) <= (destination, destinationPort) ? self
                : Tuple(proto: proto, source: destination, sourcePort: destinationPort, destination: source, destinationPort: sourcePort)
        }
    }

    struct Packet {
        let frame: Int
        let tuple: Tuple
        let communityID: String
        /// `frame.time_epoch` in nanoseconds and `frame.len`.
        let time: Int64
        let length: Int
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func packets(_ path: String) throws -> [Packet] {
        // A reassembled datagram's bytes are its fragments' frames (they all crossed the wire).
        var frameLengths: [Int: Int] = [:]
        for row in try run(["-n", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "frame.len"]).split(separator: "\n") {
            let f = row.split(separator: "\t")
            if f.count == 2, let number = Int(f[0]), let length = Int(f[1]) { frameLengths[number] = length }
        }
        let fields = ["frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
                      "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "communityid", "ip.fragment", "ipv6.fragment"]
        let text = try run(["-n", "-r", path, "--enable-protocol", "communityid",
                            "-Y", "(tcp or udp) and not icmp and not icmpv6", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
                           + fields.flatMap { ["-e", $0] })
        return try text.split(separator: "\n").map { try packet(String($0), fieldCount: fields.count, frameLengths: frameLengths) }
    }

    /// One tab-separated row of `packets`' fields.
    private static func packet(_ line: String, fieldCount: Int, frameLengths: [Int: Int]) throws -> Packet {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard f.count == fieldCount else { throw Failure(description: "tshark line: \(line)") }
        let isTCP = !f[7].isEmpty
        guard let source = IPAddress(f[3].isEmpty ? f[5] : f[3]), let destination = IPAddress(f[4].isEmpty ? f[6] : f[4]),
              let sport = UInt16(isTCP ? f[7] : f[9]), let dport = UInt16(isTCP ? f[8] : f[10]),
              let frame = Int(f[0]), var length = Int(f[2]), let time = epochNanoseconds(f[1]), f[11].hasPrefix("1:") else {
            throw Failure(description: "tshark line: \(line)")
        }
        let fragments = (f[12] + f[13]).split(separator: ",").compactMap { Int($0) }
        if !fragments.isEmpty { length = fragments.compactMap { frameLengths[$0] }.reduce(0, +) }
        return Packet(frame: frame, tuple: Tuple(proto: isTCP ? 6 : 17, source: source, sourcePort: sport, destination: destination, destinationPort: dport),
                      communityID: f[11], time: time, length: length)
    }

    /// Per flow, the server name and first ALPN protocol of the client's
    /// first TLS ClientHello (over TCP, or in QUIC Initials tshark decrypts).
    static func clientHellos(_ path: String) throws -> [Tuple: (sni: String, alpn: String)] {
        let fields = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
                      "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str"]
        // The options the capture generator's own tshark checks use (Captures/README.md).
        let text = try run(["-n", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE", "-o", "udp.try_heuristic_first:TRUE",
                            "-Y", "tls.handshake.type == 1 and not icmp and not icmpv6", "-T", "fields", "-E", "occurrence=f"]
                           + fields.flatMap { ["-e", $0] })
        var hellos: [Tuple: (sni: String, alpn: String)] = [:]
        for row in text.split(separator: "\n") {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let isTCP = !f[4].isEmpty
            guard f.count == fields.count, let source = IPAddress(f[0].isEmpty ? f[2] : f[0]), let destination = IPAddress(f[1].isEmpty ? f[3] : f[1]),
                  let sport = UInt16(isTCP ? f[4] : f[6]), let dport = UInt16(isTCP ? f[5] : f[7]) else {
                throw Failure(description: "tshark line: \(row)")
            }
            let tuple = Tuple(proto: isTCP ? 6 : 17, source: source, sourcePort: sport, destination: destination, destinationPort: dport)
            if hellos[tuple.unordered] == nil { hellos[tuple.unordered] = (f[8], f[9]) }
        }
        return hellos
    }

    /// One ID per flow (every packet of a flow must agree).
    static func byFlow(_ packets: [Packet]) -> [Tuple: String] {
        var ids: [Tuple: String] = [:]
        for p in packets {
            let previous = ids.updateValue(p.communityID, forKey: p.tuple.unordered)
            precondition(previous == nil || previous == p.communityID, "tshark gave one flow two IDs: \(p.tuple)")
        }
        return ids
    }

    /// "1767225600.000723000" → nanoseconds, exactly (no Double).
    static func epochNanoseconds(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]) else { return nil }
        let fraction = parts.count > 1 ? String(parts[1].prefix(9)) : ""
        guard let nanos = Int64(fraction.padding(toLength: 9, withPad: "0", startingAt: 0)) else { return nil }
        return seconds * 1_000_000_000 + nanos
    }

    static func run(_ arguments: [String]) throws -> String {
        guard let tshark = RealCaptures.tshark else { throw Failure(description: "tshark is not installed") }
        let (status, data) = try ToolOutput.run(tshark, arguments)
        guard status == 0 else {
            throw Failure(description: "tshark \(arguments.joined(separator: " ")) exited \(status)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
