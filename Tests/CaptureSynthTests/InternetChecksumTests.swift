import Testing
@testable import CaptureSynth

@Suite struct InternetChecksumTests {
    /// The IPv4 header example used on Wikipedia's "Internet checksum" page: checksum b861.
    @Test func ipv4HeaderExample() throws {
        var f = IPv4Fields(source: 0xc0a8_0001, destination: 0xc0a8_00c7, protocolNumber: IPProtocolNumber.udp)
        f.ttl = 64
        f.identification = 0
        f.dontFragment = true
        let packet = IPv4Packet.build(f, payload: [UInt8](repeating: 0, count: 0x73 - 20))
        #expect(Array(packet[0..<20]) == [
            0x45, 0x00, 0x00, 0x73,  // version 4, IHL 5, TOS 0, total length 115
            0x00, 0x00, 0x40, 0x00,  // id 0, DF
            0x40, 0x11, 0xb8, 0x61,  // TTL 64, UDP, checksum b861
            0xc0, 0xa8, 0x00, 0x01,  // 192.168.0.1
            0xc0, 0xa8, 0x00, 0xc7,  // 192.168.0.199
        ])
    }

    /// Hand-computed: pseudo-header 0a00+0001+0a00+0002+0011+0008, header 0001+0002+0008 → sum 1427, complement ebd8.
    @Test func udpChecksumOfAnEmptyDatagram() throws {
        let a = try #require(HostAddress("10.0.0.1")), b = try #require(HostAddress("10.0.0.2"))
        #expect(UDPDatagram.build(sourcePort: 1, destinationPort: 2, payload: [], source: a, destination: b) ==
                [0x00, 0x01, 0x00, 0x02, 0x00, 0x08, 0xeb, 0xd8])
    }

    @Test func oddLengthPadsWithZeroAndSplitsAnywhere() {
        var split = InternetChecksum()
        split.add([0x01])
        split.add([0x02, 0x03])
        // 0x0102 + 0x0300 = 0x0402 → ~ = 0xfbfd
        #expect(split.value == 0xfbfd)
        #expect(InternetChecksum.of([0x01, 0x02, 0x03]) == 0xfbfd)
    }
}
