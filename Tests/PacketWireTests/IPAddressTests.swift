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
