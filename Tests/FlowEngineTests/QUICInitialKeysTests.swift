import Testing
import PacketWire
@testable import FlowEngine

@Suite struct QUICInitialKeysTests {
    typealias V = QUICTestVectors

    // RFC 9001 A.1: client key/iv/hp and server key/iv/hp for DCID 0x8394c8f03e515708.
    @Test func rfc9001KeysA1() throws {
        let client = try #require(QUICInitialKeys(version: QUICVersion.v1, destinationConnectionID: V.dcid, perspective: .client))
        #expect(client.keyBytes == V.bytes("1f369613dd76d5467730efcbe3b1a22d"))
        #expect(client.iv == V.bytes("fa044b2f42a3fd3b46fb255c"))
        #expect(client.headerProtectionKeyBytes == V.bytes("9f50449e04a0e810283a1e9933adedd2"))
        let server = try #require(QUICInitialKeys(version: QUICVersion.v1, destinationConnectionID: V.dcid, perspective: .server))
        #expect(server.keyBytes == V.bytes("cf3a5331653c364c88f0f379b6067e37"))
        #expect(server.iv == V.bytes("0ac1493ca1905853b0bba03e"))
        #expect(server.headerProtectionKeyBytes == V.bytes("c206b8d9b9f0f37644430b490eeaa314"))
    }

    // RFC 9369 A.1: the same with the v2 salt and "quicv2" labels.
    @Test func rfc9369KeysA1() throws {
        let client = try #require(QUICInitialKeys(version: QUICVersion.v2, destinationConnectionID: V.dcid, perspective: .client))
        #expect(client.keyBytes == V.bytes("8b1a0bc121284290a29e0971b5cd045d"))
        #expect(client.iv == V.bytes("91f73e2351d8fa91660e909f"))
        #expect(client.headerProtectionKeyBytes == V.bytes("45b95e15235d6f45a6b19cbcb0294ba9"))
        let server = try #require(QUICInitialKeys(version: QUICVersion.v2, destinationConnectionID: V.dcid, perspective: .server))
        #expect(server.keyBytes == V.bytes("82db637861d55e1d011f19ea71d5d2a7"))
        #expect(server.iv == V.bytes("dd13c276499c0249d3310652"))
        #expect(server.headerProtectionKeyBytes == V.bytes("edf6d05c83121201b436e16877593c3a"))
    }

    // RFC 9001 A.5 secret expanded with the v1 labels (only the label encoding is exercised; the ChaCha path is not needed).
    @Test func expandLabelMatchesRFC9001A5() {
        let secret = V.bytes("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b")
        let iv = QUICInitialKeys.expandLabel(secret: secret, label: "quic iv", length: 12)
        #expect(iv == V.bytes("e0459b3474bdd0e44a41c144"))
        let v2iv = QUICInitialKeys.expandLabel(secret: secret, label: "quicv2 iv", length: 12)
        #expect(v2iv == V.bytes("a6b5bc6ab7dafce30ffff5dd"))
    }

    @Test func emptyConnectionIDStillDerives() throws {
        // A zero-length DCID is legal on the wire (RFC 9000 §17.2); derivation must not trap.
        let keys = try #require(QUICInitialKeys(version: QUICVersion.v1, destinationConnectionID: []))
        #expect(keys.keyBytes.count == 16 && keys.iv.count == 12 && keys.headerProtectionKeyBytes.count == 16)
        #expect(keys.keyBytes != V.bytes("1f369613dd76d5467730efcbe3b1a22d"))
    }

    @Test func unknownVersionHasNoKeys() {
        #expect(QUICInitialKeys(version: 0x1A2A_3A4A, destinationConnectionID: V.dcid) == nil)
        #expect(QUICInitialKeys(version: 0, destinationConnectionID: V.dcid) == nil)
    }
}
