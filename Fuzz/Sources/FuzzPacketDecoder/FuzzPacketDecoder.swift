import FuzzSupport
import PacketWire

/// The first byte picks the link type (every one the decoder reads, plus NFLOG and an
/// unknown one); the rest is the frame. The decoder must never trap, and whatever it
/// reports must lie inside the frame.
let linkTypes: [LinkType] = [.null, .ethernet, .raw, .rawOpenBSD, .rawLinkType, .loop, .linuxSLL, .ipv4, .ipv6, .linuxSLL2, .nflog,
                             .ppp, .pppSerial, .pppEther, .ciscoHDLC, .pflog, LinkType(rawValue: 147)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let linkType = linkTypes[Int(input.u8()) % linkTypes.count]
    // A second byte says how much longer the wire frame was than what was captured (snaplen cut).
    let cut = Int(input.u8())
    let frame = input.rest()
    var packet = DecodedPacket()
    PacketDecoder().decode(ByteView(frame), linkType: linkType, originalLength: frame.count + cut, into: &packet)
    fuzzCheck(packet.payload.count <= frame.count, "payload longer than the frame")
    fuzzCheck(packet.payloadOffset >= 0 && packet.payloadOffset <= frame.count, "payload offset outside the frame")
    fuzzCheck(packet.networkOffset <= frame.count && packet.transportOffset <= frame.count, "layer offset outside the frame")
    // Read every payload byte: a view that reaches past the frame is an ASan report.
    var sum: UInt8 = 0
    for i in 0..<packet.payload.count { sum &+= packet.payload.u8(at: i) ?? 0 }
    return CInt(sum & 0)
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
