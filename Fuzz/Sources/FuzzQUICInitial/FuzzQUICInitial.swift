import CaptureSynth
import FlowEngine
import FuzzSupport
import PacketWire

/// QUIC Initial packets of one flow, read as the flow engine reads them: long headers
/// (coalesced), keys from the first DCID, header protection removed, AEAD opened, CRYPTO
/// frames assembled by offset, the ClientHello parsed when contiguous. Mode (first byte, low bit):
/// 0 — the rest is datagrams, each `[length u16][bytes]`, taken as they are (almost never
///     authentic: this fuzzes the header and protection paths);
/// 1 — a version bit and a DCID, then packets `[packet number u8][length u16][frames]` whose
///     plaintext frames are sealed here (CaptureSynth's independent emitter), so the decryptor
///     opens them and hostile CRYPTO frames, out of order, overlapping, reach the assembler.
func readFlow(_ datagrams: [ByteView]) {
    var crypto = CryptoStreamAssembler()
    var keys: FlowEngine.QUICInitialKeys?
    var largest: UInt64?
    for datagram in datagrams {
        var offset = 0
        while offset < datagram.count {
            guard let header = try? QUICLongHeader.parse(datagram, at: offset) else { break }
            fuzzCheck(header.end > offset, "QUIC packet walk does not advance")
            defer { offset = header.end }
            guard header.type == .initial else { continue }
            // As the tracker reads them: the kept keys first, else this packet's own DCID's.
            func absorb(_ opened: QUICOpenedInitial, _ frames: ByteView) -> Bool {
                fuzzCheck(frames.count + opened.headerLength + 16 <= datagram.count, "opened more bytes than the datagram holds")
                largest = max(largest ?? 0, opened.packetNumber)
                return (try? crypto.absorb(payload: frames)) != nil
            }
            var absorbed: Bool?
            if let k = keys, k.version == header.version {
                absorbed = fuzzDecryptor.withOpened(header, in: datagram, keys: k, largestPacketNumber: largest, counting: false, absorb)
            }
            if absorbed == nil, let k = FlowEngine.QUICInitialKeys(version: header.version, destinationConnectionID: header.destinationConnectionID) {
                absorbed = fuzzDecryptor.withOpened(header, in: datagram, keys: k, largestPacketNumber: largest, absorb)
                if absorbed != nil, keys == nil { keys = k }
            }
            guard absorbed != nil else { continue }
            var done = false
            crypto.withContiguousBytes { bytes in
                switch TLSClientHello.parse(handshake: bytes, maxLength: CryptoStreamAssembler.defaultCapacity) {
                case .complete(let hello): _ = hello.serverNameString; done = true
                case .needMoreBytes: break
                case .tooLarge, .malformed, .notClientHello: done = true
                }
            }
            if done { return }
        }
    }
}

/// One decryptor for the process, as a tracker has one: its memory is reused, input after input.
nonisolated(unsafe) var fuzzDecryptor = QUICInitialDecryptor()

/// The emitter's keys for a version and DCID, derived once per process and DCID: deriving
/// them (swift-crypto HKDF) for every packet took over 80% of each execution, none of it
/// the code under test. A pure function's results, so caching changes no outcome.
nonisolated(unsafe) var sealingKeyCache: [[UInt8]: CaptureSynth.QUICInitialKeys] = [:]
func sealingKeys(_ version: CaptureSynth.QUICVersion, _ dcid: [UInt8]) -> CaptureSynth.QUICInitialKeys {
    let key = [version == .v1 ? 1 : 2] + dcid
    if let keys = sealingKeyCache[key] { return keys }
    if sealingKeyCache.count >= 4096 { sealingKeyCache.removeAll(keepingCapacity: true) }
    let keys = CaptureSynth.QUICInitialKeys(version: version, destinationConnectionID: dcid)
    sealingKeyCache[key] = keys
    return keys
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.u8()
    var owned: [[UInt8]] = []
    if mode & 1 == 0 {
        while !input.isEmpty && owned.count < 16 {
            owned.append(Array(input.chunk(Int(input.u16()))))
        }
    } else {
        let version: CaptureSynth.QUICVersion = mode & 2 == 0 ? .v1 : .v2
        let dcid = Array(input.chunk(Int(input.u8() % 21)))
        let keys = sealingKeys(version, dcid)
        while !input.isEmpty && owned.count < 16 {
            let packetNumber = UInt32(input.u8())
            let frames = Array(input.chunk(Int(input.u16() % 4096)))
            guard let packet = try? QUICInitialPacket.protect(version: version, destinationConnectionID: dcid, sourceConnectionID: [],
                                                              packetNumber: packetNumber, packetNumberLength: 1 + Int(packetNumber % 4),
                                                              payload: frames, keys: keys) else { break }
            owned.append(packet)
        }
    }
    var views: [ByteView] = []
    func withViews(_ i: Int) {
        guard i < owned.count else { readFlow(views); return }
        owned[i].withUnsafeBytes { raw in
            views.append(ByteView(raw))
            withViews(i + 1)
        }
    }
    withViews(0)
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
