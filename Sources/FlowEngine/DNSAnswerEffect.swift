import PacketWire

/// What a DNS response's answer section does, effect by effect: read from the message, or from its preview.
protocol DNSAnswerEffects {
    func forEachEffect(_ body: (DNSAnswerEffect) -> Void)
}

extension DNSMessage: DNSAnswerEffects {
    func forEachEffect(_ body: (DNSAnswerEffect) -> Void) {
        _ = DNSAnswerEffect.forEach(in: self) { body($0); return true }
    }
}

/// One thing a DNS response's answer record does for naming, in record
/// order: an A/AAAA address, a CNAME's target, an HTTPS/SVCB record's ECH or
/// address hint. Read once here, by the decode thread's preview and by the
/// tracker alike (`FlowTracker.observeDNS`).
struct DNSAnswerEffect {
    enum Kind: UInt8, Sendable {
        case address, cname, ech, hint
    }
    let kind: Kind
    let ttl: UInt32
    let address: IPAddress
    /// A CNAME's target (valid during the call it is passed to).
    let name: ByteView?

    init(kind: Kind, ttl: UInt32 = 0, address: IPAddress = IPAddress(ipv4: 0), name: ByteView? = nil) {
        self.kind = kind
        self.ttl = ttl
        self.address = address
        self.name = name
    }

    /// Calls `body` with each effect of the answer section, up to the first
    /// record that is not an answer or cannot be read; false when `body` stopped it.
    static func forEach(in message: DNSMessage, _ body: (DNSAnswerEffect) -> Bool) -> Bool {
        var nameBuffer = DNSNameBuffer()
        var records = message.records()
        while let record = try? records.next() {
            guard record.section == .answer else { break }
            if let address = record.address {
                guard body(DNSAnswerEffect(kind: .address, ttl: record.ttl, address: address)) else { return false }
            } else if record.type == DNSRecordType.cname {
                if (try? message.decodeName(at: record.dataOffset, into: &nameBuffer)) != nil {
                    guard nameBuffer.withView({ body(DNSAnswerEffect(kind: .cname, name: $0)) }) else { return false }
                }
            } else if let binding = record.serviceBinding {
                if binding.value(for: DNSServiceBinding.Key.ech) != nil {
                    guard body(DNSAnswerEffect(kind: .ech)) else { return false }
                }
                for (key, width) in [(DNSServiceBinding.Key.ipv4hint, 4), (DNSServiceBinding.Key.ipv6hint, 16)] {
                    guard let hints = binding.value(for: key) else { continue }
                    var at = 0
                    while at + width <= hints.count {
                        let address = width == 4 ? IPAddress.ipv4(in: hints, at: at) : IPAddress.ipv6(in: hints, at: at)
                        if let address { guard body(DNSAnswerEffect(kind: .hint, ttl: record.ttl, address: address)) else { return false } }
                        at += width
                    }
                }
            }
        }
        return true
    }
}
