#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular capture file mapped read-only into memory, so packets can be
/// handed out as views into the page cache instead of being copied (libpcap's
/// `pcap_next_ex` freads and copies every record into its own buffer).
///
/// The mapping lives as long as this object; every `ByteView` made from
/// `bytes` is valid until then. A private read-only mapping cannot be written
/// through, but the file can still be truncated under it by another process:
/// reading a page past the new end raises SIGBUS, as with any mmap reader, so
/// captures still being *rewritten* must go through libpcap (`.libpcap`);
/// files only being appended to (a running tcpdump -w) are safe.
final class MappedCaptureFile {
    /// The whole file. Never empty: an empty file cannot be mapped and is
    /// refused before this exists.
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`, or says why not (`errno`'s text, or that it is empty).
    init(path: String, source: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CaptureError(source: source, problem: .unreadable(String(cString: strerror(errno)))) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw CaptureError(source: source, problem: .unreadable(String(cString: strerror(errno)))) }
        // The stat at open time and this one can disagree (the file changed in
        // between): what is mapped is what this descriptor says now.
        guard st.st_size > 0, let size = Int(exactly: st.st_size) else {
            throw CaptureError(source: source, problem: .truncatedHeader("file holds 0 bytes, a capture header needs at least 24"))
        }
        guard let address = mmap(nil, size, PROT_READ, MappedCaptureFile.mapFlags, fd, 0), address != MAP_FAILED else {
            throw CaptureError(source: source, problem: .unreadable("mmap: \(String(cString: strerror(errno)))"))
        }
        // No MADV_SEQUENTIAL: it has the kernel drop pages behind the reader,
        // and a capture is often analyzed more than once (measured: the next
        // run read part of the file from disk again). Read-ahead for large
        // files is `MappingPopulator`'s; small ones take the default.
        bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(address), count: size)
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        let region = Region(address: UnsafeMutableRawPointer(mutating: base), size: bytes.count)
        // Unmapping a large, fully mapped-in file tears down a page table entry
        // per page (~15 ms for 481 MB): on a thread of its own, so the report
        // that follows the reading does not wait for it.
        guard region.size >= MappingPopulator.minimumSize, SpareCore.available, WorkerThread.detach({ region.unmap() }) else {
            return region.unmap()
        }
    }

    /// The mapping, as the thread that unmaps it receives it.
    private final class Region {
        let address: UnsafeMutableRawPointer
        let size: Int
        init(address: UnsafeMutableRawPointer, size: Int) { self.address = address; self.size = size }
        func unmap() { munmap(address, size) }
    }

    /// MAP_PRIVATE, nothing more. Measured on the 481 MB benchmark capture
    /// (page cache warm): MAP_POPULATE moves ~55 ms of page-table work to
    /// mmap() without shortening the total, MADV_WILLNEED changes nothing
    /// measurable; both would fault in all of a file whose reading may stop
    /// at its first bad record. The read is bound by memory bandwidth.
    private static let mapFlags: Int32 = MAP_PRIVATE
}

/// Reads of integers from a mapped file in the writer's byte order. Callers
/// check `offset + width <= count` first (each read says where); the loads
/// themselves are unaligned because pcapng aligns to 4 and pcap to nothing.
extension UnsafeRawPointer {
    @inline(__always)
    func savefileU16(at offset: Int, bigEndian: Bool) -> UInt16 {
        let raw = loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    @inline(__always)
    func savefileU32(at offset: Int, bigEndian: Bool) -> UInt32 {
        let raw = loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    @inline(__always)
    func savefileU64(at offset: Int, bigEndian: Bool) -> UInt64 {
        let raw = loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }
}

/// What went wrong at a place in a mapped file, before the caller knows
/// whether it is opening (a header problem) or reading (a record problem).
/// Built only on the error path.
struct SavefileProblem: Error {
    /// The data ran out before `offset + needed`.
    let truncated: Bool
    let message: String

    static func truncated(at offset: Int, what: String, needs: Int, has: Int) -> SavefileProblem {
        SavefileProblem(truncated: true, message: "\(what) at offset \(offset) needs \(needs) bytes, file has \(has) left")
    }

    static func malformed(_ message: String) -> SavefileProblem {
        SavefileProblem(truncated: false, message: message)
    }

    /// As a mid-file error: the packets before it were delivered.
    func whileReading(source: String, after packets: Int) -> CaptureError {
        let text = "after packet \(packets): \(message)"
        return CaptureError(source: source, problem: truncated ? .truncatedRecord(text) : .readFailed(text))
    }

    /// As an open-time error: the file's header is short or wrong.
    func whileOpening(source: String) -> CaptureError {
        CaptureError(source: source, problem: truncated ? .truncatedHeader(message) : .notACapture(message))
    }
}
