@testable import EgressLogs
import Testing

@Suite struct LogTimeTests {
    /// 2018-04-16T23:45:04Z is 1523922304 s after the epoch (date -u -d @1523922304).
    @Test func rfc3339WithSevenFractionDigits() {
        #expect(LogTime.rfc3339("2018-04-16T23:45:04.8295030Z") == 1_523_922_304_829_503_000)
        #expect(LogTime.rfc3339("2018-04-17T01:45:04+02:00") == 1_523_922_304_000_000_000)
        #expect(LogTime.rfc3339("2018-04-16 23:45") == nil)
    }

    /// Found by the AzureFirewallLog fuzz target in CI's smoke: a DNS proxy record dated 2571
    /// overflowed Int64 nanoseconds (they end in 2262) and trapped. Times past that are no times.
    @Test func timesBeyondWhatNanosecondsHoldAreRefusedNotTrapped() {
        #expect(LogTime.rfc3339("2571-09-02T19:12:34.100Z") == nil)
        #expect(LogTime.rfc3339("2262-04-11T23:47:16Z") == 9_223_372_036_000_000_000)
        #expect(LogTime.epoch("99999999999") == nil)
        #expect(LogTime.epoch("9223372036854775807") == nil)
        let record = #"{"category": "AzureFirewallDnsProxy", "time": "2571-09-02T19:12:34.100Z", "properties": {"msg": "DNS Request: 10.1.0.5:48200 – 15677 A IN vmc-p-eastus.vault.azure.net. udp 46 false 512 NXDOMAIN - 0 0.012000000s"}}"#
        var result = LogFileResult(path: "fuzz.json", format: .azureFirewall)
        LogSourceReader.read(bytes: Array(record.utf8), into: &result, flow: { _ in }, dns: { _ in })
        #expect(result.records == 1 && result.rejected == 1, "one record, refused with its line")
    }

    @Test func epochSecondsAndMilliseconds() {
        #expect(LogTime.epoch("1542110377") == 1_542_110_377_000_000_000)
        #expect(LogTime.epoch("1663146003599") == 1_663_146_003_599_000_000)
        #expect(LogTime.epoch("-1") == nil)
    }
}
