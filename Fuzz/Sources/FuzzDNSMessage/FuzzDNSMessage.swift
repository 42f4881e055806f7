import FuzzSupport
import PacketWire

/// A DNS message: header, questions, every record of every section with the names
/// decoded (compression loops, pointer chains, truncation), SVCB/HTTPS parameters;
/// then the same bytes as a DNS-over-TCP stream of length-prefixed messages.
func walk(_ bytes: ByteView) {
    guard let message = try? DNSMessage(bytes) else { return }
    var name = DNSNameBuffer()
    _ = message.firstQuestion
    var questions = message.questions()
    while let q = try? questions.next() { _ = q }
    var records = message.records()
    var count = 0
    while count < 1024, let r = try? records.next() {
        count += 1
        _ = r.address
        if let svcb = r.serviceBinding {
            _ = svcb.isAliasMode
            _ = svcb.hasECH
            for id in svcb.alpnIDs { _ = id.count }
            for a in svcb.ipv4Hints { _ = a }
            for a in svcb.ipv6Hints { _ = a }
        }
    }
    // Names at every offset: a hostile pointer can point anywhere.
    for offset in 0..<min(bytes.count, 512) {
        if (try? message.decodeName(at: offset, into: &name)) != nil { _ = name.string }
        _ = try? DNSName.skip(in: bytes, at: offset)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = ByteView(UnsafeRawBufferPointer(start: data, count: size))
    walk(bytes)
    var offset = 0
    var frames = 0
    while frames < 64 {
        frames += 1
        switch DNSTCPFrame.next(in: bytes, at: offset) {
        case .message(let start, let length, let next):
            if let message = bytes.slice(from: start, length: length) { walk(message) }
            guard next > offset else { return 0 }
            offset = next
        default:
            return 0
        }
    }
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
