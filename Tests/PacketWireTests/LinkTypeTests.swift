import Testing
@testable import PacketWire

@Suite struct LinkTypeTests {
    // Names as libpcap's pcap_datalink_val_to_name prints them.
    @Test(arguments: [
        (Int32(0), "NULL"), (1, "EN10MB"), (12, "RAW"), (14, "RAW"), (101, "RAW"), (108, "LOOP"),
        (113, "LINUX_SLL"), (228, "IPV4"), (229, "IPV6"), (239, "NFLOG"), (276, "LINUX_SLL2"), (147, "DLT_147"),
    ])
    func names(raw: Int32, name: String) {
        #expect(LinkType(rawValue: raw).name == name)
    }

    @Test func supportedSet() {
        #expect(LinkType.ethernet.isSupported && LinkType.linuxSLL2.isSupported && LinkType.null.isSupported)
        #expect(!LinkType.nflog.isSupported && !LinkType(rawValue: 147).isSupported)
    }

    @Test func nflogAndUnknownLinkTypesAreNotDecoded() {
        let bytes: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x45, 0x00]
        #expect(decode(bytes, .nflog).packet.status == .notDecoded(.unsupportedLinkType))
        #expect(decode(bytes, LinkType(rawValue: 147)).packet.status == .notDecoded(.unsupportedLinkType))
        #expect(decode([], .nflog).packet.status == .notDecoded(.unsupportedLinkType))
    }
}
