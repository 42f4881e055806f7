#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPcapShim

/// A capture input opened exactly once: a file, a FIFO, a character device
/// (`/dev/stdin`, `/dev/fd/N` from process substitution) or standard input
/// (`-`), gzip-compressed or not. Its first (inflated) bytes are known before
/// anything reads it, and `stream` still starts at byte 0: a pipe cannot be
/// opened twice, so its format is told from bytes that are then read again.
struct CaptureInput {
    /// The name that means standard input.
    static let standardInput = "-"

    let path: String
    /// A regular file (which may also be memory-mapped instead of streamed).
    let isRegularFile: Bool
    let gzip: Bool
    /// Up to 16 leading bytes of the (inflated) input.
    let leading: [UInt8]
    /// The bytes, inflated when gzip; whoever takes it closes it (`fclose`, or libpcap's `pcap_close`).
    let stream: UnsafeMutablePointer<FILE>

    /// Opens `path` (`-`: standard input). Every failure is one `CaptureError` naming the input.
    static func open(_ path: String) throws(CaptureError) -> CaptureInput {
        func fail(_ p: CaptureError.Problem) -> CaptureError { CaptureError(source: path, problem: p) }
        let isStandardInput = path == standardInput
        var st = stat()
        if (isStandardInput ? fstat(STDIN_FILENO, &st) : stat(path, &st)) != 0 {
            let e = errno
            throw fail(e == ENOENT || e == ENOTDIR ? .missing : .unreadable(String(cString: strerror(e))))
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFDIR { throw fail(.isDirectory) }
        if kind != S_IFREG && kind != S_IFIFO && kind != S_IFCHR && kind != S_IFSOCK { throw fail(.notAFile) }
        if !isStandardInput, access(path, R_OK) != 0 { throw fail(.unreadable(String(cString: strerror(errno)))) }

        var facts = egress_stream_facts()
        var errbuf = [CChar](repeating: 0, count: 256)
        let opened: UnsafeMutablePointer<FILE>?
        if isStandardInput {
            let fd = dup(STDIN_FILENO)
            if fd < 0 { throw fail(.unreadable(String(cString: strerror(errno)))) }
            opened = egress_stream_open_fd(fd, &facts, &errbuf, errbuf.count)
        } else {
            opened = egress_stream_open(path, &facts, &errbuf, errbuf.count)
        }
        guard let stream = opened else {
            throw fail(.unreadable(errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
        }
        let leading = withUnsafeBytes(of: facts.leading) { Array($0.prefix(facts.leading_count)) }
        return CaptureInput(path: path, isRegularFile: kind == S_IFREG, gzip: facts.gzip == 1, leading: leading, stream: stream)
    }
}
