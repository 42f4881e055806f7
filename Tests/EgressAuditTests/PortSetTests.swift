import Testing
@testable import EgressAudit

/// PortSet, the 1024-word bitmap behind "SYN destination ports" and the
/// aggregates' port lists: the word and bit edges (0, 63/64, 65535), order, duplicates.
@Suite struct PortSetTests {
    @Test func anEmptySetHoldsNothing() {
        let set = PortSet()
        #expect(set.sorted == [])
        for port: UInt16 in [0, 1, 63, 64, 443, 65535] { #expect(!set.contains(port), "\(port)") }
    }

    @Test func portsAtWordAndBitEdgesAreKeptApart() {
        var set = PortSet()
        // 63 and 64 sit in different words; 65535 is the last bit of the last word.
        for port: UInt16 in [0, 63, 64, 65535] { set.insert(port) }
        #expect(set.sorted == [0, 63, 64, 65535])
        for port: UInt16 in [0, 63, 64, 65535] { #expect(set.contains(port), "\(port)") }
        for port: UInt16 in [1, 62, 65, 127, 128, 65534] { #expect(!set.contains(port), "\(port)") }
    }

    @Test func sortedIsAscendingWithoutDuplicatesWhateverTheInsertionOrder() {
        var set = PortSet()
        for port: UInt16 in [8443, 53, 443, 53, 1, 443, 65000, 80] { set.insert(port) }
        #expect(set.sorted == [1, 53, 80, 443, 8443, 65000])
    }

    @Test func everyPortFits() {
        var set = PortSet()
        for port in UInt16.min...UInt16.max { set.insert(port) }
        #expect(set.sorted.count == 65536)
        #expect(set.sorted.first == 0 && set.sorted.last == 65535)
        // Every odd port only: half of them, none even.
        var odd = PortSet()
        for port in stride(from: 1, through: 65535, by: 2) { odd.insert(UInt16(port)) }
        #expect(odd.sorted.count == 32768)
        #expect(odd.sorted.allSatisfy { $0 % 2 == 1 })
    }

    @Test func equalityIsByTheirPorts() {
        var a = PortSet(), b = PortSet()
        for port: UInt16 in [22, 443, 3389] { a.insert(port) }
        for port: UInt16 in [3389, 22, 443, 22] { b.insert(port) }
        #expect(a == b)
        b.insert(444)
        #expect(a != b)
    }
}
