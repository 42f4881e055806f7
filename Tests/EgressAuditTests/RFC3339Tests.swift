import EgressAudit
import Foundation
import Testing

/// Timestamps in reports: checked against known instants and against
/// Foundation's ISO 8601 formatter (an independent implementation).
@Suite struct RFC3339Tests {
    @Test func knownInstants() {
        #expect(RFC3339.format(nanoseconds: 0) == "1970-01-01T00:00:00.000000000Z")
        #expect(RFC3339.format(nanoseconds: -1) == "1969-12-31T23:59:59.999999999Z")
        // `date -u -d @1700000000` → Tue Nov 14 22:13:20 UTC 2023.
        #expect(RFC3339.format(nanoseconds: 1_700_000_000_123_456_789) == "2023-11-14T22:13:20.123456789Z")
        // A leap day: `date -u -d 2000-02-29 +%s` → 951782400.
        #expect(RFC3339.format(nanoseconds: 951_782_400 * 1_000_000_000 + 7) == "2000-02-29T00:00:00.000000007Z")
        // The last representable instant (numpy and Go agree on it).
        #expect(RFC3339.format(nanoseconds: Int64.max) == "2262-04-11T23:47:16.854775807Z")
    }

    @Test func agreesWithFoundationOnRandomSeconds() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -2_000_000_000...4_000_000_000, using: &rng)
            let nanos = Int64.random(in: 0..<1_000_000_000, using: &rng)
            let ours = RFC3339.format(nanoseconds: seconds * 1_000_000_000 + nanos)
            let theirs = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            // Foundation prints whole seconds: compare up to them, then the nanoseconds by hand.
            #expect(ours.prefix(19) + "Z" == theirs, "\(seconds)")
            #expect(ours.dropFirst(20).prefix(9) == Substring(String(nanos + 1_000_000_000).dropFirst()))
        }
    }
}
