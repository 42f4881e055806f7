import FuzzSupport
import PacketWire

/// An HTTP request head (request line, Host, CONNECT authority) as the first bytes a
/// client sends; with CONNECT, the bytes after the head are read as the tunnelled
/// ClientHello, as the flow engine does.
// libFuzzer calls the target on one thread: the scratch buffer is never shared.
nonisolated(unsafe) let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = ByteView(UnsafeRawBufferPointer(start: data, count: size))
    guard case .complete(let head) = HTTPRequestHead.parse(bytes) else { return 0 }
    _ = head.methodString
    _ = head.targetString
    _ = head.hostString
    if let host = head.host { _ = HTTPAuthority(host)?.port }
    if head.isCONNECT, let authority = head.connectAuthority {
        _ = authority.hostString
        _ = authority.port
        fuzzCheck(head.length <= size, "head longer than the input")
        if let tunnel = bytes.suffix(from: head.length) {
            _ = TLSClientHello.parse(records: tunnel, scratch: scratch)
        }
    }
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
