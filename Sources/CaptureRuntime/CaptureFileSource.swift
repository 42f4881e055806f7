import EgressAudit
import PacketCapture
import PacketWire
import Synchronization

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
/// `@unchecked Sendable`: only `interrupt` (atomics) is meant for another thread; everything
/// else runs on the reading thread.
public final class CaptureFileSource: PacketSource, @unchecked Sendable {
    public let inputs: [String]
    /// Which reader opens files (`.libpcap` to compare against it).
    public let reader: OfflineCapture.Reader
    /// The next input to read, and its capture once opened (`lendsLastingBytes` opens it early).
    private var next = 0
    private var opened: Result<OfflineCapture, CaptureError>?
    /// Each input's description for the report, from its header once opened.
    private var described: [FileSummary]
    private var failures: [CaptureError?]
    /// Set by `interrupt` (a signal): reading stops within 256 packets, and no further input is opened.
    public let stopRequest = StopRequest()
    /// The input that was being read when the stop came, if one was.
    public private(set) var interruptedInput: Int?

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

    public var readsWholeInputs: Bool { true }

    public var lendsLastingBytes: Bool {
        if case .success(let capture) = openNext() { return capture.readerInUse == .mapped }
        return false
    }

    /// Reads the next file to its end, or until `interrupt` (`shouldStop` is asked between files).
    public func forEachPacket(shouldStop: () -> Bool, _ body: (Int, CapturedPacket) -> Void) throws(CaptureError) -> PacketSourceState {
        if stopRequest.isRequested { return .ended }
        guard let result = openNext() else { return .ended }
        let index = next
        defer {
            next += 1
            opened = nil
        }
        do {
            let capture = try result.get()
            let request = stopRequest
            let stop = { request.isRequested }
            try capture.forEachPacket(shouldStop: stop) { body(index, $0) }
            if stop() {
                interruptedInput = index
                return .ended
            }
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
    /// Stops reading soon (within 256 packets of the input being read); safe from any thread and
    /// from a signal handler's queue. A blocked read of a pipe returns when its writer writes or ends.
    public func interrupt() { interrupt(signal: 0) }

    /// `interrupt`, naming the signal that asked (for the report's note).
    public func interrupt(signal: Int32) {
        stopRequest.request(signal: signal)
        OfflineCapture.interruptStreams()
    }

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

/// A request to stop reading, safe to make from any thread (a signal handler's
/// queue) and cheap to ask (a relaxed load).
public final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    public var isRequested: Bool { requested.load(ordering: .relaxed) }
    /// The signal that asked, if one did.
    public var signal: Int32? {
        let n = signalNumber.load(ordering: .relaxed)
        return n == 0 ? nil : n
    }

    public func request(signal: Int32 = 0) {
        if signal != 0 { signalNumber.store(signal, ordering: .relaxed) }
        requested.store(true, ordering: .relaxed)
    }
}
