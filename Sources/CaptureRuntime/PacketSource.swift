import EgressAudit
import PacketCapture

/// Where a run's packets come from, as the pipeline and the live session see
/// it: one or more inputs (interfaces) read by one thread until told to stop.
/// A live interface group is one; a test's scripted source is another.
/// Packets are lent: their bytes are valid only during the callback. (Capture
/// files are read by `CapturePipeline.read(path:)`, which decodes ahead on a
/// second thread only because a mapped file's bytes outlive the callback.)
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
}

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
