import EgressAudit
import PacketCapture

/// Where a run's packets come from, as the pipeline and the live session see
/// it: one or more inputs read by one thread until told to stop or ended.
/// Capture files (`CaptureFileSource`), a live interface group
/// (`LiveInterfaceSource`) and a test's scripted source are sources; the
/// pipeline reads every one the same way (`CapturePipeline.read(from:)`).
/// Packets are lent: their bytes are valid only during the callback, unless
/// the source says they outlive it (`lendsLastingBytes`: a mapped file), when
/// the pipeline may decode them ahead on a second thread.
public protocol PacketSource: AnyObject {
    /// The inputs' names, in the order `forEachPacket` numbers them.
    var inputs: [String] { get }
    /// Hands packets to `body` (input index, packet) until `shouldStop()` says
    /// so, `interrupt()` is called, or the source ends; `.ended` when it has
    /// no more to give. Throws when the source fails (an interface went away).
    func forEachPacket(shouldStop: () -> Bool, _ body: (Int, CapturedPacket) -> Void) throws(CaptureError) -> PacketSourceState
    /// After the last `forEachPacket`: what is still buffered (the kernel's open block).
    func drain(_ body: (Int, CapturedPacket) -> Void)
    /// Makes a running `forEachPacket` return soon; safe from any thread.
    func interrupt()
    /// Input `index` as a source of the report, given what it delivered.
    func summary(input index: Int, delivered: InputCounts) -> FileSummary
    /// Drops the kernel (and the interface) reported for input `index`.
    func drops(input index: Int) -> (kernel: Int, interface: Int)?
    /// True when the packets the next `forEachPacket` hands over stay valid
    /// after the callback returns, as long as the source lives.
    var lendsLastingBytes: Bool { get }
    /// The pipeline is about to decode the next pass ahead on another thread.
    /// Returns what holds the pass's bytes (the pipeline keeps it alive until
    /// it has taken the last packet, and maps pages in through it while it
    /// waits, so the source need not on a thread of its own).
    func prepareForDecodingAhead() -> (any LastingBytes)?
    /// True when each `forEachPacket` reads an input (a file, a pipe) to its
    /// end by itself, stopping only for `interrupt`: the pipeline may then
    /// read it on another thread, decoding ahead, copying the packets when
    /// the source does not lend them lastingly. (A live interface is read
    /// pass by pass until `shouldStop`: not this.)
    var readsWholeInputs: Bool { get }
}

extension PacketSource {
    public var lendsLastingBytes: Bool { false }
    public func prepareForDecodingAhead() -> (any LastingBytes)? { nil }
    public var readsWholeInputs: Bool { false }
}

/// What holds a pass's lasting bytes (a mapped capture file).
public protocol LastingBytes: AnyObject {
    /// Maps in the next stretch ahead of the reader, if one is within reach;
    /// false when there was nothing to do. Safe from any thread.
    func populateAhead() -> Bool
}

extension OfflineCapture: LastingBytes {}

public enum PacketSourceState: Sendable {
    case more
    case ended
}

/// What one input delivered.
public struct InputCounts: Sendable {
    public var packets = 0, bytes = 0
    public var first: Int64?, last: Int64?

    public init() {}

    @inline(__always)
    public mutating func add(_ captured: CapturedPacket) {
        packets += 1
        bytes += captured.originalLength
        if first == nil { first = captured.timestampNanoseconds }
        last = captured.timestampNanoseconds
    }
}
