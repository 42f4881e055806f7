#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FlowEngine
import PacketWire

/// What the audit concluded about one flow, for its flow-log line.
public struct FlowLogVerdict: Sendable, Equatable {
    public var verdict: String
    public var destination: String
    public var rules: [String]

    public init(verdict: String, destination: String, rules: [String] = []) {
        self.verdict = verdict
        self.destination = destination
        self.rules = rules
    }
}

/// The flow log could not be opened or written: which file, and the system's reason.
public struct FlowLogError: Error, CustomStringConvertible, Sendable, Equatable {
    /// As given; "-" is standard output.
    public let path: String
    public let errno: Int32

    public var description: String {
        "\(path == "-" ? "standard output" : path): cannot write the flow log (\(String(cString: strerror(errno))))"
    }
}

/// `--flow-log FILE`: one JSON object per line (JSON Lines) for each flow as
/// it ends, keys in a fixed order:
///
///     ts end community_id proto src sport dst dport outcome initiator_evidence
///     pkts_out bytes_out pkts_in bytes_in syn_retransmits
///     [sni] [quic_sni] [http_host] [connect] [alpn] [dns] [ech] [nflog_group nflog_prefix] [firewall_name] [firewall_rule]
///     [verdict destination rules]
///
/// `src`/`sport` is the initiator, "out" counts what it sent; names appear only
/// when the flow carried them, the last three only with an audit. A flow read
/// from a log carries the log's name and the device's rule (`firewall_*`);
/// when the log gave no destination address (application rules), `dst` is
/// the unspecified address (0.0.0.0 or ::), and `community_id` is that tuple's.
///
/// A line goes straight into one reusable buffer, as bytes: names from the
/// `NameTable`'s storage, addresses and timestamps as digits, so a million
/// flows build no String. The buffer goes out with `write(2)` when nearly full
/// and on `flush()`/`close()`. A class because it owns a descriptor (a copy
/// must not close it twice); used from one thread, so no lock.
///
/// A write error keeps the first failure, drops further lines, and is thrown
/// by the next `flush()` or `close()`: the capture goes on, the log reports why it stopped.
public final class FlowLogWriter {
    public let path: String
    private let descriptor: Int32
    /// Standard output is borrowed, not closed.
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var failure: FlowLogError?
    private var isClosed = false

    /// Bytes held before a write(2).
    static let bufferSize = 64 * 1024
    /// Flush once less than this is free: a line is rarely above 1 KiB, so
    /// the buffer almost never grows past its first allocation.
    static let headroom = 4 * 1024

    /// Creates or truncates `path` (mode 0644 before the umask); "-" writes to standard output.
    public init(path: String) throws(FlowLogError) {
        self.path = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FlowLogError(path: path, errno: errno) }
            descriptor = fd
            ownsDescriptor = true
        }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { try? close() }

    /// Appends `record`'s line; writes the buffer out when it is nearly full.
    public func write(_ record: FlowRecord, names: NameTable, audit: FlowLogVerdict? = nil) {
        precondition(!isClosed, "FlowLogWriter.write after close()")
        guard failure == nil else { return }
        Self.appendLine(record, names: names, audit: audit, to: &buffer)
        if buffer.count > Self.bufferSize - Self.headroom { writeBuffer() }
    }

    /// Writes out what is buffered; throws the first write error, if any.
    public func flush() throws(FlowLogError) {
        if failure == nil, !buffer.isEmpty { writeBuffer() }
        if let failure { throw failure }
    }

    /// Flushes and closes the file (standard output stays open). Idempotent.
    public func close() throws(FlowLogError) {
        guard !isClosed else { return }
        defer { isClosed = true }
        if failure == nil, !buffer.isEmpty { writeBuffer() }
        if ownsDescriptor, systemClose(descriptor) != 0, failure == nil {
            // NFS and full disks report delayed write errors here.
            failure = FlowLogError(path: path, errno: errno)
        }
        if let failure { throw failure }
    }

    private func writeBuffer() {
        let failed: Int32? = buffer.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                // The buffer is not empty here, so it has a base address.
                let n = systemWrite(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let failed { failure = FlowLogError(path: path, errno: failed) }
        buffer.removeAll(keepingCapacity: true)
    }
}

// The methods named `write` and `close` hide the C calls inside the class.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

// MARK: One line

extension FlowLogWriter {
    /// `record`'s JSON line, newline included, appended to `out`.
    static func appendLine(_ record: FlowRecord, names: NameTable, audit: FlowLogVerdict?, to out: inout [UInt8]) {
        let initiator = record.initiator, responder = record.responder
        append("{\"ts\":\"", to: &out)
        RFC3339.append(nanoseconds: record.firstSeen, to: &out)
        append("\",\"end\":\"", to: &out)
        RFC3339.append(nanoseconds: record.lastSeen, to: &out)
        append("\",\"community_id\":\"", to: &out)
        CommunityID.appendV1(record.key, to: &out)
        append("\",\"proto\":\"", to: &out)
        out.append(contentsOf: record.key.transport.name.utf8)
        append("\",\"src\":\"", to: &out)
        appendAddress(initiator.address, to: &out)
        append("\",\"sport\":", to: &out)
        appendDecimal(UInt64(initiator.port), to: &out)
        append(",\"dst\":\"", to: &out)
        appendAddress(responder.address, to: &out)
        append("\",\"dport\":", to: &out)
        appendDecimal(UInt64(responder.port), to: &out)
        append(",\"outcome\":\"", to: &out)
        out.append(contentsOf: record.outcome.name.utf8)
        append("\",\"initiator_evidence\":\"", to: &out)
        out.append(contentsOf: record.initiatorEvidence.name.utf8)
        append("\",\"pkts_out\":", to: &out)
        appendDecimal(record.fromInitiator.packets, to: &out)
        append(",\"bytes_out\":", to: &out)
        appendDecimal(record.fromInitiator.bytes, to: &out)
        append(",\"pkts_in\":", to: &out)
        appendDecimal(record.fromResponder.packets, to: &out)
        append(",\"bytes_in\":", to: &out)
        appendDecimal(record.fromResponder.bytes, to: &out)
        append(",\"syn_retransmits\":", to: &out)
        appendDecimal(UInt64(record.synRetransmits), to: &out)

        func name(_ key: StaticString, _ id: NameTable.NameID) {
            guard !id.isNone else { return }
            append(key, to: &out)
            names.withBytes(id) { view in view.withUnsafeBytes { appendJSONString($0, to: &out) } }
        }
        name(",\"sni\":", record.sni)
        name(",\"quic_sni\":", record.quicSNI)
        name(",\"http_host\":", record.httpHost)
        if !record.connectTarget.isNone {
            append(",\"connect\":\"", to: &out)
            names.withBytes(record.connectTarget) { view in
                view.withUnsafeBytes { host in
                    // An IPv6 literal keeps its brackets, as in the request (RFC 9110 §7.2).
                    let literal = host.contains(UInt8(ascii: ":"))
                    if literal { out.append(UInt8(ascii: "[")) }
                    appendJSONStringContent(host, to: &out)
                    if literal { out.append(UInt8(ascii: "]")) }
                }
            }
            out.append(UInt8(ascii: ":"))
            appendDecimal(UInt64(record.connectPort), to: &out)
            out.append(UInt8(ascii: "\""))
        }
        name(",\"alpn\":", record.alpn)
        name(",\"dns\":", record.dnsName)
        if record.echPresent { append(",\"ech\":true", to: &out) }
        if record.loggedByNFLOG {
            append(",\"nflog_group\":", to: &out)
            appendDecimal(UInt64(record.logGroup), to: &out)
            name(",\"nflog_prefix\":", record.logPrefix)
        }
        name(",\"firewall_name\":", record.loggedName)
        if !record.loggedRule.isNone {
            // The device's spelling (`NameTable.internLabel`): a String, made only for flows read from logs.
            append(",\"firewall_rule\":", to: &out)
            Array(names.string(record.loggedRule).utf8).withUnsafeBytes { appendJSONString($0, to: &out) }
        }

        if let audit {
            append(",\"verdict\":", to: &out)
            appendJSONString(audit.verdict, to: &out)
            append(",\"destination\":", to: &out)
            appendJSONString(audit.destination, to: &out)
            append(",\"rules\":[", to: &out)
            for (i, rule) in audit.rules.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(rule, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        append("}\n", to: &out)
    }

    @inline(__always)
    static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Decimal digits, most significant first.
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: 48 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }
}

// MARK: Addresses

extension FlowLogWriter {
    /// Dotted quad, or RFC 5952 §4 IPv6 text (lower-case hex without leading
    /// zeros; the longest run of two or more zero groups as "::", the first
    /// on a tie): the same text as `IPAddress.description`, without a String.
    static func appendAddress(_ address: IPAddress, to out: inout [UInt8]) {
        if address.isIPv4 {
            let v = address.ipv4
            appendDecimal(UInt64(v >> 24), to: &out); out.append(UInt8(ascii: "."))
            appendDecimal(UInt64(v >> 16 & 0xff), to: &out); out.append(UInt8(ascii: "."))
            appendDecimal(UInt64(v >> 8 & 0xff), to: &out); out.append(UInt8(ascii: "."))
            appendDecimal(UInt64(v & 0xff), to: &out)
            return
        }
        func group(_ i: Int) -> UInt16 {
            UInt16(truncatingIfNeeded: (i < 4 ? address.high : address.low) >> UInt64(48 - 16 * (i & 3)))
        }
        var bestStart = -1, bestLength = 1, i = 0
        while i < 8 {
            guard group(i) == 0 else { i += 1; continue }
            var j = i + 1
            while j < 8 && group(j) == 0 { j += 1 }
            if j - i > bestLength { bestStart = i; bestLength = j - i }
            i = j
        }
        i = 0
        while i < 8 {
            if i == bestStart {
                out.append(UInt8(ascii: ":")); out.append(UInt8(ascii: ":"))
                i += bestLength
                continue
            }
            if i > 0 && i != bestStart + bestLength { out.append(UInt8(ascii: ":")) }
            let g = group(i)
            var shift = 12
            while shift > 0 && g >> UInt16(shift) == 0 { shift -= 4 }
            while shift >= 0 {
                out.append(hexDigits[Int(g >> UInt16(shift) & 0xf)])
                shift -= 4
            }
            i += 1
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

// MARK: JSON strings

extension FlowLogWriter {
    /// `value` as a quoted JSON string.
    static func appendJSONString(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// `bytes` as a quoted JSON string.
    static func appendJSONString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendJSONStringContent(bytes, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The inside of a JSON string (RFC 8259 §7): `"` and `\` escaped, the
    /// short escapes for backspace, form feed, newline, carriage return and
    /// tab, `\u00XX` for the other control characters. Names come off the
    /// wire and need not be UTF-8, while JSON text must be (§8.1): each
    /// maximal ill-formed subsequence (Unicode §3.9, "U+FFFD substitution of
    /// maximal subparts") becomes U+FFFD, the same text as
    /// `String(decoding:as: UTF8.self)` and so as the reports.
    static func appendJSONStringContent(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b < 0x80 {
                if b == 0x22 || b == 0x5c { out.append(0x5c) }
                out.append(b)
                i += 1
                continue
            }
            if b < 0x20 {
                out.append(0x5c)
                switch b {
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x0a: out.append(UInt8(ascii: "n"))
                case 0x0c: out.append(UInt8(ascii: "f"))
                case 0x0d: out.append(UInt8(ascii: "r"))
                default:
                    append("u00", to: &out)
                    out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 0xf)])
                }
                i += 1
                continue
            }
            let length = wellFormedPrefix(bytes, at: i)
            if length.valid {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + length.count)]))
            } else {
                out.append(0xef); out.append(0xbf); out.append(0xbd)  // U+FFFD
            }
            i += length.count
        }
    }

    /// At a byte ≥ 0x80: the length of the well-formed sequence starting
    /// there, or of the maximal subpart to replace (at least 1). The second
    /// byte's range depends on the first (Unicode Table 3-7) so overlongs,
    /// surrogates and values past U+10FFFF fail on it.
    private static func wellFormedPrefix(_ bytes: UnsafeRawBufferPointer, at start: Int) -> (count: Int, valid: Bool) {
        let lead = bytes[start]
        let trailing: Int, low: UInt8, high: UInt8
        switch lead {
        case 0xc2...0xdf: trailing = 1; low = 0x80; high = 0xbf
        case 0xe0: trailing = 2; low = 0xa0; high = 0xbf
        case 0xed: trailing = 2; low = 0x80; high = 0x9f
        case 0xe1...0xef: trailing = 2; low = 0x80; high = 0xbf
        case 0xf0: trailing = 3; low = 0x90; high = 0xbf
        case 0xf4: trailing = 3; low = 0x80; high = 0x8f
        case 0xf1...0xf3: trailing = 3; low = 0x80; high = 0xbf
        default: return (1, false)
        }
        var i = start + 1
        for k in 0..<trailing {
            guard i < bytes.count else { return (i - start, false) }
            let b = bytes[i]
            let (lo, hi) = k == 0 ? (low, high) : (UInt8(0x80), UInt8(0xbf))
            guard b >= lo && b <= hi else { return (i - start, false) }
            i += 1
        }
        return (i - start, true)
    }
}
