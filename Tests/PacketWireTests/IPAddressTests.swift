import Glibc
import Testing
@testable import PacketWire

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"), ("168.63.129.16", "168.63.129.16"),
        ("::", "::"), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("fe80::1:2:3:4", "fe80::1:2:3:4"),
        ("1:0:0:0:0:0:0:0", "1::"), ("::ffff:1.2.3.4", "::ffff:102:304"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("2001:0:0:1::1", "2001:0:0:1::1"),
    ])
    func roundTrip(input: String, canonical: String) throws {
        let a = try #require(IPAddress(input))
        #expect(a.description == canonical)
        #expect(IPAddress(canonical) == a)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "1::2::3", "12345::", ":::", "1:2:3:4:5:6:7:8:9", "g::1", "1.2.3.4:"])
    func rejects(input: String) {
        #expect(IPAddress(input) == nil)
    }

    /// Acceptance and value agree with the C library's `inet_pton` (the family by the presence of a
    /// colon), on forms at the edges of both grammars: leading zeros, signs, group widths, `::` at
    /// either end or twice, a dotted quad inside or at the end, stray colons, dots and spaces.
    @Test(arguments: [
        "0.0.0.0", "1.2.3.4", "255.255.255.255", "01.2.3.4", "1.2.3.04", "001.2.3.4", "0.0.0.00", "1.2.3", "1.2.3.4.", ".1.2.3.4",
        "1..2.3", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.-4", "1.2.3.4/8", "1234.1.1.1",
        "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1:2:3:4:5:6::7:8", "1::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9", "2001:DB8::1", "2001:db8:0:0:1:0:0:1", "0000:0::1", "00000::1", "12345::", "+1::", "::+1", "-1::",
        ":1::", "1:", ":::", "1::2::3", "1:::2", "g::1", "fe80::1%eth0", "::ffff:1.2.3.4", "::FFFF:1.2.3.4", "::1.2.3.4", "1::1.2.3.4",
        "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::", "::ffff:01.2.3.4", "::ffff:1.2.3", "::ffff:1.2.3.4:1", "1.2.3.4:",
        "::ffff:256.1.1.1", "ffff::ffff:1.2.3.4", "1:2:3:4:5::1.2.3.4", "a:b:c:d:e:f:a:b", "A:B:C:D:E:F:0:1", " ::1", "::1 ", "",
    ])
    func agreesWithInetPton(text: String) {
        let parsed = IPAddress(text)
        if text.contains(":") {
            var bytes = [UInt8](repeating: 0, count: 16)
            let ok = inet_pton(AF_INET6, text, &bytes) == 1
            #expect((parsed != nil) == ok, "\(text)")
            if let parsed, ok {
                let high = bytes[0 ..< 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, low = bytes[8 ..< 16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                #expect(parsed == IPAddress(ipv6High: high, low: low), "\(text)")
            }
        } else {
            var bytes = [UInt8](repeating: 0, count: 4)
            let ok = inet_pton(AF_INET, text, &bytes) == 1
            #expect((parsed != nil) == ok, "\(text)")
            if let parsed, ok { #expect(parsed == IPAddress(ipv4: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }), "\(text)") }
        }
    }

    /// Every octet value in every position, against plain string interpolation of the four numbers.
    @Test func dottedQuadForEveryOctet() {
        for o in 0...255 {
            let octets = [o, 255 - o, o / 2, (o * 7) % 256]
            for rotation in 0..<4 {
                let q = (0..<4).map { octets[($0 + rotation) % 4] }
                let a = IPAddress(ipv4: UInt32(q[0]) << 24 | UInt32(q[1]) << 16 | UInt32(q[2]) << 8 | UInt32(q[3]))
                #expect(a.description == "\(q[0]).\(q[1]).\(q[2]).\(q[3])")
            }
        }
    }

    @Test func familiesAreDistinct() throws {
        let v4 = try #require(IPAddress("1.2.3.4"))
        let mapped = try #require(IPAddress("::ffff:1.2.3.4"))
        #expect(v4 != mapped)
        #expect(v4.isIPv4 && !mapped.isIPv4)
        #expect(v4.ipv4 == 0x0102_0304)
        #expect(v4 < mapped)
    }
}
