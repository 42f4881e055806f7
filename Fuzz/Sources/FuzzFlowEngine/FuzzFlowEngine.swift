import FlowEngine
import FuzzSupport
import PacketWire

/// The flow engine fed a sequence of frames, as the capture pipeline feeds it: decode,
/// the decode thread's payload preview (`PayloadPreviewer`: a whole ClientHello, a QUIC
/// client's first Initial, a DNS message), IP fragment reassembly, tracking, first-flight
/// reassembly and naming (TLS, QUIC, HTTP, DNS), idle and capacity eviction, then the end
/// of capture. The caps are tiny so eviction and refusal paths run. Each frame is
/// `[link type u8][time step u16][captured length u16][bytes]`; the link type byte's top
/// bit sends the frame without a preview (the pipeline's inline path), its low 3 bits pick
/// the link type; the time step's top bit turns it into a step back in time (hostile
/// clocks), its low 15 bits count 10 ms.
let linkTypes: [LinkType] = [.ethernet, .raw, .linuxSLL, .linuxSLL2, .null, .loop, .ipv4, .ipv6]

/// One preview block, reused frame after frame as a decode-ahead slot's is.
let previewStorage = PayloadPreview.Storage(count: 1)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    var limits = FlowEngineLimits()
    limits.maxFlows = 16
    limits.tcpIdleTimeoutSeconds = 30
    limits.udpIdleTimeoutSeconds = 10
    limits.firstFlightBytes = 2048
    limits.maxFirstFlights = 4
    limits.maxNames = 32
    limits.maxDNSAnswers = 16
    limits.maxDNSObservations = 16
    limits.maxQUICFlows = 2
    var fragmentLimits = IPFragmentLimits()
    fragmentLimits.maxDatagrams = 4
    fragmentLimits.maxDatagramBytes = 4096
    var tracker = FlowTracker(limits: limits)
    var fragments = IPFragmentReassembler(limits: fragmentLimits)
    let decoder = PacketDecoder()
    // With the tracker's hashers, as the decode-ahead ring makes it: the hashes a preview carries are used.
    var previewer = PayloadPreviewer(flowHasher: tracker.table.hasher, nameHasher: tracker.names.hasher, answerHasher: tracker.dnsCache.hasher)
    var preview = previewStorage.preview(0)
    var timestamp: Int64 = 1_700_000_000_000_000_000
    var ended = 0
    var frames = 0
    while !input.isEmpty && frames < 256 {
        frames += 1
        let selector = input.u8()
        let linkType = linkTypes[Int(selector) % linkTypes.count]
        let step = input.u16()
        let delta = Int64(step & 0x7FFF) * 10_000_000
        timestamp += step & 0x8000 == 0 ? delta : -delta
        let frame = ByteView(input.chunk(Int(input.u16())))
        var packet = DecodedPacket()
        decoder.decode(frame, linkType: linkType, originalLength: frame.count, into: &packet)
        // As the decode thread does: every frame previewed, fragments too (their preview unused).
        let previewed = selector & 0x80 == 0
        if previewed { withUnsafePointer(to: &packet) { previewer.preview($0, into: &preview) } }
        let fragment = packet.fragment, status = packet.status
        if fragment != .none, status.isDecoded || status == .notDecoded(.laterFragment), !(packet.truncated && fragment == .first) {
            if let datagram = fragments.add(packet, frame: frame, timestamp: timestamp, wireLength: frame.count) {
                var whole = DecodedPacket()
                decoder.decode(datagram.bytes, linkType: .raw, originalLength: datagram.bytes.count, into: &whole)
                tracker.process(whole, timestamp: timestamp, wireLength: datagram.wireLength) { _ in ended += 1 }
            }
            fragments.evictIdle(now: timestamp)
            continue
        }
        if previewed {
            withUnsafePointer(to: &packet) {
                tracker.process($0, timestamp: timestamp, wireLength: frame.count, preview: preview) { _ in ended += 1 }
            }
        } else {
            tracker.process(packet, timestamp: timestamp, wireLength: frame.count) { _ in ended += 1 }
        }
    }
    var names = 0
    tracker.finish { record, _ in
        ended += 1
        names += record.sni.isNone ? 0 : 1
    }
    fuzzCheck(tracker.firstFlights.inUse >= 0, "first-flight buffers in use went negative")
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
