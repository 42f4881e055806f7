/// Link-layer framing around an IP packet (or ARP), for each LinkType the writers support.
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let ipv6: UInt16 = 0x86DD
    public static let vlan: UInt16 = 0x8100
    public static let qinq: UInt16 = 0x88A8
}

/// One IEEE 802.1Q tag: PCP (3 bits), DEI (1 bit), VID (12 bits).
public struct VLANTag: Hashable, Sendable {
    public var identifier: UInt16
    public var priority: UInt8
    public var dropEligible: Bool
    public init(identifier: UInt16, priority: UInt8 = 0, dropEligible: Bool = false) {
        self.identifier = identifier; self.priority = priority; self.dropEligible = dropEligible
    }
    var tci: UInt16 { UInt16(priority & 7) << 13 | (dropEligible ? 0x1000 : 0) | (identifier & 0x0fff) }
}

/// Linux "cooked" packet types (sll_pkttype).
public enum SLLPacketType: UInt16, Sendable {
    case host = 0, broadcast = 1, multicast = 2, otherHost = 3, outgoing = 4
}

public enum LinkFrame {
    /// Ethernet II; with tags, the first is the outer one. Two or more tags form QinQ (802.1ad):
    /// the outer TPID is 0x88A8, inner ones 0x8100.
    public static func ethernet(destination: MACAddress, source: MACAddress, vlanTags: [VLANTag] = [],
                                etherType: UInt16, payload: [UInt8]) -> [UInt8] {
        var f: [UInt8] = []
        f.reserveCapacity(14 + 4 * vlanTags.count + payload.count)
        f.append(contentsOf: destination.bytes)
        f.append(contentsOf: source.bytes)
        for (i, tag) in vlanTags.enumerated() {
            f.appendU16(vlanTags.count > 1 && i == 0 ? EtherType.qinq : EtherType.vlan)
            f.appendU16(tag.tci)
        }
        f.appendU16(etherType)
        f.append(contentsOf: payload)
        return f
    }

    /// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16-byte header).
    public static func linuxSLL(packetType: SLLPacketType, address: MACAddress, protocolType: UInt16,
                                arphrdType: UInt16 = 1, payload: [UInt8]) -> [UInt8] {
        var f: [UInt8] = []
        f.reserveCapacity(16 + payload.count)
        f.appendU16(packetType.rawValue)
        f.appendU16(arphrdType)
        f.appendU16(UInt16(address.bytes.count))
        f.append(contentsOf: address.bytes)
        f.append(contentsOf: [UInt8](repeating: 0, count: 8 - address.bytes.count))
        f.appendU16(protocolType)
        f.append(contentsOf: payload)
        return f
    }

    /// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20-byte header): protocol first, then ifindex.
    public static func linuxSLL2(protocolType: UInt16, interfaceIndex: UInt32, packetType: SLLPacketType,
                                 address: MACAddress, arphrdType: UInt16 = 1, payload: [UInt8]) -> [UInt8] {
        var f: [UInt8] = []
        f.reserveCapacity(20 + payload.count)
        f.appendU16(protocolType)
        f.appendU16(0)
        f.appendU32(interfaceIndex)
        f.appendU16(arphrdType)
        f.appendU8(UInt8(packetType.rawValue))
        f.appendU8(UInt8(address.bytes.count))
        f.append(contentsOf: address.bytes)
        f.append(contentsOf: [UInt8](repeating: 0, count: 8 - address.bytes.count))
        f.append(contentsOf: payload)
        return f
    }

    /// BSD loopback (LINKTYPE_NULL): a 4-byte address family in the byte order of the host that
    /// wrote the file (AF_INET 2; AF_INET6 is 24/28/30 depending on the BSD — 30 here, as macOS).
    public static func bsdNull(isIPv6: Bool, byteOrder: ByteOrder, payload: [UInt8]) -> [UInt8] {
        var f: [UInt8] = []
        f.reserveCapacity(4 + payload.count)
        f.appendU32(isIPv6 ? 30 : 2, byteOrder)
        f.append(contentsOf: payload)
        return f
    }

    /// An ARP request "who has target? tell sender" (RFC 826), Ethernet/IPv4, broadcast.
    public static func arpRequest(senderMAC: MACAddress, senderIP: HostAddress, targetIP: HostAddress) -> [UInt8] {
        var a: [UInt8] = []
        a.appendU16(1)            // hardware type Ethernet
        a.appendU16(EtherType.ipv4)
        a.appendU8(6); a.appendU8(4)
        a.appendU16(1)            // request
        a.append(contentsOf: senderMAC.bytes)
        a.append(contentsOf: senderIP.bytes)
        a.append(contentsOf: MACAddress.zero.bytes)
        a.append(contentsOf: targetIP.bytes)
        return ethernet(destination: .broadcast, source: senderMAC, etherType: EtherType.arp, payload: a)
    }
}
