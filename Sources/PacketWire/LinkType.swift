/// A capture's link-layer header type: the pcap LINKTYPE_/DLT_ value that says
/// how the first bytes of every frame are laid out
/// (https://www.tcpdump.org/linktypes.html).
///
/// `LinkType.known` is the one list of link types egress-audit names, with
/// whether it decodes them: capture summaries, errors, counters and the
/// decoder all read it. A file of a link type not decoded is still read: its
/// packets are counted as not decoded (unsupported link type N, name).
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32

    @inlinable
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    // The link types by name are computed, not stored: a stored one is reached from other modules
    // through an accessor call with a once-check, and the tracker asks for one per packet
    // (`.nflog`: five instructions and a call a packet).

    /// BSD loopback: 4-byte address family in the writer's host byte order.
    @inlinable public static var null: LinkType { LinkType(rawValue: 0) }
    /// Ethernet II / 802.3.
    @inlinable public static var ethernet: LinkType { LinkType(rawValue: 1) }
    /// PPP (RFC 1661), with or without the HDLC address and control bytes.
    @inlinable public static var ppp: LinkType { LinkType(rawValue: 9) }
    /// Raw IP, DLT value on most systems.
    @inlinable public static var raw: LinkType { LinkType(rawValue: 12) }
    /// Raw IP, DLT value on OpenBSD.
    @inlinable public static var rawOpenBSD: LinkType { LinkType(rawValue: 14) }
    /// PPP in HDLC-like framing (RFC 1662), or Cisco HDLC on the same serial line.
    @inlinable public static var pppSerial: LinkType { LinkType(rawValue: 50) }
    /// PPPoE session frames without their Ethernet header (BSD's pppoe device).
    @inlinable public static var pppEther: LinkType { LinkType(rawValue: 51) }
    /// Raw IP, the LINKTYPE value written into pcap files.
    @inlinable public static var rawLinkType: LinkType { LinkType(rawValue: 101) }
    /// Cisco HDLC: address, control, then an ethertype.
    @inlinable public static var ciscoHDLC: LinkType { LinkType(rawValue: 104) }
    /// OpenBSD loopback: 4-byte address family in network byte order.
    @inlinable public static var loop: LinkType { LinkType(rawValue: 108) }
    /// Linux "cooked" capture v1 (`any` device, 16-byte header).
    @inlinable public static var linuxSLL: LinkType { LinkType(rawValue: 113) }
    /// pf's log device (pflog0 on OpenBSD, FreeBSD, pfSense, OPNsense): a pfloghdr, then the IP packet.
    @inlinable public static var pflog: LinkType { LinkType(rawValue: 117) }
    /// Raw IPv4 only.
    @inlinable public static var ipv4: LinkType { LinkType(rawValue: 228) }
    /// Raw IPv6 only.
    @inlinable public static var ipv6: LinkType { LinkType(rawValue: 229) }
    /// Linux netfilter NFLOG messages (`nflog:N`, an nftables/iptables `log group N`): TLVs around the IP packet.
    @inlinable public static var nflog: LinkType { LinkType(rawValue: 239) }
    /// Linux "cooked" capture v2 (20-byte header with interface index).
    @inlinable public static var linuxSLL2: LinkType { LinkType(rawValue: 276) }

    /// One link type egress-audit knows by name.
    public struct Entry: Sendable {
        public let rawValue: Int32
        /// libpcap's name (`pcap_datalink_val_to_name`).
        public let name: String
        public let description: String
        /// Whether the decoder reads its frames down to IP.
        public let decoded: Bool
    }

    /// Every link type egress-audit names: the ones it decodes, and the ones
    /// libpcap-based tools commonly write that it does not (counted, named,
    /// never fatal). Names are libpcap's.
    public static let known: [Entry] = [
        Entry(rawValue: 0, name: "NULL", description: "BSD loopback", decoded: true),
        Entry(rawValue: 1, name: "EN10MB", description: "Ethernet", decoded: true),
        Entry(rawValue: 6, name: "IEEE802", description: "Token ring", decoded: false),
        Entry(rawValue: 8, name: "SLIP", description: "SLIP", decoded: false),
        Entry(rawValue: 9, name: "PPP", description: "PPP", decoded: true),
        Entry(rawValue: 10, name: "FDDI", description: "FDDI", decoded: false),
        Entry(rawValue: 12, name: "RAW", description: "Raw IP", decoded: true),
        Entry(rawValue: 14, name: "RAW", description: "Raw IP (OpenBSD)", decoded: true),
        Entry(rawValue: 50, name: "PPP_SERIAL", description: "PPP over serial", decoded: true),
        Entry(rawValue: 51, name: "PPP_ETHER", description: "PPPoE", decoded: true),
        Entry(rawValue: 101, name: "RAW", description: "Raw IP", decoded: true),
        Entry(rawValue: 104, name: "C_HDLC", description: "Cisco HDLC", decoded: true),
        Entry(rawValue: 105, name: "IEEE802_11", description: "802.11", decoded: false),
        Entry(rawValue: 107, name: "FRELAY", description: "Frame Relay", decoded: false),
        Entry(rawValue: 108, name: "LOOP", description: "OpenBSD loopback", decoded: true),
        Entry(rawValue: 113, name: "LINUX_SLL", description: "Linux cooked v1", decoded: true),
        Entry(rawValue: 117, name: "PFLOG", description: "OpenBSD pflog file", decoded: true),
        Entry(rawValue: 119, name: "PRISM_HEADER", description: "802.11 plus Prism header", decoded: false),
        Entry(rawValue: 127, name: "IEEE802_11_RADIO", description: "802.11 plus radiotap header", decoded: false),
        Entry(rawValue: 143, name: "DOCSIS", description: "DOCSIS", decoded: false),
        Entry(rawValue: 192, name: "PPI", description: "Per-Packet Information", decoded: false),
        Entry(rawValue: 197, name: "ERF", description: "Endace ERF header", decoded: false),
        Entry(rawValue: 220, name: "USB_LINUX_MMAPPED", description: "USB with padded Linux header", decoded: false),
        Entry(rawValue: 226, name: "IPNET", description: "Solaris ipnet", decoded: false),
        Entry(rawValue: 228, name: "IPV4", description: "Raw IPv4", decoded: true),
        Entry(rawValue: 229, name: "IPV6", description: "Raw IPv6", decoded: true),
        Entry(rawValue: 231, name: "DBUS", description: "D-Bus", decoded: false),
        Entry(rawValue: 239, name: "NFLOG", description: "Linux netfilter log messages", decoded: true),
        Entry(rawValue: 249, name: "USBPCAP", description: "USB with USBPcap header", decoded: false),
        Entry(rawValue: 253, name: "NETLINK", description: "Linux netlink", decoded: false),
        Entry(rawValue: 274, name: "ETHERNET_MPACKET", description: "802.3br mPackets", decoded: false),
        Entry(rawValue: 276, name: "LINUX_SLL2", description: "Linux cooked v2", decoded: true),
    ]

    /// `known`'s index + 1 by raw value (0: not in the list), for a lookup per packet.
    @usableFromInline static let slotByValue: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        for (i, e) in known.enumerated() { table[Int(e.rawValue)] = UInt8(i + 1) }
        return table
    }()

    /// Position in `known` + 1, or 0 for a value not in the list.
    @inlinable
    public var knownSlot: Int {
        let v = Int(rawValue)
        return v >= 0 && v < Self.slotByValue.count ? Int(Self.slotByValue[v]) : 0
    }

    public var entry: Entry? {
        let slot = knownSlot
        return slot == 0 ? nil : Self.known[slot - 1]
    }

    /// libpcap's name (`pcap_datalink_val_to_name`), or `DLT_<n>` for a value not in the list.
    public var name: String { entry?.name ?? "DLT_\(rawValue)" }

    /// True when the decoder reads this link layer down to IP.
    public var isSupported: Bool { entry?.decoded ?? false }

    /// "EN10MB(1), …" for messages: the link types decoded.
    public static var decodedList: String {
        known.filter(\.decoded).map { "\($0.name)(\($0.rawValue))" }.joined(separator: ", ")
    }
}

extension LinkType: CustomStringConvertible {
    public var description: String { name }
}
