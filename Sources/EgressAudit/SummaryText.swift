/// A String written by interpolation into bytes: `"\(name) on \(ports, separator: ", ")"`
/// reads as usual, but each piece is copied into one byte buffer and the String is made once.
///
/// Why: a report has a finding per undocumented destination, thousands of them, and a
/// String's own interpolation appended piece by piece to a growing String (~5,800
/// instructions a summary, callgrind, a per-flow capture; this way ~2,000).
struct SummaryText: ExpressibleByStringInterpolation {
    let string: String

    init(stringLiteral value: String) { string = value }

    init(stringInterpolation text: Interpolation) {
        string = String(decoding: text.bytes, as: UTF8.self)
    }

    struct Interpolation: StringInterpolationProtocol {
        fileprivate var bytes: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + 64 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) { append(literal) }

        mutating func appendInterpolation(_ text: String) { append(text) }

        mutating func appendInterpolation(_ value: Int) { append(String(value)) }

        /// The texts with `separator` between them, as `joined(separator:)` would give.
        mutating func appendInterpolation(_ texts: [String], separator: String) {
            for (i, text) in texts.enumerated() {
                if i > 0 { append(separator) }
                append(text)
            }
        }

        private mutating func append(_ text: String) {
            if text.isEmpty { return }
            if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
                bytes.append(contentsOf: text.utf8)
            }
        }
    }
}
