import Crypto
import FlowEngine
import PacketWire

/// The Community ID flow hash, version 1 (github.com/corelight/community-id-spec,
/// README "Technical details"): the flow identifier Zeek, Suricata and
/// Wireshark emit, so our flow log lines join with their logs.
///
///     "1:" + base64(SHA1(seed . addr1 . addr2 . proto . 0 . port1 . port2))
///
/// Every field is big-endian: the seed 2 bytes, each address 4 (IPv4) or 16
/// (IPv6) bytes, the IP protocol number 1 byte and one zero pad byte, each
/// port 2 bytes. The endpoint with the smaller address bytes goes first (equal
/// addresses: the smaller port), so both directions of a flow hash alike.
/// Ports are hashed only for the protocols the spec gives ports (TCP, UDP,
/// SCTP, and ICMP/ICMPv6, whose "ports" are the spec's type/code mapping);
/// for any other protocol the input ends after the pad byte.
///
/// Adding ICMP later: the spec does not reorder one-way ICMP messages (those
/// without a request/reply counterpart), so that caller must pass them
/// unordered through a variant that keeps the order.
public enum CommunityID {
    /// The IP protocol number of a transport, or nil for one without a fixed number.
    public static func protocolNumber(_ transport: TransportKind) -> UInt8? {
        switch transport {
        case .tcp: 6
        case .udp: 17
        case .icmp: 1
        case .icmpv6: 58
        case .none, .other: nil
        }
    }

    /// The ID of a TCP or UDP flow; "" for any other transport (the spec's
    /// "empty string" for a flow it does not define: a key's ports mean
    /// nothing to the spec's ICMP mapping).
    public static func v1(_ key: FlowKey, seed: UInt16 = 0) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(textLength)
        appendV1(key, seed: seed, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The ID of one packet's (or flow's) tuple, either direction.
    public static func v1(
        protocol proto: UInt8, source: IPAddress, sourcePort: UInt16,
        destination: IPAddress, destinationPort: UInt16, seed: UInt16 = 0
    ) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(textLength)
        appendV1(protocol: proto, source: source, sourcePort: sourcePort,
                 destination: destination, destinationPort: destinationPort, seed: seed, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `v1(key)`'s text to `bytes` (nothing for a transport it does not define).
    public static func appendV1(_ key: FlowKey, seed: UInt16 = 0, to bytes: inout [UInt8]) {
        guard key.transport == .tcp || key.transport == .udp, let proto = protocolNumber(key.transport) else { return }
        appendV1(protocol: proto, source: key.lowAddress, sourcePort: key.lowPort,
                 destination: key.highAddress, destinationPort: key.highPort, seed: seed, to: &bytes)
    }

    /// Appends the tuple's ID text to `bytes`: no String, and the hash input on the stack.
    public static func appendV1(
        protocol proto: UInt8, source: IPAddress, sourcePort: UInt16,
        destination: IPAddress, destinationPort: UInt16, seed: UInt16 = 0, to bytes: inout [UInt8]
    ) {
        // seed 2 + two IPv6 addresses 32 + proto and pad 2 + ports 4.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { input in
            var n = 0
            func put16(_ v: UInt16) { input[n] = UInt8(v >> 8); input[n + 1] = UInt8(truncatingIfNeeded: v); n += 2 }
            func put64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { input[n] = UInt8(truncatingIfNeeded: v >> UInt64(s)); n += 1 } }
            func put(_ a: IPAddress) {
                if a.isIPv4 {
                    put16(UInt16(a.ipv4 >> 16)); put16(UInt16(truncatingIfNeeded: a.ipv4))
                } else {
                    put64(a.high); put64(a.low)
                }
            }
            put16(seed)
            // Order on the bytes as hashed (the reference compares them as byte strings).
            let first = n
            put(source)
            let between = n
            put(destination)
            let end = n
            let sourceFirst = compare(input, first..<between, between..<end) ?? (sourcePort <= destinationPort)
            if !sourceFirst {
                n = first
                put(destination)
                put(source)
            }
            input[n] = proto; input[n + 1] = 0; n += 2
            if hasPorts(proto) {
                put16(sourceFirst ? sourcePort : destinationPort)
                put16(sourceFirst ? destinationPort : sourcePort)
            }
            var sha1 = Insecure.SHA1()
            sha1.update(bufferPointer: UnsafeRawBufferPointer(start: input.baseAddress, count: n))
            bytes.append(UInt8(ascii: "1")); bytes.append(UInt8(ascii: ":"))
            sha1.finalize().withUnsafeBytes { appendBase64($0, to: &bytes) }
        }
    }

    /// "1:" + 28 base64 characters.
    static let textLength = 30

    /// The spec's port-carrying protocols: ICMP, TCP, UDP, ICMPv6, SCTP.
    private static func hasPorts(_ proto: UInt8) -> Bool {
        proto == 1 || proto == 6 || proto == 17 || proto == 58 || proto == 132
    }

    /// True when range `a` of `bytes` sorts before `b` (lexicographic, a
    /// shorter prefix first), false when after, nil when equal.
    private static func compare(_ bytes: UnsafeMutableBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool? {
        for (x, y) in zip(a, b) where bytes[x] != bytes[y] { return bytes[x] < bytes[y] }
        return a.count == b.count ? nil : a.count < b.count
    }

    /// RFC 4648 §4 base64 with padding; the digest is the only input, so no
    /// Foundation for it.
    static func appendBase64(_ input: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        var i = 0
        while i + 3 <= input.count {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            bytes.append(alphabet[Int(v >> 18)]); bytes.append(alphabet[Int(v >> 12 & 63)])
            bytes.append(alphabet[Int(v >> 6 & 63)]); bytes.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = input.count - i
        guard rest > 0 else { return }
        let v = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
        bytes.append(alphabet[Int(v >> 18)]); bytes.append(alphabet[Int(v >> 12 & 63)])
        bytes.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
        bytes.append(UInt8(ascii: "="))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
}
