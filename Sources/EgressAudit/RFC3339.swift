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

        /// Writes the 30 bytes of a four-digit year's text; returns 30.
        func write(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
            var i = 0
            func digits(_ value: Int64, _ width: Int) {
                var v = value
                var j = i + width - 1
                while j >= i { out[j] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10; j -= 1 }
                i += width
            }
            func put(_ c: Unicode.Scalar) { out[i] = UInt8(truncatingIfNeeded: c.value); i += 1 }
            digits(year, 4); put("-"); digits(month, 2); put("-"); digits(day, 2); put("T")
            digits(secondOfDay / 3600, 2); put(":"); digits(secondOfDay / 60 % 60, 2); put(":"); digits(secondOfDay % 60, 2)
            put("."); digits(nanos, 9); put("Z")
            return i
        }
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
