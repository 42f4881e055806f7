import PacketCapture

/// The baseline: libpcap's own read loop and nothing else. One implementation,
/// `PacketCapture.BareReadLoop`, shared with `egress-audit bench`.
public enum BareLoop {
    /// Bytes captured in the file's records; -1 when libpcap cannot read it to its end.
    public static func run(_ path: String) -> Int {
        (try? BareReadLoop.run(path: path))?.capturedBytes ?? -1
    }
}
