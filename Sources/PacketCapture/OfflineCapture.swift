#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPcap
import CPcapShim
import PacketWire

/// A saved capture (pcap or pcapng, optionally gzip-compressed) read through
/// libpcap. Opening validates everything that can be checked up front, so a
/// bad file fails with one specific `CaptureError` before any packet is read.
public final class OfflineCapture {
    public let path: String
    public let format: CaptureFileFormat
    /// DLT of the (first) interface; libpcap refuses pcapng files whose
    /// interfaces disagree, and says so when it reaches the odd one.
    public let linkType: Int32
    public let snapshotLength: Int
    private let handle: OpaquePointer

    public init(path: String) throws(CaptureError) {
        self.path = path
        func fail(_ p: CaptureError.Problem) -> CaptureError { CaptureError(source: path, problem: p) }

        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            throw fail(e == ENOENT || e == ENOTDIR ? .missing : .unreadable(String(cString: strerror(e))))
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFDIR { throw fail(.isDirectory) }
        if kind != S_IFREG && kind != S_IFIFO && kind != S_IFCHR { throw fail(.notAFile) }
        if access(path, R_OK) != 0 { throw fail(.unreadable(String(cString: strerror(errno)))) }

        let gz = egress_file_is_gzip(path)
        if gz < 0 { throw fail(.unreadable(String(cString: strerror(errno)))) }
        let magic = CaptureFileFormat.leadingBytes(path: path, gzip: gz == 1)
        guard let format = CaptureFileFormat.classify(magic: magic, gzip: gz == 1) else {
            if magic.count < 4 {
                throw fail(.truncatedHeader("file holds \(magic.count) byte\(magic.count == 1 ? "" : "s"), a capture header needs at least 24"))
            }
            let hex = magic.prefix(4).map { h in let s = String(h, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
            throw fail(.notACapture("starts with 0x\(hex), expected a pcap magic (a1b2c3d4, a1b23c4d, either byte order) or a pcapng section header (0a0d0d0a)"))
        }
        self.format = format

        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        var opened: OpaquePointer?
        if format.gzip {
            if let file = egress_gzip_fopen(path, &errbuf, errbuf.count) {
                opened = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
                if opened == nil { fclose(file) }
            }
        } else {
            opened = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
        }
        guard let handle = opened else {
            let message = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if message.contains("truncated") { throw fail(.truncatedHeader(message)) }
            if message.contains("unknown file format") || message.contains("bad dump file format") {
                throw fail(.notACapture(message))
            }
            throw fail(.libpcapRefused(message))
        }
        self.handle = handle
        self.linkType = pcap_datalink(handle)
        self.snapshotLength = Int(pcap_snapshot(handle))
        if !LinkTypeNames.supported.contains(linkType) {
            // Fully initialised: deinit runs on this throw and closes the handle.
            throw fail(.unsupportedLinkType(linkType, LinkTypeNames.name(linkType)))
        }
    }

    deinit {
        pcap_close(handle)
    }

    /// Calls `body` for every packet in file order and returns how many were
    /// read. The packet's bytes are libpcap's buffer: valid only during the call.
    /// A truncated last record or a libpcap refusal mid-file throws after the
    /// packets before it were delivered.
    @discardableResult
    public func forEachPacket(_ body: (CapturedPacket) -> Void) throws(CaptureError) -> Int {
        var count = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 1, let h = header {
                body(CapturedPacket(h, data, linkType: linkType))
                count += 1
                continue
            }
            if rc == PCAP_ERROR_BREAK { return count }
            let message = String(cString: pcap_geterr(handle))
            if message.contains("truncated") {
                throw CaptureError(source: path, problem: .truncatedRecord("after packet \(count): \(message)"))
            }
            throw CaptureError(source: path, problem: .libpcapRefused("after packet \(count): \(message)"))
        }
    }
}
