import EgressAudit
import PacketCapture
import PacketWire

/// Capture files as a packet source: pcap or pcapng, gzip or not, regular
/// files, FIFOs, `/dev/stdin`, process substitution or `-` (standard input),
/// read one after another. Each `forEachPacket` reads one file to its end and
/// throws that file's error, if it has one, after the packets before it were
/// handed over: the pipeline records it and reads on with the next file.
///
/// A regular uncompressed file is memory-mapped and its packets stay valid
/// after the callback (`lendsLastingBytes`): the pipeline then decodes ahead
/// on a second thread. Streams (gzip, pipes) are read by libpcap, whose buffer
/// is reused: one thread.
public final class CaptureFileSource: PacketSource {
    public let inputs: [String]
    /// Which reader opens files (`.libpcap` to compare against it).
    public let reader: OfflineCapture.Reader
    /// The next input to read, and its capture once opened (`lendsLastingBytes` opens it early).
    private var next = 0
    private var opened: Result<OfflineCapture, CaptureError>?
    /// Each input's description for the report, from its header once opened.
    private var described: [FileSummary]
    private var failures: [CaptureError?]

    public init(paths: [String], reader: OfflineCapture.Reader = .automatic) {
        inputs = paths
        self.reader = reader
        described = paths.map { FileSummary(path: $0, packets: 0, bytes: 0) }
        failures = Array(repeating: nil, count: paths.count)
    }

    /// Opens input `next` if it is not open yet.
    private func openNext() -> Result<OfflineCapture, CaptureError>? {
        guard next < inputs.count else { return nil }
        if let opened { return opened }
        let path = inputs[next]
        let result: Result<OfflineCapture, CaptureError>
        do {
            let capture = try OfflineCapture(path: path, reader: reader)
            described[next] = FileSummary(
                path: path, format: capture.format.container.rawValue, byteOrder: capture.format.byteOrder.rawValue,
                timestampPrecision: capture.format.precision?.rawValue, gzip: capture.format.gzip,
                linkType: Int(capture.linkType), linkTypeName: LinkType(rawValue: capture.linkType).name,
                snapshotLength: capture.snapshotLength, packets: 0, bytes: 0)
            result = .success(capture)
        } catch {
            result = .failure(error)
        }
        opened = result
        return result
    }

    public var lendsLastingBytes: Bool {
        if case .success(let capture) = openNext() { return capture.readerInUse == .mapped }
        return false
    }

    /// Reads the next file to its end. Files are not interrupted midway (`shouldStop` is asked between files).
    public func forEachPacket(shouldStop: () -> Bool, _ body: (Int, CapturedPacket) -> Void) throws(CaptureError) -> PacketSourceState {
        guard let result = openNext() else { return .ended }
        let index = next
        defer {
            next += 1
            opened = nil
        }
        do {
            let capture = try result.get()
            try capture.forEachPacket { body(index, $0) }
        } catch {
            failures[index] = error
            throw error
        }
        return next + 1 < inputs.count ? .more : .ended
    }

    /// The open file: the pipeline holds it until it has taken its last packet, and maps its pages
    /// in while it waits for the decoding thread (so the file maps none on a thread of its own).
    public func prepareForDecodingAhead() -> (any LastingBytes)? {
        guard case .success(let capture) = opened else { return nil }
        capture.populatesAhead = false
        return capture
    }

    public func drain(_ body: (Int, CapturedPacket) -> Void) {}
    public func interrupt() {}

    public func summary(input index: Int, delivered c: InputCounts) -> FileSummary {
        var s = described[index]
        s.packets = c.packets
        s.bytes = c.bytes
        if let first = c.first, let last = c.last {
            s.firstPacket = RFC3339.format(nanoseconds: first)
            s.lastPacket = RFC3339.format(nanoseconds: last)
        }
        s.error = failures[index]?.problemText
        return s
    }

    public func drops(input index: Int) -> (kernel: Int, interface: Int)? { nil }
}
