import Testing
@testable import PacketWire

@Suite struct LinkTypeTests {
    // Names as libpcap's pcap_datalink_val_to_name prints them (PacketCaptureTests checks the
    // whole list against libpcap itself).
    @Test(arguments: [
        (Int32(0), "NULL"), (1, "EN10MB"), (9, "PPP"), (12, "RAW"), (14, "RAW"), (50, "PPP_SERIAL"), (101, "RAW"),
        (104, "C_HDLC"), (108, "LOOP"), (113, "LINUX_SLL"), (117, "PFLOG"), (228, "IPV4"), (229, "IPV6"),
        (239, "NFLOG"), (276, "LINUX_SLL2"), (105, "IEEE802_11"), (147, "DLT_147"),
    ])
    func names(raw: Int32, name: String) {
        #expect(LinkType(rawValue: raw).name == name)
    }

    @Test func decodedSet() {
        for t in [LinkType.ethernet, .linuxSLL2, .null, .nflog, .ppp, .pppSerial, .pppEther, .ciscoHDLC, .pflog] {
            #expect(t.isSupported, "\(t)")
        }
        #expect(!LinkType(rawValue: 147).isSupported && !LinkType(rawValue: 105).isSupported && !LinkType(rawValue: -1).isSupported)
        #expect(LinkType.decodedList.contains("NFLOG(239)") && !LinkType.decodedList.contains("IEEE802_11"))
    }

    @Test func linkTypesNotDecodedAreSaidSo() {
        let bytes: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x45, 0x00]
        #expect(decode(bytes, LinkType(rawValue: 147)).packet.status == .notDecoded(.unsupportedLinkType))
        #expect(decode(bytes, LinkType(rawValue: 105)).packet.status == .notDecoded(.unsupportedLinkType))
        #expect(decode([], LinkType(rawValue: 147)).packet.status == .notDecoded(.unsupportedLinkType))
    }
}
