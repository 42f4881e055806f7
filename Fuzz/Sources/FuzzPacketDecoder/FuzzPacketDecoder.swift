import FuzzSupport
import PacketWire

/// The first byte picks the link type (every one the decoder reads, plus NFLOG and an
/// unknown one); the rest is the frame. The decoder must never trap, whatever it
/// reports must lie inside the frame, and an Ethernet frame decodes alike through the
/// common-shape path and the general decoder.
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
    let decoder = PacketDecoder()
    decoder.decode(ByteView(frame), linkType: linkType, originalLength: frame.count + cut, into: &packet)
    if linkType == .ethernet {
        // `decode` takes its common-shape path where it can: every field must be what the general decoder gives.
        var general = DecodedPacket()
        decoder.decodeInSteps(ByteView(frame), linkType: linkType, originalLength: frame.count + cut, into: &general)
        fuzzCheck(same(packet, general, in: ByteView(frame)), "the common-shape path and the general decoder disagree")
    }
    fuzzCheck(packet.payload.count <= frame.count, "payload longer than the frame")
    fuzzCheck(packet.payloadOffset >= 0 && packet.payloadOffset <= frame.count, "payload offset outside the frame")
    fuzzCheck(packet.networkOffset <= frame.count && packet.transportOffset <= frame.count, "layer offset outside the frame")
    // Read every payload byte: a view that reaches past the frame is an ASan report.
    var sum: UInt8 = 0
    for i in 0..<packet.payload.count { sum &+= packet.payload.u8(at: i) ?? 0 }
    return CInt(sum & 0)
}

/// Whether two decodings of `frame` agree field by field (views by where they start in the frame
/// and their length). Field by field, not through reflection, which made the target thirty times
/// slower; `PacketDecoderCommonShapeTests` compares through reflection, so a field added later is
/// caught there if not here.
func same(_ a: DecodedPacket, _ b: DecodedPacket, in frame: ByteView) -> Bool {
    func view(_ v: ByteView) -> [Int?] { [v.count, v.count == 0 ? 0 : v.offset(in: frame)] }
    return a.status == b.status && a.truncated == b.truncated && a.stop == b.stop && a.linkType == b.linkType
        && a.linkDirection == b.linkDirection && a.etherType == b.etherType && a.vlanCount == b.vlanCount && a.vlanID == b.vlanID
        && a.logGroup == b.logGroup && view(a.logPrefix) == view(b.logPrefix) && a.tunnelDepth == b.tunnelDepth
        && a.encapsulations == b.encapsulations && a.network == b.network && a.networkOffset == b.networkOffset
        && a.source == b.source && a.destination == b.destination && a.ipProtocol == b.ipProtocol && a.ttl == b.ttl
        && a.fragment == b.fragment && a.fragmentFacts == b.fragmentFacts && a.transport == b.transport
        && a.transportOffset == b.transportOffset && a.sourcePort == b.sourcePort && a.destinationPort == b.destinationPort
        && a.hasPorts == b.hasPorts && a.tcp == b.tcp && a.icmp == b.icmp && view(a.payload) == view(b.payload)
        && a.payloadOffset == b.payloadOffset
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
