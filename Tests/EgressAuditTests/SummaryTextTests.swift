@testable import EgressAudit
import Testing

/// `SummaryText` must give the text a String's own interpolation gives.
@Suite struct SummaryTextTests {
    @Test(arguments: [[], ["tcp/443"], ["tcp/443", "udp/443", "tcp/8443"], ["", "é", "例え.jp", "a\u{0}b"]])
    func readsAsInterpolation(list: [String]) {
        for name in ["", "x", "adatum1140.blob.core.windows.net", "café.example", "\u{212A}elvin"] {
            let ours: SummaryText = "\(name) on \(list, separator: ", "): \(list.count) (\(name))"
            #expect(ours.string == "\(name) on \(list.joined(separator: ", ")): \(list.count) (\(name))")
        }
        let literal: SummaryText = "no rule allows it"
        #expect(literal.string == "no rule allows it")
    }
}
