import Testing
import PacketWire
@testable import CaptureSynth

@Suite struct TLSClientHelloTests {
    /// Walks the extensions with PacketWire's reader (an implementation that is not this module's).
    func extensions(of hello: [UInt8]) -> [(UInt16, [UInt8])]? {
        hello.withUnsafeBytes { raw -> [(UInt16, [UInt8])]? in
            var r = ByteReader(ByteView(raw))
            guard r.readU8() == 1, let length = r.readU24(), Int(length) == hello.count - 4 else { return nil }
            guard r.readU16() == 0x0303, r.skip(32) else { return nil }
            guard let sid = r.readU8(), r.skip(Int(sid)), let suites = r.readU16(), r.skip(Int(suites)),
                  let comp = r.readU8(), r.skip(Int(comp)), let extLength = r.readU16() else { return nil }
            guard r.offset + Int(extLength) == hello.count else { return nil }
            var out: [(UInt16, [UInt8])] = []
            while r.offset < hello.count {
                guard let type = r.readU16(), let n = r.readU16(), let data = r.readBytes(Int(n)) else { return nil }
                out.append((type, data.copyBytes()))
            }
            return out
        }
    }

    @Test func helloCarriesSNIAndALPNAndPadsTo512() throws {
        var rng = SeededGenerator(seed: 3)
        let hello = TLSClientHello.handshakeMessage(ClientHelloSpec(serverName: "mcr.microsoft.com", alpn: ["h2", "http/1.1"]), rng: &rng)
        #expect(hello.count == 512)
        let ext = try #require(extensions(of: hello))
        let sni = try #require(ext.first { $0.0 == 0 }?.1)
        #expect(sni == [0x00, 0x14, 0x00, 0x00, 0x11] + Array("mcr.microsoft.com".utf8))
        let alpn = try #require(ext.first { $0.0 == 16 }?.1)
        #expect(alpn == [0x00, 0x0c, 0x02, 0x68, 0x32, 0x08] + Array("http/1.1".utf8))
        #expect(ext.contains { $0.0 == 43 })
        #expect(ext.last?.0 == 21)
    }

    @Test func echAndPostQuantumKeyShareSizes() throws {
        var rng = SeededGenerator(seed: 4)
        let hello = TLSClientHello.handshakeMessage(ClientHelloSpec(serverName: "cloudflare-ech.com", encryptedClientHello: true,
                                                                    keyShares: [.x25519MLKEM768, .x25519]), rng: &rng)
        let ext = try #require(extensions(of: hello))
        let keyShare = try #require(ext.first { $0.0 == 51 }?.1)
        #expect(keyShare.count == 2 + (4 + 1216) + (4 + 32))
        let ech = try #require(ext.first { $0.0 == 0xfe0d }?.1)
        #expect(ech[0] == 0)  // outer
        #expect(hello.count > 1500)
    }

    @Test func recordsSplitAtTheRequestedSizes() throws {
        let handshake = [UInt8](repeating: 0xab, count: 10)
        let records = TLSClientHello.records(handshake, fragmentSizes: [3, 4])
        #expect(records == [22, 3, 1, 0, 3, 0xab, 0xab, 0xab,
                            22, 3, 1, 0, 4, 0xab, 0xab, 0xab, 0xab,
                            22, 3, 1, 0, 3, 0xab, 0xab, 0xab])
    }
}
