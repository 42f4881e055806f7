import Testing
@testable import PacketWire

@Suite struct DNSNameTests {
    typealias F = AppWireFixtures

    @Test func selfPointerIsRejected() {
        // @0: c0 00 points at itself.
        F.withView(F.bytes("c0 00")) { view in
            var name = DNSNameBuffer()
            #expect(throws: DNSIssue(.forwardPointer, at: 0)) { _ = try DNSName.decode(in: view, at: 0, into: &name) }
        }
    }

    @Test func twoPointerCycleIsRejected() {
        // @0 "a" then → @4; @4 → @0. From @4: jump to @0, read "a", the pointer @2 → @4 is not before @0.
        F.withView(F.bytes("01 61 c0 04 c0 00")) { view in
            var name = DNSNameBuffer()
            #expect(throws: DNSIssue(.forwardPointer, at: 2)) { _ = try DNSName.decode(in: view, at: 4, into: &name) }
        }
    }

    @Test func forwardPointerIsRejected() {
        // @0 → @4, which holds a valid name: still forward.
        F.withView(F.bytes("c0 04 00 00 01 61 00")) { view in
            var name = DNSNameBuffer()
            #expect(throws: DNSIssue(.forwardPointer, at: 0)) { _ = try DNSName.decode(in: view, at: 0, into: &name) }
        }
    }

    @Test func pointerHopsAreCapped() throws {
        // @0 root; @2k → @2(k-1): a legal backward chain, k hops to the root.
        var bytes: [UInt8] = [0, 0]
        for k in 1...70 { bytes += [0xC0, UInt8(2 * (k - 1))] }
        try F.withView(bytes) { view in
            var name = DNSNameBuffer()
            let end = try DNSName.decode(in: view, at: 128, into: &name)  // 64 hops: allowed
            #expect(end == 130 && name.count == 0)
            #expect(throws: DNSIssue(.tooManyPointers, at: 2)) { _ = try DNSName.decode(in: view, at: 130, into: &name) }
        }
    }

    @Test(arguments: [UInt8(0x40), 0x80, 0x7F, 0xBF])
    func labelLengthAbove63IsRejected(lengthByte: UInt8) {
        F.withView([lengthByte, 0x61, 0x00]) { view in
            var name = DNSNameBuffer()
            #expect(throws: DNSIssue(.reservedLabelType, at: 0)) { _ = try DNSName.decode(in: view, at: 0, into: &name) }
        }
    }

    static func name(labels: [Int]) -> [UInt8] {
        labels.flatMap { [UInt8($0)] + [UInt8](repeating: 0x61, count: $0) } + [0]
    }

    @Test func nameOf255BytesIsAccepted() throws {
        let wire = Self.name(labels: [63, 63, 63, 61])  // 64·3 + 62 + 1 = 255
        #expect(wire.count == 255)
        try F.withView(wire) { view in
            var name = DNSNameBuffer()
            let end = try DNSName.decode(in: view, at: 0, into: &name)
            #expect(end == 255)
            #expect(name.count == 253 && name.labelCount == 4)
        }
    }

    @Test func nameOver255BytesIsRejected() {
        let wire = Self.name(labels: [63, 63, 63, 62])  // 256 bytes
        F.withView(wire) { view in
            var name = DNSNameBuffer()
            let issue = #expect(throws: DNSIssue.self) { _ = try DNSName.decode(in: view, at: 0, into: &name) }
            #expect(issue?.what == .nameTooLong)
        }
        // Five 63-byte labels reached through a pointer are too long as well.
        let viaPointer = Self.name(labels: [63, 63, 63, 63, 63]) + [0xC0, 0x00]
        F.withView(viaPointer) { view in
            var name = DNSNameBuffer()
            #expect(throws: DNSIssue.self) { _ = try DNSName.decode(in: view, at: 321, into: &name) }
        }
    }

    @Test func truncatedLabel() {
        F.withView(F.bytes("05 6162")) { view in
            var name = DNSNameBuffer()
            #expect(throws: DNSIssue(.truncated, at: 1, needed: 5, had: 2)) { _ = try DNSName.decode(in: view, at: 0, into: &name) }
        }
    }

    @Test func rootNameAndResumeOffset() throws {
        // @0 "ab" root; @4 "x" → @0: decoding @4 resumes after the pointer at @8.
        try F.withView(F.bytes("02 6162 00 01 78 c0 00 ff")) { view in
            var name = DNSNameBuffer()
            let rootEnd = try DNSName.decode(in: view, at: 3, into: &name)
            #expect(rootEnd == 4 && name.count == 0)
            let end = try DNSName.decode(in: view, at: 4, into: &name)
            #expect(end == 8)
            #expect(name.string == "x.ab")
        }
    }
}
