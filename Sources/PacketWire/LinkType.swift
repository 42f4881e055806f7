/// A capture's link-layer header type: the pcap LINKTYPE_/DLT_ value that says
/// how the first bytes of every frame are laid out
/// (https://www.tcpdump.org/linktypes.html).
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32

    @inlinable
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// BSD loopback: 4-byte address family in the writer's host byte order.
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II / 802.3.
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP, DLT value on most systems.
    public static let raw = LinkType(rawValue: 12)
    /// Raw IP, DLT value on OpenBSD.
    public static let rawOpenBSD = LinkType(rawValue: 14)
    /// Raw IP, the LINKTYPE value written into pcap files.
    public static let rawLinkType = LinkType(rawValue: 101)
    /// OpenBSD loopback: 4-byte address family in network byte order.
    public static let loop = LinkType(rawValue: 108)
    /// Linux "cooked" capture v1 (`any` device, 16-byte header).
    public static let linuxSLL = LinkType(rawValue: 113)
    /// Raw IPv4 only.
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 only.
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux netfilter NFLOG messages (recognised, not decoded).
    public static let nflog = LinkType(rawValue: 239)
    /// Linux "cooked" capture v2 (20-byte header with interface index).
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// The libpcap name (`pcap_datalink_val_to_name`), or `DLT_<n>` when unknown.
    public var name: String {
        switch rawValue {
        case 0: "NULL"
        case 1: "EN10MB"
        case 12, 14, 101: "RAW"
        case 108: "LOOP"
        case 113: "LINUX_SLL"
        case 228: "IPV4"
        case 229: "IPV6"
        case 239: "NFLOG"
        case 276: "LINUX_SLL2"
        default: "DLT_\(rawValue)"
        }
    }

    /// True when the decoder knows how to read this link layer.
    public var isSupported: Bool {
        switch rawValue {
        case 0, 1, 12, 14, 101, 108, 113, 228, 229, 276: true
        default: false
        }
    }
}

extension LinkType: CustomStringConvertible {
    public var description: String { name }
}
