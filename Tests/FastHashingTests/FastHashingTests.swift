#if canImport(Glibc)
import Glibc
#endif
import CPrefetch
import FastHashing
import TestSupport
import Testing

@Suite struct FastHashTests {
    /// The word-at-a-time fold against the byte-at-a-time definition, for every byte value in every lane.
    @Test func lowerASCIIFoldsExactlyTheUpperCaseLetters() {
        for b in 0...255 {
            let expected = (0x41...0x5A).contains(b) ? b + 0x20 : b
            for lane in 0..<8 {
                // Neighbouring lanes hold letters and high bytes, so a carry across lanes would show.
                let filler: [UInt64] = [0x5A, 0x41, 0xFF, 0x7F, 0x40, 0x5B, 0x80, 0x61]
                var word: UInt64 = 0, want: UInt64 = 0
                for k in 0..<8 {
                    let v = k == lane ? UInt64(b) : filler[k]
                    let w = k == lane ? UInt64(expected) : ((0x41...0x5A).contains(Int(filler[k])) ? filler[k] + 0x20 : filler[k])
                    word |= v << (8 * UInt64(k))
                    want |= w << (8 * UInt64(k))
                }
                #expect(FastHash.lowerASCII(word) == want, "byte \(b) in lane \(lane)")
            }
        }
    }

    /// The word-at-a-time byte finder against a byte-at-a-time comparison: every target byte, in
    /// words of random bytes salted with the target, its neighbours and its value with the top bit set.
    @Test func bytesEqualToFlagsExactlyTheMatchingBytes() {
        var random = SplitMix64(seed: 0xB17E5)
        for target in 0...255 {
            let salt: [UInt64] = [UInt64(target), UInt64(target ^ 0x80), UInt64((target + 1) & 0xFF), UInt64((target + 255) & 0xFF)]
            for _ in 0..<64 {
                var word: UInt64 = 0, want: UInt64 = 0
                for k in 0..<8 {
                    let r = random.next()
                    let v = r & 3 == 0 ? salt[Int(r >> 8) & 3] : (r >> 16) & 0xFF
                    word |= v << (8 * UInt64(k))
                    if v == UInt64(target) { want |= 0x80 << (8 * UInt64(k)) }
                }
                #expect(FastHash.bytes(equalTo: UInt8(target), in: word) == want, "byte \(target) in \(String(word, radix: 16))")
            }
        }
    }

    @Test func caseFoldedHashIgnoresASCIICaseOnly() {
        func h(_ s: String, seed: UInt64 = 7) -> UInt64 {
            var bytes = Array(s.utf8)
            return bytes.withUnsafeMutableBytes { FastHash.caseFolded($0.baseAddress, count: $0.count, seed: seed) }
        }
        for name in ["a", "Example.COM", "login.MicrosoftOnline.com", "abcdefgh", "ABCDEFGHI", String(repeating: "Xy", count: 40)] {
            #expect(h(name) == h(name.lowercased()))
            #expect(h(name) != h(name + "."))
            #expect(h(name) != h(name, seed: 8))
        }
        // Not folded: bytes that only differ by 0x20 outside A-Z.
        #expect(h("[") != h("{"))
        #expect(h("@") != h("`"))
        // Lengths are part of the hash: a trailing NUL is not the same name.
        #expect(h("ab") != h("ab\0"))
    }

    /// The hash against its definition (eight bytes per word, the rest one byte at a time into a last
    /// word), over every length to 40 at every alignment: the tail read with one load of the last
    /// eight bytes gives the same words, so every table's hashes are what they were.
    @Test func caseFoldedHashIsItsByteByByteDefinition() {
        func reference(_ bytes: ArraySlice<UInt8>, seed: UInt64) -> UInt64 {
            var h = FastHash.Accumulator(seed: seed ^ UInt64(bytes.count))
            var words = bytes[...]
            while words.count >= 8 {
                var w: UInt64 = 0
                for (k, b) in words.prefix(8).enumerated() { w |= UInt64(b) << (8 * UInt64(k)) }
                h.mix(FastHash.lowerASCII(w))
                words = words.dropFirst(8)
            }
            if !words.isEmpty {
                var w: UInt64 = 0
                for (k, b) in words.enumerated() { w |= UInt64(b) << (8 * UInt64(k)) }
                h.mix(FastHash.lowerASCII(w))
            }
            return h.value
        }
        var g = SplitMix64(seed: 11)
        let pool = (0..<64).map { _ in UInt8.random(in: 0...255, using: &g) }
        for offset in 0..<8 {
            for length in 0...40 where offset + length <= pool.count {
                let slice = pool[offset..<(offset + length)]
                let made = pool.withUnsafeBytes { FastHash.caseFolded($0.baseAddress! + offset, count: length, seed: 5) }
                #expect(made == reference(slice, seed: 5), "offset \(offset), length \(length)")
            }
        }
    }

    /// Distinct words spread over the low bits a table indexes by.
    @Test func consecutiveWordsSpreadOverSlots() {
        var buckets = [Int](repeating: 0, count: 1024)
        for i in 0..<65_536 { buckets[Int(FastHash.hash(UInt64(i)) & 1023)] += 1 }
        // 64 per bucket expected; a poor mix of sequential keys leaves buckets empty or piles them up.
        #expect(buckets.min()! > 24)
        #expect(buckets.max()! < 120)
    }
}

@Suite struct FixedKeyMapTests {
    /// Random inserts, updates and removals, checked after every step against `Dictionary`.
    /// With and without the entries' room reserved (whose pages are then mapped ahead of the inserts: `PagesAhead`).
    @Test(arguments: [0 as UInt64, 0xDEAD_BEEF], [false, true])
    func behavesLikeDictionary(seed: UInt64, reserved: Bool) {
        var map = FixedKeyMap<UInt64, Int>(minimumCapacity: 4, seed: seed)
        if reserved { map.reserveEntries(20_000) }
        var model: [UInt64: Int] = [:]
        var rng = SplitMix64(seed: seed &+ 1)
        for step in 0..<40_000 {
            // Keys from a small range so removals and re-insertions collide in probe runs.
            let key = rng.next() % 3_000
            switch rng.next() % 4 {
            case 0, 1:
                map.set(key, step)
                model[key] = step
            case 2:
                #expect(map.removeValue(forKey: key) == model.removeValue(forKey: key))
            default:
                #expect(map[key] == model[key])
            }
            #expect(map.count == model.count)
        }
        for (k, v) in model { #expect(map[k] == v) }
        #expect(Set(map.keys) == Set(model.keys))
        for (i, k) in map.keys.enumerated() { #expect(map[valueAt: i] == model[k]) }
    }

    @Test func entryIndicesAreStableAndValuesChangeInPlace() {
        var map = FixedKeyMap<Int32, [Int]>()
        let a = map.index(forKey: 10, insertingIfAbsent: { [] })
        let b = map.index(forKey: 20, insertingIfAbsent: { [] })
        #expect(a.inserted && b.inserted && a.index == 0 && b.index == 1)
        #expect(map.index(forKey: 10, insertingIfAbsent: { [99] }) == (0, false))
        map[valueAt: 0].append(1)
        map[valueAt: 0].append(2)
        #expect(map[10] == [1, 2])
        // A copy does not see later writes (value semantics).
        let copy = map
        map[valueAt: 1].append(3)
        #expect(copy[20] == [])
        #expect(map[20] == [3])
        map.removeAll()
        #expect(map.isEmpty && map[10] == nil)
    }
}

@Suite struct FingerprintSetTests {
    /// Random inserts and look-ups, checked after every step against `Set`, through several growths;
    /// values from a small range (so probe runs collide) and the empty-slot value 0 among them.
    @Test(arguments: [0 as UInt64, 0xF1A9])
    func behavesLikeSet(seed: UInt64) {
        var set = FingerprintSet(minimumCapacity: 2, seed: seed)
        var model = Set<UInt64>()
        var rng = SplitMix64(seed: seed &+ 7)
        // The model keeps 0 as 1, as the set does (`zeroAndOneAreOneMember`).
        func member(_ v: UInt64) -> UInt64 { v == 0 ? 1 : v }
        for _ in 0..<30_000 {
            let value = rng.next() % 5_000
            if rng.next() % 2 == 0 {
                let inserted = set.insert(value)
                #expect(inserted == model.insert(member(value)).inserted)
            } else {
                #expect(set.contains(value) == model.contains(member(value)))
            }
            #expect(set.count == model.count)
        }
        for value in model { #expect(set.contains(value)) }
        #expect((1..<5_000).filter { set.contains($0) }.count == model.count)
    }

    /// 0 is stored as 1 (0 marks an empty slot): the two are one member, as documented.
    @Test func zeroAndOneAreOneMember() {
        var set = FingerprintSet()
        #expect(!set.contains(0) && !set.contains(1))
        let zeroNew = set.insert(0)
        #expect(zeroNew)
        #expect(set.contains(0) && set.contains(1))
        let oneNew = set.insert(1)
        #expect(!oneNew)
        #expect(set.count == 1)
    }

    /// A copy keeps what it held when copied (the slots are copied on the first insert after).
    @Test func copiesAreValues() {
        var set = FingerprintSet()
        for v in 100..<110 as Range<UInt64> { set.insert(v) }
        let copy = set
        for v in 200..<300 as Range<UInt64> { set.insert(v) }
        #expect(copy.count == 10 && set.count == 110)
        #expect(!copy.contains(250) && set.contains(250) && copy.contains(105))
    }
}

@Suite struct HashBitFilterTests {
    /// Against a set of the hashes' top bits: every inserted hash may be there, and a hash is
    /// reported absent exactly when no inserted hash shares its top 12 bits.
    @Test func saysAbsentExactlyWhenNoInsertedHashSharesTheBit() {
        var filter = HashBitFilter(bitCount: 1 << 12)
        var g = SystemRandomNumberGenerator()
        var prefixes = Set<UInt64>()
        var inserted: [UInt64] = []
        for _ in 0 ..< 500 {
            let h = g.next() as UInt64
            filter.insert(hash: h)
            prefixes.insert(h >> 52)
            inserted.append(h)
        }
        #expect(inserted.allSatisfy { filter.mayContain(hash: $0) })
        var absent = 0
        for _ in 0 ..< 5_000 {
            let h = g.next() as UInt64
            #expect(filter.mayContain(hash: h) == prefixes.contains(h >> 52))
            if !prefixes.contains(h >> 52) { absent += 1 }
        }
        #expect(absent > 0)
    }
}

@Suite struct PagesAheadTests {
    @Test func runsDoubleFrom64To8192AndStopAtTheCapacity() {
        var pages = PagesAhead()
        var runs: [Range<Int>] = []
        while true {
            let run = pages.nextRun(capacity: 20_000)
            if run.isEmpty { break }
            runs.append(run)
        }
        #expect(runs == [0..<64, 64..<128, 128..<256, 256..<512, 512..<1024, 1024..<2048, 2048..<4096, 4096..<8192,
                         8192..<16_384, 16_384..<20_000])
        #expect(pages.mapped == 20_000)
    }

    /// Pages a run covers are resident afterwards (`mincore`), the others not, and what was written stays.
    @Test func populatingMapsTheRunsPagesAndKeepsTheirBytes() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let count = 64 * page
        let region = try #require(mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(region != MAP_FAILED)
        defer { munmap(region, count) }
        let bytes = region.bindMemory(to: UInt8.self, capacity: count)
        bytes[0] = 0xA5
        bytes[3 * page + 7] = 0x5A
        func resident() -> [Bool] {
            var vector = [UInt8](repeating: 0, count: 64)
            #expect(mincore(region, count, &vector) == 0)
            return vector.map { $0 & 1 == 1 }
        }
        #expect(resident().filter { $0 }.count == 2)
        // Pages 2 to 8: asked for from the middle of page 2 to a byte into page 8.
        #expect(egress_populate(region + 2 * page + 100, 6 * page + 1, 1) == 0, "MADV_POPULATE_WRITE (Linux 5.14) refused")
        let after = resident()
        #expect(after.indices.filter { after[$0] } == [0, 2, 3, 4, 5, 6, 7, 8])
        #expect(bytes[0] == 0xA5 && bytes[3 * page + 7] == 0x5A && bytes[5 * page] == 0)

        var pages = PagesAhead()
        pages.populate(bytes + 20 * page, 0..<page)
        #expect(resident()[20])
    }

    @Test func zeroedArraysAreZero() {
        let slots = PagesAhead.zeroed(1 << 18, of: UInt64.self)
        #expect(slots.count == 1 << 18 && slots.allSatisfy { $0 == 0 })
        #expect(PagesAhead.zeroed(0, of: UInt32.self).isEmpty)
    }
}
