import Testing
@testable import PacketWire

@Suite struct DecodeIssueTests {
    @Test func descriptionNamesLayerOffsetAndNumbers() {
        let issue = DecodeIssue(layer: .tcp, offset: 34, needed: 60, had: 20, reason: .dataOffsetPastEnd)
        #expect(issue.description == "tcp at 34: data offset needs 60 bytes, 20 available")
        #expect(DecodeIssue(layer: .udp, offset: 20, needed: 8, had: 7, reason: .udpLengthTooSmall).detail == "UDP length 7 < 8")
    }

    @Test func namesAreUniqueAndLowerCase() {
        let lists: [[String]] = [
            DecodeIssue.Layer.allCases.map(\.name), DecodeIssue.Reason.allCases.map(\.name),
            NotDecodedReason.allCases.map(\.name), NetworkLayer.allCases.map(\.name), FragmentKind.allCases.map(\.name),
            TransportKind.allCases.map(\.name), ICMPKind.allCases.map(\.name), LinkDirection.allCases.map(\.name),
        ]
        for names in lists {
            #expect(Set(names).count == names.count)
            #expect(names.allSatisfy { $0 == $0.lowercased() && !$0.contains(" ") })
        }
    }
}
