@testable import EgressAudit
import Testing

/// The parent-domain group a name past the named-destination cap folds into:
/// `*.` and its last two non-empty labels, else `*` (README, "Caps").
@Suite struct ParentDomainGroupTests {
    @Test func worked() {
        #expect(DestinationAggregates.parentDomainText("login.microsoftonline.com") == "*.microsoftonline.com")
        #expect(DestinationAggregates.parentDomainText("a.b.c.example.co") == "*.example.co")
        #expect(DestinationAggregates.parentDomainText("example.com.") == "*.example.com")
        #expect(DestinationAggregates.parentDomainText("x..example...com") == "*.example.com")
        #expect(DestinationAggregates.parentDomainText("localhost") == "*")
        #expect(DestinationAggregates.parentDomainText("...") == "*")
        #expect(DestinationAggregates.parentDomainText("") == "*")
    }

    /// Against the standard library's split and join, on names of dots and letters of every shape.
    @Test func agreesWithSplitAndJoin() {
        var seed: UInt64 = 0x5eed
        for _ in 0..<20_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(seed >> 59)
            var name = ""
            let alphabet: [Character] = ["a", "b", ".", "ç", "."]
            for k in 0..<length { name.append(alphabet[Int((seed >> UInt64(k * 3)) % 5)]) }
            let labels = name.split(separator: ".", omittingEmptySubsequences: true)
            let expected = labels.count >= 2 ? "*." + labels.suffix(2).joined(separator: ".") : "*"
            #expect(DestinationAggregates.parentDomainText(name) == expected, "\(name)")
        }
    }
}
