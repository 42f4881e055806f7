/// Formats capture timestamps (nanoseconds since the Unix epoch) as RFC 3339
/// UTC text with nanoseconds, e.g. `2026-11-24T03:14:07.123456789Z`.
///
/// Reports carry two of these per destination and per flow, so the digits are
/// written straight into the string's storage (one allocation, no interpolation).
public enum RFC3339 {
    public static func format(nanoseconds: Int64) -> String {
        let t = Civil(nanoseconds: nanoseconds)
        guard (0...9999).contains(t.year) else {
            // Outside four-digit years (never in a real capture): the plain way.
            return "\(t.year)-\(pad(t.month, 2))-\(pad(t.day, 2))T\(pad(t.secondOfDay / 3600, 2)):\(pad(t.secondOfDay / 60 % 60, 2)):\(pad(t.secondOfDay % 60, 2)).\(pad(t.nanos, 9))Z"
        }
        return String(unsafeUninitializedCapacity: length) { t.write(into: $0) }
    }

    /// Appends the same text to `bytes`: the flow log writes two per line
    /// and builds no String for them.
    public static func append(nanoseconds: Int64, to bytes: inout [UInt8]) {
        let t = Civil(nanoseconds: nanoseconds)
        guard (0...9999).contains(t.year) else {
            bytes.append(contentsOf: format(nanoseconds: nanoseconds).utf8)
            return
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: length))
        bytes.withUnsafeMutableBufferPointer { _ = t.write(into: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }

    /// `YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ`
    private static let length = 30

    /// The calendar fields of an instant, UTC.
    private struct Civil {
        var year, month, day, secondOfDay, nanos: Int64

        init(nanoseconds: Int64) {
            let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
            nanos = nanoseconds - seconds * 1_000_000_000
            var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            secondOfDay = seconds - days * 86_400
            // Howard Hinnant's civil_from_days.
            days += 719_468
            let era = (days >= 0 ? days : days - 146_096) / 146_097
            let doe = days - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            day = doy - (153 * mp + 2) / 5 + 1
            month = mp < 10 ? mp + 3 : mp - 9
            year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        }

        /// Writes the 30 bytes of a four-digit year's text; returns 30. Two digits at a time
        /// in 32-bit arithmetic (a division per digit was ~400 instructions a timestamp, callgrind).
        func write(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
            precondition(out.count >= RFC3339.length)
            // SAFETY: the 30 bytes written are within `out` (checked above).
            let p = out.baseAddress!
            @inline(__always) func two(_ v: UInt32, at i: Int) {
                let tens = v / 10
                p[i] = 48 &+ UInt8(truncatingIfNeeded: tens)
                p[i + 1] = 48 &+ UInt8(truncatingIfNeeded: v &- tens &* 10)
            }
            let y = UInt32(truncatingIfNeeded: year), s = UInt32(truncatingIfNeeded: secondOfDay)
            two(y / 100, at: 0); two(y % 100, at: 2); p[4] = UInt8(ascii: "-")
            two(UInt32(truncatingIfNeeded: month), at: 5); p[7] = UInt8(ascii: "-")
            two(UInt32(truncatingIfNeeded: day), at: 8); p[10] = UInt8(ascii: "T")
            two(s / 3600, at: 11); p[13] = UInt8(ascii: ":")
            two(s / 60 % 60, at: 14); p[16] = UInt8(ascii: ":")
            two(s % 60, at: 17); p[19] = UInt8(ascii: ".")
            // Nanoseconds (< 10^9): digits 1–2, 3–4, 5–6, 7–8, then the ninth.
            let n = UInt32(truncatingIfNeeded: nanos)
            two(n / 10_000_000, at: 20)
            two(n / 100_000 % 100, at: 22)
            two(n / 1_000 % 100, at: 24)
            two(n / 10 % 100, at: 26)
            p[28] = 48 &+ UInt8(truncatingIfNeeded: n % 10)
            p[29] = UInt8(ascii: "Z")
            return RFC3339.length
        }
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
