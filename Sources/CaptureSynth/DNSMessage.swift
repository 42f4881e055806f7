/// DNS messages (RFC 1035 §4) with name compression (§4.1.4), for UDP or TCP (§4.2.2 length prefix).
public enum DNSRecordType: UInt16, Sendable, Codable {
    case a = 1, cname = 5, ptr = 12, aaaa = 28
}

public enum DNSResponseCode: UInt8, Sendable, Codable {
    case noError = 0, formatError = 1, serverFailure = 2, nameError = 3, refused = 5
}

public enum DNSRecordData: Sendable, Hashable {
    case address(HostAddress)
    case canonicalName(String)

    var type: DNSRecordType {
        switch self {
        case .address(let a): a.isIPv4 ? .a : .aaaa
        case .canonicalName: .cname
        }
    }
}

public struct DNSRecord: Sendable, Hashable {
    public var name: String
    public var ttl: UInt32
    public var data: DNSRecordData
    public init(name: String, ttl: UInt32 = 300, data: DNSRecordData) { self.name = name; self.ttl = ttl; self.data = data }
}

public struct DNSMessageFields: Sendable {
    public var id: UInt16
    public var isResponse: Bool
    public var recursionDesired = true
    public var recursionAvailable = true
    public var responseCode: DNSResponseCode = .noError
    public var questionName: String
    public var questionType: DNSRecordType
    public var questionClass: UInt16 = 1
    public var answers: [DNSRecord] = []

    public init(id: UInt16, isResponse: Bool, questionName: String, questionType: DNSRecordType) {
        self.id = id; self.isResponse = isResponse; self.questionName = questionName; self.questionType = questionType
    }
}

public enum DNSMessage {
    public static func build(_ m: DNSMessageFields, compress: Bool = true) -> [UInt8] {
        var b: [UInt8] = []
        b.appendU16(m.id)
        var flags: UInt16 = 0
        if m.isResponse { flags |= 0x8000 }
        if m.recursionDesired { flags |= 0x0100 }
        if m.isResponse && m.recursionAvailable { flags |= 0x0080 }
        flags |= UInt16(m.responseCode.rawValue & 0x0f)
        b.appendU16(flags)
        b.appendU16(1)
        b.appendU16(UInt16(truncatingIfNeeded: m.answers.count))
        b.appendU16(0)
        b.appendU16(0)
        var table: [String: Int] = [:]
        appendName(m.questionName, to: &b, table: &table, compress: compress)
        b.appendU16(m.questionType.rawValue)
        b.appendU16(m.questionClass)
        for r in m.answers {
            appendName(r.name, to: &b, table: &table, compress: compress)
            b.appendU16(r.data.type.rawValue)
            b.appendU16(1)
            b.appendU32(r.ttl)
            let lengthAt = b.count
            b.appendU16(0)
            switch r.data {
            case .address(let a): b.append(contentsOf: a.bytes)
            case .canonicalName(let n): appendName(n, to: &b, table: &table, compress: compress)
            }
            b.setU16(UInt16(truncatingIfNeeded: b.count - lengthAt - 2), at: lengthAt)
        }
        return b
    }

    /// RFC 7766 / RFC 1035 §4.2.2: over TCP each message is preceded by its 16-bit length.
    public static func tcpFramed(_ message: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        b.appendLengthPrefixed16(message)
        return b
    }

    /// Writes labels until a suffix already written can be pointed to (pointers need offsets < 0x4000).
    static func appendName(_ name: String, to b: inout [UInt8], table: inout [String: Int], compress: Bool) {
        let labels = name.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
        for i in labels.indices {
            let suffix = labels[i...].joined(separator: ".").lowercased()
            if compress, let at = table[suffix] {
                b.appendU16(0xC000 | UInt16(at))
                return
            }
            if compress && b.count < 0x4000 { table[suffix] = b.count }
            let bytes = Array(labels[i].utf8.prefix(63))
            b.appendLengthPrefixed8(bytes)
        }
        b.append(0)
    }
}
