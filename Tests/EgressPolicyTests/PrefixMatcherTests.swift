import PacketWire
import TestSupport
import Testing
@testable import EgressPolicy

@Suite struct PrefixMatcherTests {
    private func matcher(_ prefixes: [String]) throws -> PrefixMatcher {
        PrefixMatcher(try prefixes.enumerated().map { (try CIDR(parsing: $0.element), Int32($0.offset)) })
    }

    private func ids(_ m: PrefixMatcher, _ address: String) throws -> [Int32] {
        Array(m.lookup(try #require(IPAddress(address))))
    }

    @Test func nestedPrefixesAllMatch() throws {
        let m = try matcher(["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32"])
        #expect(try ids(m, "10.1.2.3") == [0, 1, 2, 3])
        #expect(try ids(m, "10.1.2.4") == [0, 1, 2])
        #expect(try ids(m, "10.1.3.0") == [0, 1])
        #expect(try ids(m, "10.2.0.0") == [0])
        #expect(try ids(m, "11.0.0.0") == [])
        #expect(try ids(m, "9.255.255.255") == [])
    }

    @Test func boundariesOfAPrefixAreExact() throws {
        // 192.168.4.0/22 covers 192.168.4.0 … 192.168.7.255.
        let m = try matcher(["192.168.4.0/22"])
        #expect(try ids(m, "192.168.3.255") == [])
        #expect(try ids(m, "192.168.4.0") == [0])
        #expect(try ids(m, "192.168.7.255") == [0])
        #expect(try ids(m, "192.168.8.0") == [])
    }

    @Test func adjacentRangesDoNotBleed() throws {
        let m = try matcher(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"])
        #expect(try ids(m, "10.0.0.127") == [0])
        #expect(try ids(m, "10.0.0.128") == [1])
        #expect(try ids(m, "10.0.0.255") == [1])
        #expect(try ids(m, "10.0.1.0") == [2])
    }

    @Test func sameAndOverlappingPrefixesUnderSeveralIDs() throws {
        // The same prefix listed by two tags, and a duplicate within one tag.
        let entries: [(CIDR, Int32)] = [
            (try CIDR(parsing: "20.0.0.0/14"), 5),
            (try CIDR(parsing: "20.0.0.0/14"), 2),
            (try CIDR(parsing: "20.0.0.0/14"), 5),
            (try CIDR(parsing: "20.1.0.0/16"), 9),
        ]
        let m = PrefixMatcher(entries)
        let set = m.lookup(ipv4: 0x1401_0203)   // 20.1.2.3
        #expect(Array(set) == [2, 5, 9])
        #expect(set.count == 3 && !set.isEmpty)
        #expect(set.contains(id: 5) && !set.contains(id: 3))
        #expect(Array(m.lookup(ipv4: 0x1402_0000)) == [2, 5])   // 20.2.0.0
    }

    @Test func slashZeroAndSlash32Edges() throws {
        let m = try matcher(["0.0.0.0/0", "255.255.255.255/32", "0.0.0.0/32"])
        #expect(try ids(m, "0.0.0.0") == [0, 2])
        #expect(try ids(m, "0.0.0.1") == [0])
        #expect(try ids(m, "255.255.255.254") == [0])
        #expect(try ids(m, "255.255.255.255") == [0, 1])
        // IPv4 prefixes never answer IPv6 addresses.
        #expect(try ids(m, "::") == [])
    }

    @Test func ipv6SlashZeroSlash128AndNesting() throws {
        let m = try matcher(["::/0", "2603:1030::/32", "2603:1030:a::/48", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::/128", "2603:1030:a::1/128"])
        #expect(try ids(m, "::") == [0, 4])
        #expect(try ids(m, "::1") == [0])
        #expect(try ids(m, "2603:1030:a::1") == [0, 1, 2, 5])
        #expect(try ids(m, "2603:1030:a::2") == [0, 1, 2])
        #expect(try ids(m, "2603:1030:b::") == [0, 1])
        #expect(try ids(m, "2603:102f:ffff:ffff:ffff:ffff:ffff:ffff") == [0])
        #expect(try ids(m, "2603:1031::") == [0])
        #expect(try ids(m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == [0, 3])
        #expect(try ids(m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe") == [0])
        #expect(try ids(m, "1.2.3.4") == [])
    }

    @Test func ipv6BoundaryInsideTheLowWord() throws {
        // /96 and /65 split in the low 64 bits.
        let m = try matcher(["::ffff:0:0/96", "2001:db8:0:0:8000::/65"])
        #expect(try ids(m, "::ffff:1.2.3.4") == [0])
        #expect(try ids(m, "::fffe:ffff:ffff") == [])
        #expect(try ids(m, "2001:db8::7fff:ffff:ffff:ffff") == [])
        #expect(try ids(m, "2001:db8::8000:0:0:0") == [1])
        #expect(try ids(m, "2001:db8::ffff:ffff:ffff:ffff") == [1])
        #expect(try ids(m, "2001:db8:0:1::") == [])
    }

    /// Every lookup agrees with asking each prefix, for prefixes whose edges fall on, just past and
    /// just before the matcher's 65,536 blocks' edges (an IPv4 /16, the top 16 bits of an IPv6
    /// address), where its block index decides which interval a search starts from.
    @Test func lookupsAgreeWithEachPrefixAtTheBlocksEdges() {
        var random = SplitMix64(seed: 0x5EED_0017)
        func next() -> UInt64 { random.next() }
        for _ in 0 ..< 40 {
            var entries: [(CIDR, Int32)] = []
            var probes: [IPAddress] = [IPAddress(ipv4: 0), IPAddress(ipv4: .max), IPAddress(ipv6High: 0, low: 0), IPAddress(ipv6High: .max, low: .max)]
            for i in 0 ..< Int(next() % 60) {
                let block = next() & 0xFFFF
                if next() & 1 == 0 {
                    // An IPv4 address at a block's edge, or one or a few past it, or the last before it.
                    let offsets: [UInt64] = [0, 1, next() % 300, 0x1_0000 &- 1]
                    let v = UInt32(truncatingIfNeeded: block << 16 &+ offsets[Int(next() % 4)])
                    let length = Int(next() % 33)
                    if let c = CIDR(address: CIDR.mask(IPAddress(ipv4: v), length), prefixLength: length) {
                        entries.append((c, Int32(i)))
                        probes += [v, v &- 1, v &+ 1, UInt32(block << 16), UInt32(block << 16) &- 1].map { IPAddress(ipv4: $0) }
                    }
                } else {
                    // An IPv6 address at a block's edge, with or without bits below the top 16, or just before it.
                    let lows: [UInt64] = [0, 1, next(), .max]
                    let high = block << 48 | (next() & 1 == 0 ? 0 : next() & 0xFFFF_FFFF_FFFF)
                    let address = IPAddress(ipv6High: high, low: lows[Int(next() % 4)])
                    let length = Int(next() % 129)
                    if let c = CIDR(address: CIDR.mask(address, length), prefixLength: length) {
                        entries.append((c, Int32(i)))
                        probes += [address, IPAddress(ipv6High: high, low: 0), IPAddress(ipv6High: block << 48, low: 0),
                                   IPAddress(ipv6High: (block << 48) &- 1, low: .max)]
                    }
                }
            }
            let m = PrefixMatcher(entries)
            for a in probes {
                let expected = Set(entries.filter { $0.0.contains(a) }.map(\.1)).sorted()
                #expect(Array(m.lookup(a)) == expected, "\(a) in \(entries.map { "\($0.0)" })")
            }
        }
    }

    @Test func emptyMatcherAnswersEmptySets() {
        let m = PrefixMatcher([])
        #expect(m.lookup(ipv4: 0x0A00_0001).isEmpty)
        #expect(m.lookup(ipv6High: 0x2001_0db8_0000_0000, low: 1).isEmpty)
    }

    @Test func equalMatchSetsShareOneSetIndex() throws {
        let m = try matcher(["10.0.0.0/24", "10.0.2.0/24", "10.0.1.0/24"])
        // Three prefixes, three distinct singleton sets; two addresses in one prefix share the index.
        #expect(m.lookup(ipv4: 0x0A00_0001).setIndex == m.lookup(ipv4: 0x0A00_00FE).setIndex)
        #expect(m.lookup(ipv4: 0x0A00_0001).setIndex != m.lookup(ipv4: 0x0A00_0101).setIndex)
    }

    // MARK: Property tests against a linear scan with independent arithmetic

    /// Prefixes drawn around a few anchors so they nest and overlap a lot.
    @Test func ipv4AgreesWithLinearScan() {
        var rng = SplitMix64(seed: 0x1B4_C1D2)
        let anchors: [UInt32] = [0x0A00_0000, 0x1401_0000, 0xC0A8_0000, 0xFFFF_FF00, 0x0000_0000]
        var prefixes: [(net: UInt32, length: Int)] = []
        for _ in 0 ..< 400 {
            let length = Int(rng.next() % 33)
            let anchor = anchors[Int(rng.next() % UInt64(anchors.count))]
            let jitter = UInt32(truncatingIfNeeded: rng.next()) & 0x0003_FFFF
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            prefixes.append(((anchor ^ jitter) & mask, length))
        }
        var entries: [(CIDR, Int32)] = []
        for (i, p) in prefixes.enumerated() {
            if let c = CIDR(address: IPAddress(ipv4: p.net), prefixLength: p.length) { entries.append((c, Int32(i))) }
        }
        let m = PrefixMatcher(entries)
        func scan(_ a: UInt32) -> [Int32] {
            prefixes.indices.filter { i in
                let p = prefixes[i]
                return p.length == 0 || (a ^ p.net) >> UInt32(32 - p.length) == 0
            }.map(Int32.init)
        }
        var probes: [UInt32] = [0, .max]
        for p in prefixes {
            let size: UInt64 = UInt64(1) << UInt64(32 - p.length)
            let last = UInt32(truncatingIfNeeded: UInt64(p.net) + size - 1)
            probes += [p.net, last, p.net &- 1, last &+ 1]
        }
        for _ in 0 ..< 3000 {
            let anchor = anchors[Int(rng.next() % UInt64(anchors.count))]
            probes.append(anchor ^ (UInt32(truncatingIfNeeded: rng.next()) & 0x0007_FFFF))
            probes.append(UInt32(truncatingIfNeeded: rng.next()))
        }
        var mismatches = 0
        var nonEmpty = 0
        for a in probes {
            let got = Array(m.lookup(ipv4: a))
            if got != scan(a) { mismatches += 1 }
            if !got.isEmpty { nonEmpty += 1 }
        }
        #expect(mismatches == 0)
        #expect(nonEmpty > probes.count / 4)
    }

    @Test func ipv6AgreesWithLinearScan() {
        var rng = SplitMix64(seed: 0x6_6666)
        let anchors: [(UInt64, UInt64)] = [(0x2603_1030_0000_0000, 0), (0x2001_0db8_0000_0000, 0x8000_0000_0000_0000), (~0, ~0), (0, 0)]
        struct P { var high: UInt64; var low: UInt64; var length: Int }
        func masks(_ length: Int) -> (UInt64, UInt64) {
            let h: UInt64 = length == 0 ? 0 : (length >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - length))
            let l: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
            return (h, l)
        }
        var prefixes: [P] = []
        for _ in 0 ..< 300 {
            let length = Int(rng.next() % 129)
            let anchor = anchors[Int(rng.next() % UInt64(anchors.count))]
            let (hm, lm) = masks(length)
            let jh = rng.next() & 0x0000_00FF_0000_0000
            let jl = rng.next() & 0x8000_0000_0000_00FF
            prefixes.append(P(high: (anchor.0 ^ jh) & hm, low: (anchor.1 ^ jl) & lm, length: length))
        }
        var entries: [(CIDR, Int32)] = []
        for (i, p) in prefixes.enumerated() {
            if let c = CIDR(address: IPAddress(ipv6High: p.high, low: p.low), prefixLength: p.length) { entries.append((c, Int32(i))) }
        }
        let m = PrefixMatcher(entries)
        func scan(_ h: UInt64, _ l: UInt64) -> [Int32] {
            prefixes.indices.filter { i in
                let (hm, lm) = masks(prefixes[i].length)
                return h & hm == prefixes[i].high && l & lm == prefixes[i].low
            }.map(Int32.init)
        }
        var probes: [(UInt64, UInt64)] = [(0, 0), (~0, ~0)]
        for p in prefixes {
            let (hm, lm) = masks(p.length)
            let lastHigh = p.high | ~hm, lastLow = p.low | ~lm
            probes.append((p.high, p.low))
            probes.append((lastHigh, lastLow))
            // One below the first and one above the last, with 128-bit borrow/carry.
            probes.append(p.low == 0 ? (p.high &- 1, ~0) : (p.high, p.low - 1))
            probes.append(lastLow == ~0 ? (lastHigh &+ 1, 0) : (lastHigh, lastLow + 1))
        }
        for _ in 0 ..< 2000 {
            let anchor = anchors[Int(rng.next() % UInt64(anchors.count))]
            probes.append((anchor.0 ^ (rng.next() & 0x0000_01FF_0000_0000), anchor.1 ^ (rng.next() & 0x8000_0000_0000_01FF)))
        }
        var mismatches = 0
        var nonEmpty = 0
        for (h, l) in probes {
            let got = Array(m.lookup(ipv6High: h, low: l))
            if got != scan(h, l) { mismatches += 1 }
            if !got.isEmpty { nonEmpty += 1 }
        }
        #expect(mismatches == 0)
        #expect(nonEmpty > probes.count / 4)
    }
}
