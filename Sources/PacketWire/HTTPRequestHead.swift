/// The head of an HTTP/1.x request (RFC 9112 §2.1, §3): request line and
/// the Host field, read from a client's first bytes on any port.
///
/// ```
/// request-line = method SP request-target SP HTTP-version CRLF
/// *( field-line CRLF )
/// CRLF
/// ```
public struct HTTPRequestHead {
    public let method: ByteView
    public let target: ByteView
    /// 1.0 → (1, 0), 1.1 → (1, 1).
    public let versionMajor: UInt8
    public let versionMinor: UInt8
    /// First Host field value, surrounding whitespace trimmed.
    public let host: ByteView?
    /// Bytes of the head including the blank line that ends it.
    public let length: Int

    public var isCONNECT: Bool { method.equalsASCIICaseInsensitive("CONNECT") }

    /// For CONNECT (RFC 9110 §9.3.6) the target is `host:port`: split it.
    public var connectAuthority: HTTPAuthority? {
        isCONNECT ? HTTPAuthority(target) : nil
    }

    public var methodString: String { method.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
    public var targetString: String { target.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
    public var hostString: String? { host.map { h in h.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } } }
}

/// `host [":" port]` with IPv6 literals in brackets (RFC 9110 §4.2.3, RFC 3986 §3.2.2).
public struct HTTPAuthority {
    /// The host without brackets.
    public let host: ByteView
    public let port: UInt16?

    /// Nil when the text is empty, a bracket is unbalanced, or the port is not a number ≤ 65535.
    public init?(_ text: ByteView) {
        guard text.count > 0 else { return nil }
        var hostEnd: Int
        var hostStart = 0
        var rest: Int
        if text.u8Unchecked(at: 0) == 0x5B {  // "["
            var close = -1
            for i in 1..<text.count where text.u8Unchecked(at: i) == 0x5D { close = i; break }
            guard close > 1 else { return nil }
            hostStart = 1
            hostEnd = close
            rest = close + 1
            guard rest == text.count || text.u8Unchecked(at: rest) == 0x3A else { return nil }
        } else {
            hostEnd = text.count
            for i in stride(from: text.count - 1, through: 0, by: -1) where text.u8Unchecked(at: i) == 0x3A {
                hostEnd = i
                break
            }
            rest = hostEnd
        }
        guard hostEnd > hostStart, let host = text.slice(from: hostStart, length: hostEnd - hostStart) else { return nil }
        self.host = host
        if rest < text.count {
            let digits = text.count - rest - 1
            guard digits >= 1, digits <= 5 else { return nil }
            var value = 0
            for i in (rest + 1)..<text.count {
                let d = text.u8Unchecked(at: i) &- 0x30
                guard d < 10 else { return nil }
                value = value * 10 + Int(d)
            }
            guard value <= 65_535 else { return nil }
            port = UInt16(value)
        } else {
            port = nil
        }
    }

    public var hostString: String { host.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
}

public enum HTTPRequestHeadParse {
    case complete(HTTPRequestHead)
    /// The bytes so far look like a request but the head has not ended (no blank line yet).
    case needMore
    /// Not an HTTP/1.x request.
    case notHTTP
    /// No end of head within the cap.
    case tooLarge
}

extension HTTPRequestHead {
    /// Heads longer than this are given up on: real clients stay far below it.
    public static let defaultMaxLength = 8_192
    /// Longest method accepted (registered methods are at most 17 letters: UPDATEREDIRECTREF).
    static let maxMethodLength = 24

    /// Reads a request head from the start of `bytes`. Decides `notHTTP` as
    /// early as the first bytes allow, so non-HTTP flows are dropped quickly.
    /// Lines may end in CRLF or a bare LF (RFC 9112 §2.2 lets recipients accept it).
    public static func parse(_ bytes: ByteView, maxLength: Int = defaultMaxLength) -> HTTPRequestHeadParse {
        // method = token (RFC 9110 §9.1); in practice upper-case letters (and "-" / "_" in extensions).
        var i = 0
        while i < bytes.count, i <= maxMethodLength {
            let c = bytes.u8Unchecked(at: i)
            if c == 0x20 { break }
            guard (c >= 0x41 && c <= 0x5A) || c == 0x2D || c == 0x5F else { return .notHTTP }
            i += 1
        }
        guard i <= maxMethodLength else { return .notHTTP }
        guard i < bytes.count else { return bytes.count >= maxLength ? .tooLarge : .needMore }
        guard i > 0 else { return .notHTTP }
        let methodEnd = i

        // The request line: target up to the next SP, then the version up to the line end.
        let limit = Swift.min(bytes.count, maxLength)
        var lineEnd = -1
        var j = methodEnd + 1
        while j < limit {
            let c = bytes.u8Unchecked(at: j)
            if c == 0x0A { lineEnd = j; break }
            // Control bytes other than CR/HTAB never appear in a request line.
            if c < 0x20 && c != 0x0D && c != 0x09 { return .notHTTP }
            j += 1
        }
        guard lineEnd >= 0 else { return bytes.count >= maxLength ? .tooLarge : .needMore }
        var contentEnd = lineEnd
        if contentEnd > methodEnd, bytes.u8Unchecked(at: contentEnd - 1) == 0x0D { contentEnd -= 1 }
        var targetEnd = -1
        for k in stride(from: contentEnd - 1, to: methodEnd, by: -1) where bytes.u8Unchecked(at: k) == 0x20 {
            targetEnd = k
            break
        }
        guard targetEnd > methodEnd + 1,
              let method = bytes.slice(from: 0, length: methodEnd),
              let target = bytes.slice(from: methodEnd + 1, length: targetEnd - methodEnd - 1),
              let version = bytes.slice(from: targetEnd + 1, length: contentEnd - targetEnd - 1),
              version.count == 8,
              version.u32(at: 0) == 0x4854_5450,  // "HTTP"
              version.u8(at: 4) == 0x2F, version.u8(at: 6) == 0x2E,
              let major = version.u8(at: 5), major == 0x31,
              let minor = version.u8(at: 7), minor >= 0x30, minor <= 0x39
        else { return .notHTTP }

        // Field lines until the empty line.
        var host: ByteView? = nil
        var lineStart = lineEnd + 1
        while true {
            var end = -1
            var k = lineStart
            while k < limit {
                if bytes.u8Unchecked(at: k) == 0x0A { end = k; break }
                k += 1
            }
            guard end >= 0 else { return bytes.count >= maxLength ? .tooLarge : .needMore }
            var stop = end
            if stop > lineStart, bytes.u8Unchecked(at: stop - 1) == 0x0D { stop -= 1 }
            if stop == lineStart {
                return .complete(HTTPRequestHead(
                    method: method, target: target, versionMajor: major - 0x30, versionMinor: minor - 0x30,
                    host: host, length: end + 1))
            }
            if host == nil, let line = bytes.slice(from: lineStart, length: stop - lineStart) {
                host = hostValue(line)
            }
            lineStart = end + 1
        }
    }

    /// The value of a `Host:` field line, trimmed of SP/HTAB (RFC 9110 §5.5); nil for other fields.
    private static func hostValue(_ line: ByteView) -> ByteView? {
        guard line.count >= 5, let name = line.slice(from: 0, length: 4), name.equalsASCIICaseInsensitive("host"),
              line.u8Unchecked(at: 4) == 0x3A else { return nil }
        var start = 5
        var end = line.count
        while start < end, isBlank(line.u8Unchecked(at: start)) { start += 1 }
        while end > start, isBlank(line.u8Unchecked(at: end - 1)) { end -= 1 }
        return line.slice(from: start, length: end - start)
    }

    private static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
}
