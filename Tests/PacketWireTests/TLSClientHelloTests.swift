import Testing
@testable import PacketWire

@Suite struct TLSClientHelloTests {
    typealias F = AppWireFixtures

    /// A TLS 1.3 ClientHello handshake message (RFC 8446 §4.1.2), 144 bytes.
    static let handshake = F.bytes("""
        01 00 00 8c                                   // ClientHello, length 140
        03 03                                         // legacy_version TLS 1.2
        000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f  // random
        20 e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff  // legacy_session_id (32)
        00 04 1301 1302                               // cipher_suites: AES_128_GCM, AES_256_GCM
        01 00                                         // compression: null
        00 3f                                         // extensions: 63 bytes
        0000 0010 000e 00 000b 6578616d706c652e636f6d  // server_name: host_name "example.com"
        0010 000e 000c 02 6832 08 687474702f312e31    // ALPN: "h2" "http/1.1"
        002b 0007 06 3a3a 0304 0303                   // supported_versions: GREASE, TLS 1.3, TLS 1.2
        fe0d 000a 00 0001 0001 05 0000 0000           // encrypted_client_hello: outer, HKDF-SHA256/AES-128-GCM, config 5
        """)

    static let record = F.bytes("16 03 01 00 90") + handshake  // handshake record, legacy version 3.1, length 144

    @Test func singleRecord() throws {
        #expect(Self.handshake.count == 144)
        var scratch = [UInt8](repeating: 0, count: 4096)
        try F.withView(Self.record) { stream in
            try scratch.withUnsafeMutableBytes { buffer in
                guard case .complete(let hello) = TLSClientHello.parse(records: stream, scratch: buffer) else {
                    Issue.record("expected a complete ClientHello")
                    return
                }
                #expect(hello.message.count == 144)
                #expect(hello.legacyVersion == 0x0303)
                #expect(hello.random.count == 32 && hello.random.u8(at: 31) == 0x1F)
                #expect(hello.sessionID.count == 32 && hello.sessionID.u8(at: 0) == 0xE0)
                #expect(hello.cipherSuites.copyBytes() == [0x13, 0x01, 0x13, 0x02])
                #expect(hello.compressionMethods.copyBytes() == [0])
                #expect(hello.extensionCount == 4)
                #expect(hello.serverNameString == "example.com")
                #expect(hello.alpnProtocols.strings == ["h2", "http/1.1"])
                #expect(Array(hello.versions) == [0x3A3A, 0x0304, 0x0303])
                #expect(hello.highestVersion == 0x0304)
                #expect(hello.hasECH && hello.echType == 0)
                // In place: the SNI view points into the packet, not the scratch buffer.
                let sni = try #require(hello.serverName)
                #expect(sni.offset(in: stream) == 5 + 4 + 2 + 32 + 33 + 6 + 2 + 2 + 9)
            }
        }
    }

    @Test func spreadOverTwoRecords() throws {
        let stream = F.bytes("16 03 01 00 3c") + Self.handshake[0..<60] + F.bytes("16 03 01 00 54") + Self.handshake[60...]
        var scratch = [UInt8](repeating: 0, count: 4096)
        F.withView(stream) { view in
            scratch.withUnsafeMutableBytes { buffer in
                guard case .complete(let hello) = TLSClientHello.parse(records: view, scratch: buffer) else {
                    Issue.record("expected a complete ClientHello across two records")
                    return
                }
                #expect(hello.serverNameString == "example.com")
                #expect(hello.alpnProtocols.strings == ["h2", "http/1.1"])
                #expect(hello.hasECH)
            }
        }
        // Cut inside the second record: 10 of its 84 bytes are here, 74 to go.
        F.withView(Array(stream.prefix(5 + 60 + 5 + 10))) { view in
            scratch.withUnsafeMutableBytes { buffer in
                guard case .needMoreBytes(let total) = TLSClientHello.parse(records: view, scratch: buffer) else {
                    Issue.record("expected needMoreBytes")
                    return
                }
                #expect(total == 154)  // 2 headers + 144
            }
        }
    }

    @Test func truncatedSingleRecordNeedsTheDeclaredTotal() {
        var scratch = [UInt8](repeating: 0, count: 4096)
        for cut in [1, 4, 7, 100, 148] {
            F.withView(Array(Self.record.prefix(cut))) { view in
                scratch.withUnsafeMutableBytes { buffer in
                    guard case .needMoreBytes(let total) = TLSClientHello.parse(records: view, scratch: buffer) else {
                        Issue.record("cut \(cut): expected needMoreBytes")
                        return
                    }
                    #expect(total == (cut < 9 ? 9 : 149), "cut \(cut)")
                }
            }
        }
        F.withView(Array(Self.handshake.prefix(50))) { view in
            guard case .needMoreBytes(let total) = TLSClientHello.parse(handshake: view) else {
                Issue.record("expected needMoreBytes")
                return
            }
            #expect(total == 144)
        }
    }

    @Test func sixteenMegabyteClaimIsTooLarge() {
        var scratch = [UInt8](repeating: 0, count: 65_536)
        F.withView(F.bytes("16 03 01 00 04  01 ff ff ff")) { view in
            scratch.withUnsafeMutableBytes { buffer in
                guard case .tooLarge(let claimed) = TLSClientHello.parse(records: view, scratch: buffer) else {
                    Issue.record("expected tooLarge")
                    return
                }
                #expect(claimed == 0xFF_FFFF + 4)
            }
        }
        F.withView(F.bytes("01 ff ff ff 03 03")) { view in
            guard case .tooLarge = TLSClientHello.parse(handshake: view) else {
                Issue.record("expected tooLarge")
                return
            }
        }
    }

    @Test(arguments: [
        "474554202f20485454502f312e310d0a",  // "GET / HTTP/1.1\r\n"
        "16 03 03 00 04 02 00 00 00",         // ServerHello
        "17 03 03 00 02 ab cd",               // application data
        "16 05 01 00 04 01 00 00 00",         // version major 5
        "53 53 48 2d",                        // "SSH-"
    ])
    func notClientHello(hex: String) {
        var scratch = [UInt8](repeating: 0, count: 1024)
        F.withView(F.bytes(hex)) { view in
            scratch.withUnsafeMutableBytes { buffer in
                guard case .notClientHello = TLSClientHello.parse(records: view, scratch: buffer) else {
                    Issue.record("\(hex) should be notClientHello")
                    return
                }
            }
        }
    }

    @Test func malformedServerName() {
        var bytes = Self.handshake
        // server_name (@81: type, @83: length 16) list length (@85) claims 15 of the 14 bytes after it.
        #expect(bytes[85] == 0x00 && bytes[86] == 0x0E)
        bytes[86] = 0x0F
        F.withView(bytes) { view in
            guard case .malformed(let issue) = TLSClientHello.parse(handshake: view) else {
                Issue.record("expected malformed")
                return
            }
            #expect(issue.what == .badExtension && issue.offset == 85)
        }
    }

    @Test func extensionsRunningPastTheMessage() {
        var bytes = Self.handshake
        #expect(bytes[79] == 0x00 && bytes[80] == 0x3F)
        bytes[80] = 0x40  // extensions length (@79) 0x3f → 0x40: one byte more than the message holds
        F.withView(bytes) { view in
            guard case .malformed(let issue) = TLSClientHello.parse(handshake: view) else {
                Issue.record("expected malformed")
                return
            }
            #expect(issue.what == .truncated)
        }
    }

    @Test func helloWithoutExtensionsUsesLegacyVersion() {
        // TLS 1.0 era: no extensions block at all.
        let bytes = F.bytes("""
            01 00 00 29  0301                             // ClientHello, 41 bytes, TLS 1.0
            0000000000000000000000000000000000000000000000000000000000000000  // random
            00  0002 002f  01 00                          // no session, TLS_RSA_WITH_AES_128_CBC_SHA, null
            """)
        F.withView(bytes) { view in
            guard case .complete(let hello) = TLSClientHello.parse(handshake: view) else {
                Issue.record("expected complete")
                return
            }
            #expect(hello.extensionCount == 0 && hello.serverName == nil && hello.highestVersion == 0x0301)
        }
    }

    @Test func greaseDetection() {
        #expect(TLSClientHello.isGREASE(0x0A0A) && TLSClientHello.isGREASE(0xFAFA))
        #expect(!TLSClientHello.isGREASE(0x0A1A) && !TLSClientHello.isGREASE(0x0304))
    }

    @Test func gatherStopsAtOtherContentTypeAndBufferEnd() {
        let stream = F.bytes("16 03 01 00 03 010203  14 03 03 00 01 01")  // handshake(3) then ChangeCipherSpec
        var small = [UInt8](repeating: 0, count: 2)
        var big = [UInt8](repeating: 0, count: 64)
        F.withView(stream) { view in
            let r = big.withUnsafeMutableBytes { TLSHandshakeGatherer.gather(stream: view, into: $0) }
            #expect(r == TLSGatherResult(copied: 3, records: 1, stop: .otherContentType(20)))
            let s = small.withUnsafeMutableBytes { TLSHandshakeGatherer.gather(stream: view, into: $0) }
            #expect(s == TLSGatherResult(copied: 2, records: 1, stop: .bufferFull))
        }
        #expect(big[0..<3] == [1, 2, 3])
        F.withView(F.bytes("16 03 01 41 01")) { view in  // 16641 > 2^14 + 256
            let r = big.withUnsafeMutableBytes { TLSHandshakeGatherer.gather(stream: view, into: $0) }
            #expect(r.stop == .malformed(TLSIssue(.recordTooLong, at: 0, needed: 16_640, had: 16_641)))
        }
    }

    @Test func randomBytesNeverTrap() {
        var rng = AppWireRNG(seed: 0x7153_0001)
        var scratch = [UInt8](repeating: 0, count: 4096)
        var complete = 0
        for round in 0..<5000 {
            var bytes = rng.bytes(maxCount: 400)
            if round % 2 == 0 {
                bytes = Self.record
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            F.withView(bytes) { view in
                scratch.withUnsafeMutableBytes { buffer in
                    if case .complete(let hello) = TLSClientHello.parse(records: view, scratch: buffer) {
                        complete += 1
                        _ = hello.alpnProtocols.strings
                        _ = hello.highestVersion
                    }
                }
                _ = TLSClientHello.parse(handshake: view)
            }
        }
        #expect(complete > 100, "the fuzz reached extension parsing")
    }

    // MARK: The extension walk

    /// A ClientHello whose extensions block is `block` (its length field says `block.count`).
    static func hello(extensions block: [UInt8]) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 7, count: 32)  // legacy_version, random
        body += [0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]                   // no session ID, one suite, null compression
        body += [UInt8(block.count >> 8), UInt8(block.count & 0xff)] + block
        return [0x01, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xff), UInt8(body.count & 0xff)] + body
    }

    /// Where the extensions block starts in `hello(extensions:)`'s message.
    static let extensionsStart = 4 + 2 + 32 + 1 + 4 + 2 + 2

    /// RFC 8446 §4.2's `Extension extensions<8..2^16-1>`, walked from the rule: each extension is a
    /// type and a 16-bit length and fits in what is left, or the message is truncated there, with
    /// what was left before the read that failed (the type's, else the length-prefixed body's). Nil
    /// for a type whose body has rules of its own (server_name, ALPN, supported_versions, ECH).
    static func extensionCount(walking block: [UInt8]) -> Result<Int, TLSIssue>? {
        var offset = 0, count = 0
        while offset < block.count {
            let left = block.count - offset, at = extensionsStart + offset
            if left < 2 { return .failure(TLSIssue(.truncated, at: at, needed: 4, had: left)) }
            let type = Int(block[offset]) << 8 | Int(block[offset + 1])
            if [0x0000, 0x0010, 0x002b, 0xfe0d].contains(type) { return nil }
            if left < 4 { return .failure(TLSIssue(.truncated, at: at, needed: 4, had: left - 2)) }
            let length = Int(block[offset + 2]) << 8 | Int(block[offset + 3])
            if length > left - 4 { return .failure(TLSIssue(.truncated, at: at, needed: 4, had: left - 2)) }
            offset += 4 + length
            count += 1
        }
        return .success(count)
    }

    /// Blocks of random extensions, damaged and cut at random: the parser counts what the rule walk
    /// counts, and fails where and as it fails.
    @Test func extensionWalkAgreesWithTheRule() {
        var rng = AppWireRNG(seed: 0x7153_0002)
        var complete = 0, truncated = 0
        for _ in 0..<6000 {
            var block: [UInt8] = []
            for _ in 0..<(Int(rng.next() % 20)) {
                let length = Int(rng.next() % 12)
                block += [0x12, UInt8(truncatingIfNeeded: rng.next() | 1), UInt8(length >> 8), UInt8(length)]
                block += (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            if !block.isEmpty {
                for _ in 0..<(Int(rng.next() % 3)) { block[Int(rng.next() % UInt64(block.count))] = UInt8(truncatingIfNeeded: rng.next()) }
                if rng.next() % 2 == 0 { block = Array(block.prefix(Int(rng.next() % UInt64(block.count + 1)))) }
            }
            guard let expected = Self.extensionCount(walking: block) else { continue }
            F.withView(Self.hello(extensions: block)) { view in
                switch (TLSClientHello.parse(handshake: view), expected) {
                case (.complete(let hello), .success(let count)):
                    #expect(hello.extensionCount == count)
                    complete += 1
                case (.malformed(let issue), .failure(let walked)):
                    #expect(issue == walked)
                    truncated += 1
                case (let parsed, let walked):
                    Issue.record("parsed \(parsed), the rule walk says \(walked)")
                }
            }
        }
        #expect(complete > 1000)
        #expect(truncated > 1000)
    }
}
