import PacketWire
import TestSupport
import Testing
@testable import EgressPolicy

@Suite struct FQDNMatcherTests {
    /// A matcher over `patterns`, rule ID = position in the list.
    private func matcher(_ patterns: [String]) throws -> FQDNMatcher {
        FQDNMatcher(try patterns.enumerated().map { (try FQDNPattern($0.element), Int32($0.offset)) })
    }

    @Test func exactNameMatchesOnlyItself() throws {
        let m = try matcher(["login.microsoftonline.com"])
        #expect(m.matches("login.microsoftonline.com") == [0])
        #expect(m.matches("x.login.microsoftonline.com") == [])
        #expect(m.matches("microsoftonline.com") == [])
        #expect(m.matches("login.microsoftonline.co") == [])
        #expect(m.matches("ogin.microsoftonline.com") == [])
    }

    @Test func leftmostWildcardMatchesOneTwoAndThreeLabelsButNotTheApex() throws {
        let m = try matcher(["*.blob.core.windows.net"])
        #expect(m.matches("a.blob.core.windows.net") == [0])
        #expect(m.matches("x.y.blob.core.windows.net") == [0])
        #expect(m.matches("p.q.r.blob.core.windows.net") == [0])
        #expect(m.matches("blob.core.windows.net") == [])
        #expect(m.matches("core.windows.net") == [])
        #expect(m.matches("a.blob.core.windows.net.evil.com") == [])
        #expect(m.matches("ablob.core.windows.net") == [])
    }

    @Test func apexAndWildcardAreSeparateRules() throws {
        let m = try matcher(["example.com", "*.example.com"])
        #expect(m.matches("example.com") == [0])
        #expect(m.matches("www.example.com") == [1])
    }

    @Test func innerWholeStarIsExactlyOneLabel() throws {
        let m = try matcher(["login.*.example.com"])
        #expect(m.matches("login.eu.example.com") == [0])
        #expect(m.matches("login.example.com") == [])
        #expect(m.matches("login.a.b.example.com") == [])
    }

    @Test func caseAndTrailingDotAreIgnoredOnBothSides() throws {
        let m = try matcher(["Management.Azure.COM.", "*.Vault.Azure.net"])
        #expect(m.matches("MANAGEMENT.azure.com") == [0])
        #expect(m.matches("management.azure.com.") == [0])
        #expect(m.matches("MyVault.VAULT.azure.NET.") == [1])
    }

    @Test func rawBytesFromTheWireAreMatchedWithoutAString() throws {
        let m = try matcher(["*.blob.core.windows.net"])
        // A decoded DNS QNAME / SNI host_name as it sits in the packet: mixed case, trailing root dot.
        let wire: [UInt8] = [
            0x53, 0x41,                               // "SA"
            0x2E,                                     // "."
            0x42, 0x6C, 0x6F, 0x62,                   // "Blob"
            0x2E,                                     // "."
            0x63, 0x6F, 0x72, 0x65,                   // "core"
            0x2E,                                     // "."
            0x57, 0x49, 0x4E, 0x44, 0x4F, 0x57, 0x53, // "WINDOWS"
            0x2E,                                     // "."
            0x6E, 0x65, 0x74,                         // "net"
            0x2E,                                     // "." (root)
        ]
        var seen: [Int32] = []
        wire.withUnsafeBytes { m.forEachMatch(ByteView($0)) { seen.append($0) } }
        #expect(seen == [0])
        var buffer = MatchBuffer()
        wire.withUnsafeBytes { m.matches(ByteView($0), into: &buffer) }
        #expect(buffer.ids == [0])
        #expect(wire.withUnsafeBytes { m.matchesAny(ByteView($0)) })
    }

    @Test func inLabelGlobsStayInsideOneLabel() throws {
        let m = try matcher(["snovap*.prod.example.com", "*-dsms.example.com", "prod*-black.example.com", "*foo.bar"])
        #expect(m.matches("snovap.prod.example.com") == [0])          // zero characters
        #expect(m.matches("snovap123.prod.example.com") == [0])
        #expect(m.matches("snova.prod.example.com") == [])
        #expect(m.matches("snovap.x.prod.example.com") == [])         // no dot inside a glob
        #expect(m.matches("west-dsms.example.com") == [1])
        #expect(m.matches("-dsms.example.com") == [1])
        #expect(m.matches("a.b-dsms.example.com") == [])
        #expect(m.matches("prod12-black.example.com") == [2])
        #expect(m.matches("prod-black.example.com") == [2])
        #expect(m.matches("prod-blac.example.com") == [])
        #expect(m.matches("prodblack.example.com") == [])
        #expect(m.matches("foo.bar") == [3])
        #expect(m.matches("xfoo.bar") == [3])
        #expect(m.matches("x.foo.bar") == [])                         // "*foo" is one label, not any depth
    }

    @Test func globPiecesDoNotOverlap() throws {
        // "ab*ba" needs at least 4 characters: "aba" would reuse the middle "b".
        let m = try matcher(["ab*ba.x", "a*b*c.x"])
        #expect(m.matches("aba.x") == [])
        #expect(m.matches("abba.x") == [0])
        #expect(m.matches("abc.x") == [1])
        #expect(m.matches("acb.x") == [])
        #expect(m.matches("axxbyyc.x") == [1])
    }

    @Test func leftoverPlaceholdersMatchOneLabelLikeAnInLabelStar() throws {
        let m = try matcher(["<your-apim>.azure-api.net", "gcs.prod.monitoring.{region}.core.windows.net", "acs-<region>.example.com"])
        #expect(m.matches("contoso.azure-api.net") == [0])
        #expect(m.matches("a.contoso.azure-api.net") == [])
        #expect(m.matches("gcs.prod.monitoring.westus.core.windows.net") == [1])
        #expect(m.matches("gcs.prod.monitoring.core.windows.net") == [])
        #expect(m.matches("acs-westeurope.example.com") == [2])
        #expect(m.matches("acs-.example.com") == [2])
    }

    @Test func overlappingPatternsReturnEveryRule() throws {
        let m = try matcher([
            "*.core.windows.net",          // 0
            "*.blob.core.windows.net",     // 1
            "sa.blob.core.windows.net",    // 2
            "s*.blob.core.windows.net",    // 3
            "*.*.core.windows.net",        // 4: at least two labels before core
            "sa.blob.core.windows.net",    // 5: same pattern, another rule
            "*",                           // 6: every name
        ])
        #expect(m.matches("sa.blob.core.windows.net") == [0, 1, 2, 3, 4, 5, 6])
        #expect(m.matches("blob.core.windows.net") == [0, 6])
        #expect(m.matches("x.y.z.core.windows.net") == [0, 4, 6])
        #expect(m.matches("example.org") == [6])
    }

    @Test func sameRuleFromTwoPatternsIsReportedOnceByTheBuffer() throws {
        let m = FQDNMatcher([(try FQDNPattern("*.a.com"), Int32(7)), (try FQDNPattern("x.a.com"), Int32(7))])
        #expect(m.matches("x.a.com") == [7])
        var count = 0
        "x.a.com".utf8.withContiguousStorageIfAvailable { m.forEachMatch(ByteView(UnsafeRawBufferPointer($0))) { _ in count += 1 } }
        #expect(count == 2)
    }

    @Test(arguments: ["", ".", "a..example.com", ".example.com", "example.com..", "example..com"])
    func malformedNamesMatchNothing(name: String) throws {
        let m = try matcher(["*", "*.com", "example.com", "*.example.com", "a.*.example.com"])
        // Only "*" could apply to such names, and a name with an empty label is not a name.
        #expect(m.matches(name) == [])
    }

    /// The word-at-a-time check for an empty label, against a byte-by-byte one, on names of
    /// dots, letters and bytes with the top bit set (0xAE: a dot's bits and 0x80), every length to 40.
    @Test func twoDotsInARowAreFoundWhereverTheyFall() {
        var rng = SplitMix64(seed: 0xD07_D07)
        let alphabet: [UInt8] = [0x2E, 0x2E, 0x61, 0xAE, 0x2F, 0x0E, 0xFF]
        for _ in 0 ..< 20_000 {
            let bytes = (0 ..< Int(rng.next() % 41)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let naive = zip(bytes, bytes.dropFirst()).contains { $0 == 0x2E && $1 == 0x2E }
            let found = bytes.withUnsafeBytes { FQDNMatcher.hasTwoDotsInARow(ByteView($0), bytes.count) }
            #expect(found == naive, "\(bytes)")
        }
    }

    /// The word-at-a-time search for a label's start, against a byte-by-byte one, from every end.
    @Test func aLabelStartsPastTheLastDotBeforeItsEnd() {
        var rng = SplitMix64(seed: 0x1ABE1)
        let alphabet: [UInt8] = [0x2E, 0x61, 0x62, 0xAE, 0x2F, 0x0E]
        for _ in 0 ..< 5_000 {
            let bytes = (0 ..< Int(rng.next() % 41)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            for end in 0 ... bytes.count {
                let naive = (bytes[..<end].lastIndex(of: 0x2E) ?? -1) + 1
                let found = bytes.withUnsafeBytes { FQDNMatcher.labelStart(ByteView($0), end) }
                #expect(found == naive, "\(bytes) end \(end)")
            }
        }
    }

    @Test func emptyMatcherMatchesNothing() {
        let m = FQDNMatcher([])
        #expect(m.matches("example.com") == [])
    }

    /// Arbitrary bytes (NUL, non-ASCII, dots, stars) never trap, and names
    /// with an empty label never match.
    @Test func arbitraryBytesNeverCrashTheMatcherOrTheParser() throws {
        var rng = SplitMix64(seed: 0xBAD_B17E5)
        let alphabet: [UInt8] = [0x61, 0x41, 0x2E, 0x2A, 0x2D, 0x00, 0xC3, 0xFF, 0x3C, 0x3E, 0x7B, 0x7D, 0x62]
        let m = try matcher(["*", "a.a", "*.a", "a*.b", "<x>.a", "*.*.a"])
        var parsed = 0, rejected = 0
        for _ in 0 ..< 3000 {
            let bytes = (0 ..< Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            var ids: [Int32] = []
            bytes.withUnsafeBytes { m.forEachMatch(ByteView($0)) { ids.append($0) } }
            #expect(ids.allSatisfy { (0 ..< 6).contains($0) })
            var trimmed = bytes
            if trimmed.last == 0x2E { trimmed.removeLast() }
            let hasEmptyLabel = trimmed.isEmpty || trimmed.first == 0x2E || trimmed.last == 0x2E
                || zip(trimmed, trimmed.dropFirst()).contains { $0 == 0x2E && $1 == 0x2E }
            if hasEmptyLabel { #expect(ids.isEmpty) } else { #expect(ids.contains(0)) }  // "*" matches every real name
            do {
                let p = try FQDNPattern(String(decoding: bytes, as: UTF8.self))
                #expect(!p.labels.isEmpty)
                parsed += 1
            } catch {
                rejected += 1
            }
        }
        #expect(parsed > 0 && rejected > 0)
    }

    // MARK: Property test against a tiny independent reference

    @Test func agreesWithReferenceOnRandomPatternsAndNames() throws {
        var rng = SplitMix64(seed: 0xE6E5_5A0D)
        let labels = ["a", "b", "ab", "ba", "aab", "x", "com"]
        func randomCase(_ s: String) -> String {
            String(s.map { rng.next() % 3 == 0 ? Character($0.uppercased()) : $0 })
        }
        func randomPatternLabel(position: Int) -> String {
            switch rng.next() % 10 {
            case 0: return "*"
            case 1: return labels[Int(rng.next() % UInt64(labels.count))] + "*"
            case 2: return "*" + labels[Int(rng.next() % UInt64(labels.count))]
            case 3: return "a*b"
            case 4: return position == 0 ? "<region>" : "{p}"
            default: return randomCase(labels[Int(rng.next() % UInt64(labels.count))])
            }
        }
        var patterns: [String] = []
        while patterns.count < 200 {
            let n = 1 + Int(rng.next() % 4)
            let p = (0 ..< n).map { randomPatternLabel(position: $0) }.joined(separator: ".")
            if (try? FQDNPattern(p)) != nil { patterns.append(rng.next() % 4 == 0 ? p + "." : p) }
        }
        let m = try matcher(patterns)
        var checked = 0, matched = 0
        for _ in 0 ..< 3000 {
            let n = 1 + Int(rng.next() % 5)
            var name = (0 ..< n).map { _ in randomCase(labels[Int(rng.next() % UInt64(labels.count))]) }.joined(separator: ".")
            if rng.next() % 5 == 0 { name += "." }
            let expected = patterns.indices.filter { ReferenceFQDN.matches(pattern: patterns[$0], name: name) }.map(Int32.init)
            #expect(m.matches(name) == expected, "name \(name)")
            checked += 1
            if !expected.isEmpty { matched += 1 }
        }
        // The generator must actually exercise matches, not only misses.
        #expect(matched > 500)
        #expect(checked == 3000)
    }
}

/// The documented semantics written as directly as possible, over Strings and
/// Characters: split in labels, leftmost `*` = one or more labels, other whole
/// `*` = one label, `*` and placeholders inside a label = any run of characters.
enum ReferenceFQDN {
    static func matches(pattern: String, name: String) -> Bool {
        let p = labels(pattern)
        let n = labels(name)
        guard !n.isEmpty, !n.contains(where: \.isEmpty) else { return false }
        if p.first == "*" {
            let rest = Array(p.dropFirst())
            guard n.count > rest.count else { return false }
            return zip(rest, n.suffix(rest.count)).allSatisfy { label($0, $1) }
        }
        guard p.count == n.count else { return false }
        return zip(p, n).allSatisfy { label($0, $1) }
    }

    static func labels(_ s: String) -> [String] {
        var t = s.lowercased()
        if t.hasSuffix(".") { t.removeLast() }
        if t.isEmpty { return [] }
        return t.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func label(_ pattern: String, _ label: String) -> Bool {
        if pattern == "*" { return true }
        // Placeholders become "*".
        var glob: [Character] = []
        var inside = false
        for c in pattern {
            if c == "<" || c == "{" { inside = true; glob.append("*"); continue }
            if c == ">" || c == "}" { inside = false; continue }
            if !inside { glob.append(c) }
        }
        return globMatch(glob[...], Array(label)[...])
    }

    static func globMatch(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        if first == "*" {
            var rest = s
            while true {
                if globMatch(p.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
        guard let c = s.first, c == first else { return false }
        return globMatch(p.dropFirst(), s.dropFirst())
    }
}
