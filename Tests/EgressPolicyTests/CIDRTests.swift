import PacketWire
import Testing
@testable import EgressPolicy

@Suite struct CIDRTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8", false),
        ("10.1.2.3/8", "10.0.0.0/8", true),        // host bits cleared, flagged
        ("0.0.0.0/0", "0.0.0.0/0", false),
        ("168.63.129.16", "168.63.129.16/32", false), // bare address = host prefix
        ("2603:1030:a::/48", "2603:1030:a::/48", false),
        ("2001:db8::1/64", "2001:db8::/64", true),
        ("::/0", "::/0", false),
        ("2001:db8::1", "2001:db8::1/128", false),
        ("2001:db8:0:0:8000::/65", "2001:db8:0:0:8000::/65", false),
    ])
    func parses(text: String, canonical: String, hostBits: Bool) throws {
        let c = try CIDR(parsing: text)
        #expect(c.description == canonical)
        #expect(c.hadHostBits == hostBits)
    }

    @Test(arguments: [
        ("10.0.0.0/33", CIDRParseError.Reason.lengthOutOfRange),
        ("::/129", .lengthOutOfRange),
        ("10.0.0.0/", .badLength),
        ("10.0.0.0/8a", .badLength),
        ("10.0.0.0/-1", .badLength),
        ("10.0.0.0/0008", .badLength),
        ("10.0.0/8", .badAddress),
        ("/8", .badAddress),
        ("", .badAddress),
        ("example.com/8", .badAddress),
    ])
    func rejects(text: String, reason: CIDRParseError.Reason) {
        #expect(throws: CIDRParseError(text: text, reason: reason)) { try CIDR(parsing: text) }
    }

    @Test func containmentRespectsBoundsAndFamily() throws {
        let c = try CIDR(parsing: "192.168.4.0/22")   // 192.168.4.0 – 192.168.7.255
        #expect(c.contains(try #require(IPAddress("192.168.4.0"))))
        #expect(c.contains(try #require(IPAddress("192.168.7.255"))))
        #expect(!c.contains(try #require(IPAddress("192.168.8.0"))))
        #expect(!c.contains(try #require(IPAddress("192.168.3.255"))))
        #expect(!c.contains(try #require(IPAddress("::ffff:192.168.4.1"))))
        #expect(c.contains(try CIDR(parsing: "192.168.6.0/23")))
        #expect(!c.contains(try CIDR(parsing: "192.168.0.0/16")))
    }

    @Test func subtractingProducesTheFewestAlignedPrefixes() throws {
        // 10.0.0.0/8 minus 10.0.0.0/9 leaves 10.128.0.0/9.
        let half = try CIDR(parsing: "10.0.0.0/8").subtracting([CIDR(parsing: "10.0.0.0/9")])
        #expect(half == [try CIDR(parsing: "10.128.0.0/9")])
        // 0.0.0.0/0 minus 128.0.0.0/1 minus 0.0.0.0/2 = 64.0.0.0/2.
        let rest = try CIDR(parsing: "0.0.0.0/0").subtracting([CIDR(parsing: "128.0.0.0/1"), CIDR(parsing: "0.0.0.0/2")])
        #expect(rest == [try CIDR(parsing: "64.0.0.0/2")])
        // Removing one /32 from a /30 leaves a /32 and a /31.
        let holed = try CIDR(parsing: "10.0.0.0/30").subtracting([CIDR(parsing: "10.0.0.1/32")])
        let expectedHoled = [try CIDR(parsing: "10.0.0.0/32"), try CIDR(parsing: "10.0.0.2/31")]
        #expect(holed == expectedHoled)
        // Another family or a disjoint prefix removes nothing.
        let untouched = try CIDR(parsing: "10.0.0.0/8").subtracting([CIDR(parsing: "::/0"), CIDR(parsing: "11.0.0.0/8")])
        #expect(untouched == [try CIDR(parsing: "10.0.0.0/8")])
    }
}
