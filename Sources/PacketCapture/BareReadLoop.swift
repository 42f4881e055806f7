#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPcap
import CPcapShim

/// The baseline every read path is measured against: libpcap's own
/// `pcap_next_ex` loop over a saved capture, touching nothing but each
/// record's header (no decode, no copy). `egress-audit bench` and the
/// Benchmarks package's ratios divide by this one loop.
///
/// Gzip files are read through the same gzip-backed `FILE*` the libpcap
/// reader uses, so the baseline pays for decompression too.
public enum BareReadLoop {
    public struct Totals: Sendable, Equatable {
        public var packets: Int
        /// Bytes present in the capture (the records' captured lengths).
        public var capturedBytes: Int
    }

    /// Reads `path` to its end. A file libpcap cannot open, or a record it
    /// cannot read, throws (after the packets before it were counted: `after packet N`).
    public static func run(path: String) throws(CaptureError) -> Totals {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        let precision = UInt32(PCAP_TSTAMP_PRECISION_NANO)
        let opened: OpaquePointer?
        // Uncompressed regular files: libpcap's own fopen, as any libpcap tool reads them. Anything
        // else (gzip, a pipe) through the same stream the capture reader uses.
        let input = try CaptureInput.open(path)
        if input.isRegularFile, !input.gzip {
            fclose(input.stream)
            opened = pcap_open_offline_with_tstamp_precision(path, precision, &errbuf)
        } else {
            opened = pcap_fopen_offline_with_tstamp_precision(input.stream, precision, &errbuf)
            if opened == nil { fclose(input.stream) }
        }
        guard let handle = opened else {
            let message = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw CaptureError(source: path, problem: .libpcapRefused(message))
        }
        defer { pcap_close(handle) }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var totals = Totals(packets: 0, capturedBytes: 0)
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 1 {
                totals.packets &+= 1
                totals.capturedBytes &+= Int(header.unsafelyUnwrapped.pointee.caplen)
                continue
            }
            if rc == PCAP_ERROR_BREAK { return totals }
            let message = String(cString: pcap_geterr(handle))
            let problem: CaptureError.Problem = message.contains("truncated")
                ? .truncatedRecord("after packet \(totals.packets): \(message)")
                : .libpcapRefused("after packet \(totals.packets): \(message)")
            throw CaptureError(source: path, problem: problem)
        }
    }
}
