import Testing
@testable import EgressPolicy

@Suite struct FQDNPatternTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func exactLabelsAreLowerCasedAndTrailingDotDropped() throws {
        let p = try FQDNPattern("Login.MicrosoftOnline.COM.")
        #expect(p.text == "Login.MicrosoftOnline.COM")
        #expect(p.labels == [.exact(bytes("login")), .exact(bytes("microsoftonline")), .exact(bytes("com"))])
        #expect(!p.isWidened)
    }

    @Test func leftmostStarIsOneOrMoreLabelsElsewhereExactlyOne() throws {
        let p = try FQDNPattern("*.blob.core.windows.net")
        #expect(p.labels.first == .oneOrMoreLabels)
        let q = try FQDNPattern("login.*.example.com")
        #expect(q.labels[1] == .anyOneLabel)
        #expect(try FQDNPattern("*").labels == [.oneOrMoreLabels])
    }

    @Test func inLabelGlobsSplitIntoPieces() throws {
        #expect(try FQDNPattern("snovap*.x").labels[0] == .glob([bytes("snovap"), []]))
        #expect(try FQDNPattern("*-dsms.x").labels[0] == .glob([[], bytes("-dsms")]))
        #expect(try FQDNPattern("prod*-black.x").labels[0] == .glob([bytes("prod"), bytes("-black")]))
        // A leftmost "*foo" is an in-label glob, not the any-depth wildcard.
        #expect(try FQDNPattern("*foo.bar").labels[0] == .glob([[], bytes("foo")]))
    }

    @Test func placeholdersActAsInLabelGlobsAndAreReported() throws {
        let p = try FQDNPattern("<your-apim>.azure-api.net")
        #expect(p.labels[0] == .glob([[], []]))
        #expect(p.placeholders == ["<your-apim>"])
        #expect(p.isWidened)
        let q = try FQDNPattern("gcs.prod.monitoring.{region}.core.windows.net")
        #expect(q.labels[3] == .glob([[], []]))
        #expect(q.placeholders == ["{region}"])
        let spaced = try FQDNPattern("<your apim>.azure-api.net")
        #expect(spaced.placeholders == ["<your apim>"])
        let r = try FQDNPattern("acs-<region>-x.example.com")
        #expect(r.labels[0] == .glob([bytes("acs-"), bytes("-x")]))
    }

    @Test func aLabelOfExactly63AndANameOf253AreAccepted() throws {
        let label63 = String(repeating: "a", count: 63)
        _ = try FQDNPattern("\(label63).com")
        // 3 labels of 63 + 1 of 61 + 3 dots = 253.
        let name253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(name253.utf8.count == 253)
        _ = try FQDNPattern(name253)
    }

    @Test(arguments: [
        ("", FQDNPatternError.Reason.empty, 0),
        (".", .empty, 0),
        ("a..b", .emptyLabel, 2),
        (".a.b", .emptyLabel, 0),
        ("a.b..", .emptyLabel, 4),
        ("a b.com", .badCharacter(0x20), 1),
        ("exa$mple.com", .badCharacter(0x24), 3),
        ("café.com", .badCharacter(0xC3), 3),
        ("**.a.com", .doubleGlob, 1),
        ("a**b.com", .doubleGlob, 2),
        ("*<region>.com", .doubleGlob, 1),
        ("<region.com", .badPlaceholder, 0),
        ("<>.com", .badPlaceholder, 0),
        ("<a<b>.com", .badPlaceholder, 2),
        ("{a\u{7}b}.com", .badPlaceholder, 2),
        ("<my.region>.com", .badPlaceholder, 0),
    ])
    func rejects(pattern: String, reason: FQDNPatternError.Reason, offset: Int) {
        #expect(throws: FQDNPatternError(pattern: pattern, offset: offset, reason: reason)) {
            try FQDNPattern(pattern)
        }
    }

    @Test func lengthLimitsAreEnforced() {
        let label64 = String(repeating: "a", count: 64)
        #expect(throws: FQDNPatternError(pattern: "x.\(label64)", offset: 2, reason: .labelTooLong(64))) {
            try FQDNPattern("x.\(label64)")
        }
        let label63 = String(repeating: "a", count: 63)
        let name254 = [label63, label63, label63, String(repeating: "b", count: 62)].joined(separator: ".")
        #expect(throws: FQDNPatternError(pattern: name254, offset: 0, reason: .nameTooLong(254))) {
            try FQDNPattern(name254)
        }
    }

    @Test func errorMessagesNameThePatternTheProblemAndTheOffset() {
        let e = FQDNPatternError(pattern: "a**b.com", offset: 2, reason: .doubleGlob)
        #expect(e.description == "FQDN pattern \"a**b.com\" has two wildcards in a row ('**' or '*<placeholder>'), which is never meaningful (at offset 2)")
        let c = FQDNPatternError(pattern: "a b", offset: 1, reason: .badCharacter(0x20))
        #expect(c.description.contains("byte 0x20"))
        let d = FQDNPatternError(pattern: "a$b", offset: 1, reason: .badCharacter(0x24))
        #expect(d.description.contains("'$'"))
    }

    /// The profile layer validates FQDNs with its own rules; every one it
    /// accepts in the shipped profiles must also compile here.
    @Test func everyFQDNOfTheBuiltinProfilesParses() {
        var failures: [String] = []
        var count = 0
        for profile in BuiltinProfiles.all {
            for rule in profile.rules {
                for case .fqdn(let text) in rule.destinations + rule.sources {
                    count += 1
                    do { _ = try FQDNPattern(text) } catch { failures.append("\(profile.id)/\(rule.id): \(error)") }
                }
            }
        }
        #expect(count > 20)
        #expect(failures == [])
    }
}
