import Foundation
import TestSupport
import Testing
import PacketWire
@testable import FlowEngine

/// QUIC Initial decryption against real captures: every client Initial is
/// opened with keys from its own DCID, CRYPTO data is reassembled per UDP
/// flow, and the ClientHello's SNI must equal the manifest's `quic_sni`
/// (tshark decrypts Initials itself). Skipped without the captures or tshark.
@Suite(.requires(.shared, .tshark))
struct QUICCaptureAgreementTests {
    /// The SNIs this pipeline finds in `file`, with the decryptor's counters.
    static func serverNames(in file: String) throws -> (names: Set<String>, counters: QUICDecryptCounters) {
        var assemblers: [String: CryptoStreamAssembler] = [:]
        var firstKeys: [String: QUICInitialKeys] = [:]
        var names = Set<String>()
        var decryptor = QUICInitialDecryptor()
        let rows = try RealCaptures.fields(
            file, filter: "udp && !icmp && !icmpv6",
            ["ip.src", "ipv6.src", "udp.srcport", "ip.dst", "ipv6.dst", "udp.dstport", "udp.payload"])
        for row in rows where row.count == 7 && !row[6].isEmpty {
            let flow = row[0...5].joined(separator: " ")
            let datagram = QUICTestVectors.bytes(row[6])
            datagram.withUnsafeBytes { raw in
                let view = ByteView(raw)
                var packets = QUICPacketIterator(view)
                while let header = packets.next() {
                    guard header.type == .initial else { continue }
                    // RFC 9001 §5.2: Initial keys come from the DCID of the client's *first*
                    // Initial; later Initials may carry another DCID (ndpi-quic_frags_different_dcid).
                    var opened: QUICOpenedPacket? = nil
                    if let first = firstKeys[flow], first.version == header.version {
                        opened = try? QUICInitialDecryptor.openPacket(header, in: view, keys: first)
                    }
                    if opened == nil,
                       let keys = QUICInitialKeys(version: header.version, destinationConnectionID: header.destinationConnectionID) {
                        opened = decryptor.open(header, in: view, keys: keys)
                        if opened != nil, firstKeys[flow] == nil { firstKeys[flow] = keys }
                    }
                    guard let opened else { continue }
                    var assembler = assemblers[flow] ?? CryptoStreamAssembler()
                    _ = opened.payload.withUnsafeBytes { try? assembler.absorb(payload: ByteView($0)) }
                    assembler.withContiguousBytes { stream in
                        if case .complete(let hello) = TLSClientHello.parse(handshake: stream), let sni = hello.serverNameString {
                            names.insert(sni)
                        }
                    }
                    assemblers[flow] = assembler
                }
            }
        }
        return (names, decryptor.counters)
    }

    @Test func quicSNIAgreesWithTshark() throws {
        var files = 0
        var totals = QUICDecryptCounters()
        for capture in try RealCaptures.manifest() {
            let expected = Set(capture["quic_sni"] as? [String] ?? [])
            guard !expected.isEmpty, let file = capture["file"] as? String else { continue }
            let (found, counters) = try Self.serverNames(in: file)
            #expect(found == expected, "\(file): found \(found.sorted()) expected \(expected.sorted())")
            print("quic agreement: \(file): \(found.count)/\(expected.count) SNIs, opened \(counters.opened), failed \(counters.failures)")
            totals.opened += counters.opened
            totals.authenticationFailed += counters.authenticationFailed
            files += 1
        }
        #expect(files >= 5)
        #expect(totals.opened > 10)
    }
}
