import Testing
@testable import PacketWire

@Suite struct DNSMessageTests {
    typealias F = AppWireFixtures

    /// www.example.com A → 93.184.216.34, answer name compressed to the question.
    static let aResponse = F.bytes("""
        12 34                                 // ID
        81 80                                 // QR=1 opcode=0 AA=0 TC=0 RD=1 | RA=1 Z=0 RCODE=0
        00 01 00 01 00 00 00 00               // QD=1 AN=1 NS=0 AR=0
        03 777777 07 6578616d706c65 03 636f6d 00  // @12 www.example.com
        00 01 00 01                           // QTYPE=A QCLASS=IN
        c0 0c                                 // @33 NAME → @12
        00 01 00 01                           // TYPE=A CLASS=IN
        00 00 0e 10                           // TTL=3600
        00 04 5d b8 d8 22                     // RDLENGTH=4 93.184.216.34
        """)

    static let aaaaResponse = F.bytes("""
        ab cd 81 80 00 01 00 01 00 00 00 00   // ID, flags, QD=1 AN=1
        03 777777 07 6578616d706c65 03 636f6d 00 00 1c 00 01  // www.example.com AAAA IN
        c0 0c 00 1c 00 01 00 00 01 2c         // → @12, AAAA IN, TTL=300
        00 10 2606 2800 0220 0001 0248 1893 25c8 1946  // RDLENGTH=16 2606:2800:220:1:248:1893:25c8:1946
        """)

    @Test func aRecord() throws {
        try F.withView(Self.aResponse) { bytes in
            #expect(bytes.count == 49)
            let m = try DNSMessage(bytes)
            #expect(m.header.id == 0x1234)
            #expect(m.header.isResponse && m.header.recursionDesired && m.header.recursionAvailable)
            #expect(!m.header.isAuthoritative && !m.header.isTruncated && m.header.opcode == 0)
            #expect(m.header.responseCode == .noError)
            #expect(m.header.questionCount == 1 && m.header.answerCount == 1)
            #expect(m.recordsOffset == 33)
            let q = try #require(m.firstQuestion)
            #expect(q.nameOffset == 12 && q.type == 1 && q.recordClass == 1 && !q.unicastResponse)
            var name = DNSNameBuffer()
            try m.decodeName(at: q.nameOffset, into: &name)
            #expect(name.string == "www.example.com" && name.labelCount == 3)
            #expect(name.equals("WWW.Example.COM"))

            var records = m.records()
            let r = try #require(try records.next())
            #expect(r.section == .answer && r.type == DNSRecordType.a && r.recordClass == 1 && !r.cacheFlush)
            #expect(r.ttl == 3600)
            #expect(r.dataOffset == 45 && r.data.count == 4)
            #expect(r.ipv4 == IPAddress("93.184.216.34"))
            #expect(r.ipv6 == nil)
            var owner = DNSNameBuffer()
            try m.decodeName(at: r.nameOffset, into: &owner)
            #expect(owner.equalsIgnoringCase(name))
            #expect(try records.next() == nil)
        }
    }

    @Test func aaaaRecord() throws {
        try F.withView(Self.aaaaResponse) { bytes in
            let m = try DNSMessage(bytes)
            #expect(m.header.id == 0xABCD)
            var records = m.records()
            let r = try #require(try records.next())
            #expect(r.type == DNSRecordType.aaaa && r.ttl == 300)
            #expect(r.address == IPAddress("2606:2800:220:1:248:1893:25c8:1946"))
            #expect(r.ipv4 == nil)
        }
    }

    /// www.example.com CNAME cdn.example.net; cdn.example.net CNAME edge.example.net
    /// (with "example.net" compressed into the first target); edge.example.net A 192.0.2.1.
    static let cnameChain = F.bytes("""
        00 07 81 80 00 01 00 03 00 00 00 00   // ID=7, QD=1 AN=3
        03 777777 07 6578616d706c65 03 636f6d 00 00 01 00 01  // @12 www.example.com A IN
        c0 0c 00 05 00 01 00 00 01 2c 00 11   // @33 → @12 CNAME IN TTL=300 RDLENGTH=17
        03 63646e 07 6578616d706c65 03 6e6574 00  // @45 cdn.example.net (example @49)
        c0 2d 00 05 00 01 00 00 00 3c 00 07   // @62 → @45 CNAME IN TTL=60 RDLENGTH=7
        04 65646765 c0 31                     // @74 edge + → @49 (example.net)
        c0 4a 00 01 00 01 00 00 00 14 00 04   // @81 → @74 A IN TTL=20 RDLENGTH=4
        c0 00 02 01                           // 192.0.2.1
        """)

    @Test func cnameChainWithCompressedTargets() throws {
        try F.withView(Self.cnameChain) { bytes in
            #expect(bytes.count == 97)
            let m = try DNSMessage(bytes)
            var records = m.records()
            var owner = DNSNameBuffer()
            var target = DNSNameBuffer()
            var seen: [(String, UInt16, UInt32, String)] = []
            while let r = try records.next() {
                try m.decodeName(at: r.nameOffset, into: &owner)
                var value = ""
                if r.type == DNSRecordType.cname {
                    try m.decodeName(at: r.dataOffset, into: &target)
                    value = target.string
                } else if let address = r.address {
                    value = address.description
                }
                seen.append((owner.string, r.type, r.ttl, value))
            }
            #expect(seen.count == 3)
            #expect(seen.map(\.0) == ["www.example.com", "cdn.example.net", "edge.example.net"])
            #expect(seen.map(\.1) == [5, 5, 1])
            #expect(seen.map(\.2) == [300, 60, 20])
            #expect(seen.map(\.3) == ["cdn.example.net", "edge.example.net", "192.0.2.1"])
        }
    }

    /// example.com HTTPS 1 . alpn=h2,h3 ipv4hint=192.0.2.1,192.0.2.2 ech=… ipv6hint=2001:db8::1
    static let httpsResponse = F.bytes("""
        00 09 81 80 00 01 00 01 00 00 00 00   // ID=9, QD=1 AN=1
        07 6578616d706c65 03 636f6d 00 00 41 00 01  // @12 example.com HTTPS(65) IN
        c0 0c 00 41 00 01 00 00 0e 10 00 36   // @29 → @12 HTTPS IN TTL=3600 RDLENGTH=54
        00 01                                 // @41 SvcPriority=1 (service mode)
        00                                    // TargetName "." (root)
        00 01 00 06 02 6832 02 6833           // alpn: "h2" "h3"
        00 04 00 08 c0000201 c0000202         // ipv4hint: 192.0.2.1 192.0.2.2
        00 05 00 05 0003 010203               // ech: ECHConfigList (3 opaque bytes)
        00 06 00 10 20010db8000000000000000000000001  // ipv6hint: 2001:db8::1
        """)

    @Test func httpsRecordWithSvcParams() throws {
        try F.withView(Self.httpsResponse) { bytes in
            #expect(bytes.count == 95)
            let m = try DNSMessage(bytes)
            #expect(m.firstQuestion?.type == DNSRecordType.https)
            var records = m.records()
            let r = try #require(try records.next())
            #expect(r.type == 65 && r.data.count == 54)
            let svc = try #require(r.serviceBinding)
            #expect(svc.priority == 1 && !svc.isAliasMode)
            var target = DNSNameBuffer()
            _ = try DNSName.decode(in: svc.data, at: svc.targetOffset, into: &target)
            #expect(target.count == 0 && target.labelCount == 0)
            #expect(svc.alpnIDs.strings == ["h2", "h3"])
            #expect(Array(svc.ipv4Hints) == [IPAddress("192.0.2.1"), IPAddress("192.0.2.2")])
            #expect(Array(svc.ipv6Hints) == [IPAddress("2001:db8::1")])
            #expect(svc.hasECH)
            #expect(svc.value(for: DNSServiceBinding.Key.port) == nil)
        }
    }

    @Test func svcParamKeysOutOfOrderAreMalformed() throws {
        var bytes = Self.httpsResponse
        // Swap the alpn key (@44) to 7 so it precedes ipv4hint (4) out of order.
        bytes[45] = 0x07
        try F.withView(bytes) { view in
            let m = try DNSMessage(view)
            var records = m.records()
            #expect(throws: DNSIssue(.badRecordData, at: 54)) { _ = try records.next() }
        }
    }

    static let nxdomain = F.bytes("""
        be ef 81 83 00 01 00 00 00 00 00 00   // RCODE=3 (NXDOMAIN), QD=1
        07 6e6f7468657265 07 6578616d706c65 00 00 01 00 01  // nothere.example A IN
        """)

    @Test(arguments: [(UInt8(0x83), "NXDOMAIN"), (0x82, "SERVFAIL"), (0x85, "REFUSED"), (0x80, "NOERROR")])
    func responseCodes(flagsLow: UInt8, name: String) throws {
        var bytes = Self.nxdomain
        bytes[3] = flagsLow
        try F.withView(bytes) { view in
            let m = try DNSMessage(view)
            #expect(m.header.responseCode.description == name)
            var records = m.records()
            #expect(try records.next() == nil)
        }
        #expect(DNSResponseCode.nameError.rawValue == 3 && DNSResponseCode.serverFailure.rawValue == 2 && DNSResponseCode.refused.rawValue == 5)
    }

    /// mDNS (RFC 6762): ID 0, QR|AA, answer class with the cache-flush bit.
    @Test func mdnsCacheFlushBit() throws {
        let bytes = F.bytes("""
            00 00 84 00 00 00 00 01 00 00 00 00   // ID=0 QR=1 AA=1, AN=1
            07 7072696e746572 05 6c6f63616c 00    // printer.local
            00 01 80 01 00 00 00 78 00 04 c0 a8 01 14  // A, class 0x8001 (flush|IN), TTL=120, 192.168.1.20
            """)
        try F.withView(bytes) { view in
            let m = try DNSMessage(view)
            #expect(m.header.isAuthoritative)
            var records = m.records()
            let r = try #require(try records.next())
            #expect(r.cacheFlush && r.recordClass == 1)
            #expect(r.ipv4 == IPAddress("192.168.1.20"))
            var name = DNSNameBuffer()
            try m.decodeName(at: r.nameOffset, into: &name)
            #expect(name.string == "printer.local")
        }
    }

    /// mDNS query with the QU bit (RFC 6762 §5.4) in QCLASS.
    @Test func mdnsUnicastResponseBit() throws {
        let bytes = F.bytes("""
            00 00 00 00 00 01 00 00 00 00 00 00   // ID=0, query, QD=1
            07 7072696e746572 05 6c6f63616c 00    // printer.local
            00 01 80 01                           // QTYPE=A, QCLASS=0x8001 (QU|IN)
            """)
        try F.withView(bytes) { view in
            let m = try DNSMessage(view)
            #expect(!m.header.isResponse)
            let q = try #require(m.firstQuestion)
            #expect(q.unicastResponse && q.recordClass == 1 && q.type == 1)
        }
    }

    // MARK: malformed messages

    @Test func countsClaimingMoreRecordsThanBytes() throws {
        var bytes = Self.aResponse
        bytes[7] = 5  // ANCOUNT=5, one present
        try F.withView(bytes) { view in
            let m = try DNSMessage(view)
            var records = m.records()
            #expect(try records.next() != nil)
            #expect(throws: DNSIssue(.truncated, at: 49, needed: 1, had: 0)) { _ = try records.next() }
            #expect(try records.next() == nil, "the iterator stops after an error")
        }
    }

    @Test func questionCountPastTheEnd() {
        var bytes = Self.aResponse
        bytes[5] = 40  // QDCOUNT=40
        F.withView(bytes) { view in
            #expect(throws: DNSIssue.self) { _ = try DNSMessage(view) }
        }
    }

    @Test func rdlengthPastTheEnd() throws {
        var bytes = Self.aResponse
        bytes[44] = 0x10  // RDLENGTH=16, 4 bytes left
        try F.withView(bytes) { view in
            let m = try DNSMessage(view)
            var records = m.records()
            #expect(throws: DNSIssue(.truncated, at: 45, needed: 16, had: 4)) { _ = try records.next() }
        }
    }

    @Test func aRecordOfWrongLength() throws {
        let bytes = Array(Self.aResponse.prefix(43)) + F.bytes("00 05 5d b8 d8 22 01")
        try F.withView(bytes) { view in
            let m = try DNSMessage(view)
            var records = m.records()
            #expect(throws: DNSIssue(.badRecordData, at: 45, needed: 4, had: 5)) { _ = try records.next() }
        }
    }

    @Test func shorterThanAHeader() {
        F.withView(F.bytes("12 34 81 80 00")) { view in
            #expect(throws: DNSIssue(.tooShort, at: 0, needed: 12, had: 5)) { _ = try DNSMessage(view) }
        }
    }

    // MARK: TCP framing (RFC 1035 §4.2.2)

    @Test func tcpTwoMessagesInOneSegment() {
        let stream = F.bytes("00 31") + Self.aResponse + F.bytes("00 61") + Self.cnameChain
        F.withView(stream) { view in
            #expect(DNSTCPFrame.next(in: view, at: 0) == .message(offset: 2, length: 49, next: 51))
            #expect(DNSTCPFrame.next(in: view, at: 51) == .message(offset: 53, length: 97, next: 150))
            #expect(DNSTCPFrame.next(in: view, at: 150) == .end)
        }
    }

    @Test func tcpMessageAcrossTwoSegments() throws {
        let whole = F.bytes("00 31") + Self.aResponse
        // First segment: the prefix and 20 bytes of the message.
        F.withView(Array(whole.prefix(22))) { view in
            #expect(DNSTCPFrame.next(in: view, at: 0) == .needMore(needed: 29))
        }
        // A segment boundary inside the length prefix itself.
        F.withView(Array(whole.prefix(1))) { view in
            #expect(DNSTCPFrame.next(in: view, at: 0) == .needMore(needed: 1))
        }
        try F.withView(whole) { view in
            guard case .message(let offset, let length, _) = DNSTCPFrame.next(in: view, at: 0) else {
                Issue.record("expected a whole message")
                return
            }
            let m = try DNSMessage(try #require(view.slice(from: offset, length: length)))
            #expect(m.header.id == 0x1234)
        }
    }

    @Test func tcpLengthBelowAHeader() {
        F.withView(F.bytes("00 05 0102030405")) { view in
            #expect(DNSTCPFrame.next(in: view, at: 0) == .malformed(DNSIssue(.tooShort, at: 0, needed: 12, had: 5)))
        }
    }

    @Test func randomBytesNeverTrap() {
        var rng = AppWireRNG(seed: 0xD45_0001)
        var parsed = 0
        var name = DNSNameBuffer()
        for round in 0..<5000 {
            var bytes = rng.bytes(maxCount: 300)
            // Every other input starts from a valid message with random damage, to reach the record code.
            if round % 2 == 0 {
                bytes = Self.cnameChain
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
            }
            F.withView(bytes) { view in
                guard let m = try? DNSMessage(view) else { return }
                parsed += 1
                var records = m.records()
                while let r = try? records.next() {
                    _ = try? DNSName.decode(in: view, at: r.nameOffset, into: &name)
                    _ = r.serviceBinding?.alpnIDs.strings
                }
                _ = DNSTCPFrame.next(in: view, at: 0)
            }
        }
        #expect(parsed > 100, "the fuzz reached record parsing")
    }

    // MARK: Names checked once

    /// A response whose CNAME target follows `targetHops` pointers: a chain of pointers in an
    /// earlier record's RDATA (each to the one before it, the first to the question), the CNAME
    /// pointing at the chain's last, then an A record whose owner name points at the CNAME's target.
    static func pointerChainResponse(targetHops: Int) -> (bytes: [UInt8], cnameData: Int, ownerOffset: Int) {
        var m: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0]       // QD=1 AN=3
        m += [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]    // @12 example.com
        m += [0, 1, 0, 1]                                                  // A IN
        let links = targetHops - 1                                         // and the CNAME's own pointer makes targetHops
        m += [0xc0, 0x0c, 0xff, 0x00, 0, 1, 0, 0, 0, 0, 0, UInt8(2 * links)]  // → @12, type 65280, RDLENGTH
        let chain = m.count
        for k in 0..<links {
            let target = k == 0 ? 12 : chain + 2 * (k - 1)
            m += [0xc0 | UInt8(target >> 8), UInt8(target & 0xff)]
        }
        let last = chain + 2 * (links - 1)
        m += [0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 0, 0, 2]                      // → @12 CNAME IN RDLENGTH=2
        let cnameData = m.count
        m += [0xc0 | UInt8(last >> 8), UInt8(last & 0xff)]                 // → the chain's last pointer
        let ownerOffset = m.count
        m += [0xc0 | UInt8(cnameData >> 8), UInt8(cnameData & 0xff), 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1]
        return (m, cnameData, ownerOffset)
    }

    /// An owner name that only points at a name already checked is not walked again, but it is one
    /// pointer more than that name: at the limit, it is refused as a walk refuses it.
    @Test func anOwnerPointingAtACheckedNameCountsItsOwnPointer() throws {
        for (hops, valid) in [(DNSName.maxPointerHops - 1, true), (DNSName.maxPointerHops, false)] {
            let (bytes, cnameData, ownerOffset) = Self.pointerChainResponse(targetHops: hops)
            try F.withView(bytes) { view in
                // The walk's own verdicts, the truth the iterator must agree with.
                #expect((try? DNSName.skip(in: view, at: cnameData)) == cnameData + 2)
                let ownerWalk = Result { () throws(DNSIssue) in try DNSName.skip(in: view, at: ownerOffset) }
                let m = try DNSMessage(view)
                var records = m.records()
                #expect(try records.next()?.type == 0xff00)
                #expect(try records.next()?.type == DNSRecordType.cname)
                if valid {
                    #expect(try ownerWalk.get() == ownerOffset + 2)
                    let a = try #require(try records.next())
                    #expect(a.ipv4 == IPAddress("192.0.2.1") && a.nameOffset == ownerOffset)
                    var owner = DNSNameBuffer()
                    try m.decodeName(at: a.nameOffset, into: &owner)
                    #expect(owner.string == "example.com")
                } else {
                    guard case .failure(let refused) = ownerWalk else {
                        Issue.record("a walk of \(hops + 1) pointers was accepted")
                        return
                    }
                    #expect(refused.what == .tooManyPointers)
                    #expect(throws: refused) { try records.next() }
                }
            }
        }
    }

    /// Damaged messages read both ways agree: the first question's name decoded as the message is
    /// checked is the one decoded after it, the two constructors fail alike, and every record the
    /// iterator hands out has an owner name a walk accepts and ends where the record's fields start.
    @Test func namesCheckedOnceAgreeWithWalkingThem() {
        var rng = AppWireRNG(seed: 0xD45_0002)
        var records = 0, decoded = 0
        for round in 0..<6000 {
            var bytes = [Self.cnameChain, Self.aResponse, Self.httpsResponse, Self.pointerChainResponse(targetHops: 20).bytes][round % 4]
            for _ in 0..<(Int(rng.next() % 4)) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            F.withView(bytes) { view in
                var name = DNSNameBuffer()
                let plain = Result { () throws(DNSIssue) in try DNSMessage(view) }
                let decoding = Result { () throws(DNSIssue) in try DNSMessage(view, firstQuestionName: &name) }
                switch (plain, decoding) {
                case (.failure(let a), .failure(let b)):
                    #expect(a == b)
                case (.success(let m), .success):
                    if let q = m.firstQuestion {
                        var again = DNSNameBuffer()
                        #expect((try? m.decodeName(at: q.nameOffset, into: &again)) != nil)
                        #expect(again.string == name.string && again.labelCount == name.labelCount)
                        decoded += 1
                    } else {
                        #expect(name.count == 0)
                    }
                    var iterator = m.records()
                    while let r = try? iterator.next() {
                        records += 1
                        #expect((try? DNSName.skip(in: view, at: r.nameOffset)) == r.dataOffset - 10)
                    }
                default:
                    Issue.record("round \(round): one constructor failed, the other did not")
                }
            }
        }
        #expect(decoded > 1000)
        #expect(records > 3000)
    }
}
