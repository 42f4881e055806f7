@testable import EgressLogs
import Testing

@Suite struct LogTimeTests {
    /// 2018-04-16T23:45:04Z is 1523922304 s after the epoch (date -u -d @1523922304).
    @Test func rfc3339WithSevenFractionDigits() {
        #expect(LogTime.rfc3339("2018-04-16T23:45:04.8295030Z") == 1_523_922_304_829_503_000)
        #expect(LogTime.rfc3339("2018-04-17T01:45:04+02:00") == 1_523_922_304_000_000_000)
        #expect(LogTime.rfc3339("2018-04-16 23:45") == nil)
    }

    @Test func epochSecondsAndMilliseconds() {
        #expect(LogTime.epoch("1542110377") == 1_542_110_377_000_000_000)
        #expect(LogTime.epoch("1663146003599") == 1_663_146_003_599_000_000)
        #expect(LogTime.epoch("-1") == nil)
    }
}
