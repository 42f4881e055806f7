import Testing
@testable import FlowEngine
import PacketWire

@Suite struct NameTableTests {
    @Test func internsCaseInsensitivelyAndDropsTheTrailingDot() {
        var names = NameTable()
        let a = names.intern("Login.MicrosoftOnline.com")
        #expect(!a.isNone)
        #expect(names.intern("login.microsoftonline.com.") == a)
        #expect(names.string(a) == "login.microsoftonline.com")
        #expect(names.intern("login.microsoft.com") != a)
        #expect(names.count == 2)
        #expect(names.lookup("LOGIN.microsoftonline.COM") == a)
        #expect(names.lookup("never.seen.example").isNone)
        #expect(names.count == 2)
    }

    @Test func refusesEmptyAndOverlongNames() {
        var names = NameTable()
        #expect(names.intern("").isNone)
        #expect(names.intern(".").isNone)
        #expect(names.intern(String(repeating: "a", count: 256)).isNone)
        #expect(!names.intern(String(repeating: "a", count: 255)).isNone)
    }

    @Test func growsAndKeepsEveryName() {
        var names = NameTable()
        var ids: [NameTable.NameID] = []
        for i in 0..<50_000 { ids.append(names.intern("host\(i).example.net")) }
        #expect(Set(ids).count == 50_000)
        for i in stride(from: 0, to: 50_000, by: 997) {
            #expect(names.lookup("HOST\(i).example.net") == ids[i])
            #expect(names.string(ids[i]) == "host\(i).example.net")
        }
    }

    /// The decode thread hashes names for the tracker (`NameHasher`): interning with that hash
    /// gives each name the id a plain dictionary of lower-cased, dot-trimmed names would, through
    /// the index's growth, for names of one length (the slot's length check) and in mixed case.
    @Test func internWithTheHashersHashAgreesWithADictionary() throws {
        var names = NameTable(seed: 41)
        let hasher = names.hasher
        var model: [String: NameTable.NameID] = [:]
        for i in 0..<30_000 {
            // Every name is 16 or 17 bytes: equal lengths everywhere, case and a trailing dot varied.
            let digits = String(i % 20_000)
            var name = "h" + String(repeating: "0", count: 5 - digits.count) + digits + ".example.org"
            if i % 3 == 0 { name = name.uppercased() }
            if i % 7 == 0 { name += "." }
            var key = name.lowercased()
            if key.hasSuffix(".") { key.removeLast() }
            let bytes = Array(name.utf8)
            let id = bytes.withUnsafeBytes { raw -> NameTable.NameID in
                let view = ByteView(raw)
                return names.intern(view, hash: hasher.hash(view)!)
            }
            if let known = model[key] { #expect(id == known, "\(name)") } else { model[key] = id }
            #expect(names.string(id) == key)
        }
        #expect(names.count == model.count)
        #expect(Set(model.values).count == model.count)
        // What `intern` refuses, the hasher gives no hash for.
        for refused in ["", ".", String(repeating: "a", count: 256)] {
            let bytes = Array(refused.utf8)
            #expect(bytes.withUnsafeBytes { hasher.hash(ByteView($0)) } == nil)
        }
        // Another table's hasher (another seed) hashes differently.
        let name = Array("login.microsoftonline.com".utf8)
        let other = NameTable(seed: 42).hasher
        #expect(name.withUnsafeBytes { hasher.hash(ByteView($0)) } != name.withUnsafeBytes { other.hash(ByteView($0)) })
    }

    @Test func aFloodOfNamesStopsAtTheCap() {
        var names = NameTable(capacity: 100)
        for i in 0..<1000 { _ = names.intern("n\(i).flood.example") }
        #expect(names.count == 100)
        #expect(names.refusedForCapacity == 900)
        #expect(!names.lookup("n99.flood.example").isNone)
    }
}

@Suite struct NameTableCopyTests {
    /// Copies share storage but keep value semantics: each sees only its own names.
    @Test func copiesThatGoOnInterningKeepTheirOwnNames() {
        var a = NameTable(seed: 7)
        let shared = a.intern("shared.example")
        var b = a
        let onlyA = a.intern("only-a.example")
        let onlyB = b.intern("only-b.example")
        #expect(onlyA.rawValue == 2 && onlyB.rawValue == 2)
        #expect(a.string(onlyA) == "only-a.example")
        #expect(b.string(onlyB) == "only-b.example")
        #expect(a.lookup("only-b.example").isNone)
        #expect(b.lookup("only-a.example").isNone)
        #expect(a.string(shared) == "shared.example" && b.string(shared) == "shared.example")
        // Both go on past the point where they parted, each with its own ids.
        for i in 0..<5_000 { _ = a.intern("a\(i).example"); _ = b.intern("b\(i).example") }
        #expect(a.count == 5_002 && b.count == 5_002)
        #expect(a.lookup("b17.example").isNone && !a.lookup("a17.example").isNone)
        #expect(b.lookup("a17.example").isNone && !b.lookup("b17.example").isNone)
    }

    /// A copy made before later names reads them once told the owner's count (the audit's thread).
    @Test func aFollowerReadsNamesAddedAfterItWasCopied() {
        var owner = NameTable(seed: 3)
        var follower = owner
        var ids: [NameTable.NameID] = []
        // Past one 64 KiB chunk and one 4,096-id block of the store.
        for i in 0..<9_000 { ids.append(owner.intern("Host-\(i).Region.Example.NET")) }
        #expect(follower.string(ids[8_999]) == "")
        follower.follow(ownerCount: owner.count)
        for i in [0, 4_095, 4_096, 8_999] {
            #expect(follower.string(ids[i]) == "host-\(i).region.example.net")
            #expect(follower.withBytes(ids[i]) { $0.count } == "host-\(i).region.example.net".utf8.count)
        }
        // The owner still appends in place, without copying the store for the follower.
        let next = owner.intern("after.example")
        #expect(next.rawValue == 9_001)
    }

    @Test func longNamesFillChunksWithoutStraddling() {
        var names = NameTable(seed: 1)
        var ids: [NameTable.NameID] = []
        for i in 0..<2_000 {
            let label = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: 240)
            ids.append(names.intern("\(label).\(i)"))
        }
        for i in stride(from: 0, to: 2_000, by: 37) {
            let label = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: 240)
            #expect(names.string(ids[i]) == "\(label).\(i)")
        }
    }
}
