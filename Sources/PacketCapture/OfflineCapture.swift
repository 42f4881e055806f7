#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPcap
import CPcapShim
import PacketWire

/// A saved capture (pcap or pcapng, optionally gzip-compressed). Opening
/// validates everything that can be checked up front, so a bad file fails with
/// one specific `CaptureError` before any packet is read.
///
/// Regular uncompressed files are memory-mapped and read by egress-audit's own
/// pcap/pcapng reader, which hands out views into the mapping (no copy per
/// packet) and reads pcapng files whose interfaces have different link types.
/// Gzip files, pipes and character devices (stdin) go through libpcap, as does
/// everything when `.libpcap` is asked for.
public final class OfflineCapture {
    /// Which reader to use.
    public enum Reader: Sendable {
        /// The mapped reader for regular uncompressed files, libpcap otherwise.
        case automatic
        /// libpcap for everything (the reference the mapped reader is tested against).
        case libpcap
    }

    /// The reader an open capture actually uses.
    public enum ReaderInUse: String, Sendable {
        case mapped
        case libpcap
    }

    public let path: String
    public let format: CaptureFileFormat
    /// DLT of the (first) interface. pcapng interfaces may differ: each
    /// packet carries its own (`CapturedPacket.linkType`). libpcap refuses
    /// such files when it reaches the odd interface; the mapped reader reads on.
    public let linkType: Int32
    public let snapshotLength: Int
    public let readerInUse: ReaderInUse
    private var source: Source

    private enum Source {
        case libpcap(OpaquePointer)
        case pcap(PcapRecordReader, MappedCaptureFile)
        case pcapng(PcapngBlockReader, MappedCaptureFile)
        /// Only while a read is under way (the reader's state is on the stack).
        case reading
    }

    /// Opens a capture file, FIFO, character device or `-` (standard input), gzip or not.
    public init(path: String, reader: Reader = .automatic) throws(CaptureError) {
        self.path = path
        func fail(_ p: CaptureError.Problem) -> CaptureError { CaptureError(source: path, problem: p) }

        let input = try CaptureInput.open(path)
        guard let format = CaptureFileFormat.classify(magic: input.leading, gzip: input.gzip) else {
            fclose(input.stream)
            let magic = input.leading
            if magic.count < 4 {
                throw fail(.truncatedHeader("\(path == CaptureInput.standardInput ? "input" : "file") holds \(magic.count) byte\(magic.count == 1 ? "" : "s"), a capture header needs at least 24"))
            }
            let hex = magic.prefix(4).map { h in let s = String(h, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
            throw fail(.notACapture("starts with 0x\(hex)\(input.gzip ? " after gzip" : ""), expected a pcap magic (a1b2c3d4, a1b23c4d, either byte order) or a pcapng section header (0a0d0d0a)"))
        }
        self.format = format

        // A regular uncompressed file is mapped; a FIFO, stdin or gzip is streamed (read once) by libpcap.
        var mappable: (Source, Int32, Int)?
        if reader == .automatic, input.isRegularFile, !format.gzip {
            // The stream is not needed then; closed on every way out (a bad header throws).
            do { mappable = try Self.openMapped(path: path, format: format) } catch {
                fclose(input.stream)
                throw error
            }
        }
        if let mapped = mappable {
            fclose(input.stream)
            (source, linkType, snapshotLength) = mapped
            readerInUse = .mapped
            switch source {
            case .pcap(_, let file), .pcapng(_, let file): populator = MappingPopulator(file)
            case .libpcap, .reading: populator = nil
            }
        } else {
            let handle = try Self.openLibpcap(input)
            source = .libpcap(handle)
            populator = nil
            linkType = pcap_datalink(handle)
            snapshotLength = Int(pcap_snapshot(handle))
            readerInUse = .libpcap
        }
        // A link type the decoder does not read is not an error: its packets are counted as such.
    }

    /// Maps the file and reads its header, or nil when libpcap must read it
    /// after all (a pseudo-header libpcap rewrites for the other byte order).
    private static func openMapped(path: String, format: CaptureFileFormat) throws(CaptureError) -> (Source, Int32, Int)? {
        let file = try MappedCaptureFile(path: path, source: path)
        let swapped = (format.byteOrder == .big) != (UInt32(1).bigEndian == 1)
        do {
            switch format.container {
            case .pcap:
                let reader = try PcapRecordReader(file: file.bytes)
                if swapped && SavefileLinkType.needsPseudoHeaderSwap(dlt: reader.linkType) { return nil }
                return (.pcap(reader, file), reader.linkType, reader.snapshotLength)
            case .pcapng:
                let reader = try PcapngBlockReader(file: file.bytes)
                guard let first = reader.firstInterface else { return nil }
                if swapped && SavefileLinkType.needsPseudoHeaderSwap(dlt: first.linkType) { return nil }
                return (.pcapng(reader, file), first.linkType, first.snapshotLength)
            }
        } catch {
            throw error.whileOpening(source: path)
        }
    }

    /// libpcap reads the input's stream, from its first byte (it owns the stream from here).
    private static func openLibpcap(_ input: CaptureInput) throws(CaptureError) -> OpaquePointer {
        let path = input.path
        func fail(_ p: CaptureError.Problem) -> CaptureError { CaptureError(source: path, problem: p) }
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        let opened = pcap_fopen_offline_with_tstamp_precision(input.stream, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
        if opened == nil { fclose(input.stream) }
        guard let handle = opened else {
            let message = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if message.contains("truncated") { throw fail(.truncatedHeader(message)) }
            if message.contains("unknown file format") || message.contains("bad dump file format") {
                throw fail(.notACapture(message))
            }
            throw fail(.libpcapRefused(message))
        }
        return handle
    }

    deinit {
        if case .libpcap(let handle) = source { pcap_close(handle) }
    }

    /// Makes every streamed input (pipe, standard input, gzip) that waits for bytes end as if its
    /// input had ended: for a stop asked by a signal while a pipe's writer is quiet. Any thread.
    public static func interruptStreams() {
        egress_stream_interrupt()
    }

    /// Maps the file's pages in ahead of `forEachPacket` (`MappingPopulator`):
    /// for mapped files of 32 MiB or more on a machine of two cores or more.
    private let populator: MappingPopulator?

    /// Whether `forEachPacket` starts a thread that maps pages in ahead of it.
    /// A caller with a thread to spare turns it off and calls `populateAhead()`
    /// itself when that thread is idle.
    public var populatesAhead = true

    /// Maps in the next stretch of the file ahead of the reader, if one is
    /// within reach; false when there was nothing to do (or nothing to map:
    /// libpcap, a small file). May be called from any thread while
    /// `forEachPacket` runs, from several at once.
    public func populateAhead() -> Bool {
        populator?.populateNextStride() ?? false
    }

    /// Calls `body` for every packet in file order and returns how many were
    /// read; a second call reads on from where the first stopped.
    ///
    /// The packet's bytes are guaranteed valid only during the call (libpcap
    /// reuses its buffer). The mapped reader (`readerInUse == .mapped`) hands
    /// out views into the mapping, valid as long as this `OfflineCapture`
    /// lives; code that must also work with libpcap relies on the call only.
    ///
    /// A truncated last record or a malformed one mid-file throws after the
    /// packets before it were delivered (`CaptureError.isPartialRead`).
    /// `shouldStop` is asked every 256 packets: true ends the call early (a later call reads on).
    @discardableResult
    public func forEachPacket(shouldStop: () -> Bool = { false }, _ body: (CapturedPacket) -> Void) throws(CaptureError) -> Int {
        // The reader's state moves to the stack for the loop (no exclusivity
        // checks on a class property per packet) and back afterwards.
        let current = source
        source = .reading
        switch current {
        case .libpcap(let handle):
            source = current
            return try Self.readLibpcap(handle, path: path, linkType: linkType, shouldStop: shouldStop, body)
        case .pcap(var reader, let file):
            if populatesAhead { populator?.start() }
            defer { populator?.finish(); source = .pcap(reader, file) }
            do { return try reader.forEachPacket(populator, shouldStop: shouldStop, body) } catch { throw error.whileReading(source: path, after: reader.delivered) }
        case .pcapng(var reader, let file):
            if populatesAhead { populator?.start() }
            defer { populator?.finish(); source = .pcapng(reader, file) }
            do { return try reader.forEachPacket(populator, shouldStop: shouldStop, body) } catch { throw error.whileReading(source: path, after: reader.delivered) }
        case .reading:
            // Called again from inside `body`: the outer call owns the reader.
            return 0
        }
    }

    private static func readLibpcap(_ handle: OpaquePointer, path: String, linkType: Int32, shouldStop: () -> Bool,
                                    _ body: (CapturedPacket) -> Void) throws(CaptureError) -> Int {
        var count = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 1, let h = header {
                body(CapturedPacket(h, data, linkType: linkType))
                count += 1
                if count & 255 == 0, shouldStop() { return count }
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
