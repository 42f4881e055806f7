import FuzzSupport
import Glibc
import PacketCapture

/// A whole capture file (pcap or pcapng, either byte order, µs or ns) read by
/// `OfflineCapture` with the `.automatic` reader. The input goes to a temporary file
/// (the reader maps or opens a path); every packet's bytes are read in full and must
/// lie within the file.
let path = "/tmp/egress-fuzz-capture-Mapped-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fatalError("cannot create \(path)") }
    fuzzCheck(write(fd, data, size) == size, "short write to \(path)")
    close(fd)
    defer { unlink(path) }
    guard let capture = try? OfflineCapture(path: path, reader: .automatic) else { return 0 }
    capture.populatesAhead = false
    var sum: UInt8 = 0
    _ = try? capture.forEachPacket { packet in
        fuzzCheck(packet.bytes.count <= size, "packet of \(packet.bytes.count) bytes from a \(size)-byte file")
        fuzzCheck(packet.originalLength >= 0, "negative original length")
        for i in 0..<packet.bytes.count { sum &+= packet.bytes.u8Unchecked(at: i) }
    }
    return CInt(sum & 0)
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
