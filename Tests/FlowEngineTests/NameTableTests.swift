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

    @Test func aFloodOfNamesStopsAtTheCap() {
        var names = NameTable(capacity: 100)
        for i in 0..<1000 { _ = names.intern("n\(i).flood.example") }
        #expect(names.count == 100)
        #expect(names.refusedForCapacity == 900)
        #expect(!names.lookup("n99.flood.example").isNone)
    }
}
