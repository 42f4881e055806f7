import FlowEngine
import FuzzSupport
import PacketWire

/// TLS records and the ClientHello. Mode (first byte, low bit):
/// 0 — the rest is the client's whole first flight: read as a record stream and as a bare handshake message;
/// 1 — the rest is split into TCP segments (a length byte and a sequence delta each, so segments arrive
///     out of order, overlap and repeat) put together by the flow engine's `FirstFlightPool`, and the
///     record parser runs on the contiguous bytes after every segment, as the tracker does.
// libFuzzer calls the target on one thread: the scratch buffer is never shared.
nonisolated(unsafe) let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)

func touch(_ result: TLSClientHelloParse) {
    guard case .complete(let hello) = result else { return }
    _ = hello.serverNameString
    _ = hello.highestVersion
    for p in hello.alpnProtocols { _ = p.count }
    for v in hello.versions { _ = v }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    if input.u8() & 1 == 0 {
        let stream = ByteView(input.rest())
        touch(TLSClientHello.parse(records: stream, scratch: scratch))
        touch(TLSClientHello.parse(handshake: stream))
        _ = TLSHandshakeGatherer.gather(stream: stream, into: scratch)
        return 0
    }
    var pool = FirstFlightPool(bufferSize: 16 * 1024, maxBuffers: 1)
    let base = input.u32()
    guard let id = pool.acquire(baseSequence: base) else { return 0 }
    var next = base
    while !input.isEmpty {
        let length = Int(input.u8())
        // Signed step from the previous segment's end: back (overlap, retransmit) or ahead (hole).
        let step = Int32(Int8(bitPattern: input.u8())) * 16
        let segment = input.chunk(length)
        let sequence = next &+ UInt32(bitPattern: step)
        pool.add(id, sequence: sequence, bytes: ByteView(segment))
        next = sequence &+ UInt32(segment.count)
        pool.withContiguousBytes(id) { touch(TLSClientHello.parse(records: $0, scratch: scratch)) }
    }
    pool.release(id)
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
