/// Decodes one captured frame down to its innermost IP and transport header.
///
/// Zero-copy and allocation-free: it reads the frame through `ByteView`,
/// writes into the caller's reused `DecodedPacket`, and walks layers with a
/// small state machine (no recursion, no existentials, no arrays).
///
/// Two ends bound every read. The *captured* end is where the bytes stop; the
/// *declared* end is what the innermost length field (or, outside any, the
/// original wire length) says. A header running past the captured end but
/// not the declared one was cut by the snaplen: `truncated`, decoded as far as
/// the bytes go. One running past the declared end contradicts its own
/// lengths: `malformed`, with the layer, offset and numbers.
///
/// A length field that claims more than its enclosing layer (IPv4 total
/// length, IPv6 payload length, UDP length, PPPoE length) marks the packet
/// malformed but does not stop decoding: the enclosing end stays in force and
/// the inner headers are still read, so addresses and ports of such packets
/// are known (tshark does the same). Structural contradictions (IHL < 5, TCP
/// data offset < 5, a chain that never ends) stop decoding where they are.
///
/// ```swift
/// let decoder = PacketDecoder()
/// var packet = DecodedPacket()          // one per capture loop, reused
/// var counters = DecodeCounters()
/// // for each captured frame (bytes borrowed for the callback):
/// decoder.decode(ByteView(buffer), linkType: linkType, originalLength: wireLength, into: &packet)
/// counters.record(packet, wireLength: wireLength)
/// if packet.status.isDecoded, packet.hasPorts { /* flow key: packet.source … packet.destinationPort */ }
/// ```
public struct PacketDecoder: Sendable {
    /// 802.1Q/802.1ad tags accepted per frame before the stack counts as malformed.
    public var maximumVLANTags = 8
    /// MPLS label stack entries accepted before the stack counts as malformed.
    public var maximumMPLSLabels = 16
    /// VXLAN/GRE/IP-in-IP layers peeled before the frame counts as malformed.
    public var maximumTunnelDepth = 8
    /// IPv6 extension headers walked before the chain counts as never-ending.
    public var maximumIPv6ExtensionHeaders = 16

    public init() {}

    /// Decodes `frame` (the captured bytes) of a packet that was
    /// `originalLength` bytes on the wire, overwriting every field of `packet`.
    public func decode(_ frame: ByteView, linkType: LinkType, originalLength: Int, into packet: inout DecodedPacket) {
        if linkType.rawValue == LinkType.ethernet.rawValue,
           decodeCommonShape(frame, originalLength: originalLength, into: &packet) { return }
        decodeInSteps(frame, linkType: linkType, originalLength: originalLength, into: &packet)
    }

    /// The general decoder alone: every link type and layer, one step at a time, without the
    /// common-shape path `decode` takes when it can (`PacketDecoder+CommonShape.swift`). For
    /// checking that path against it (its tests, the `PacketDecoder` fuzz target).
    public func decodeInSteps(_ frame: ByteView, linkType: LinkType, originalLength: Int, into packet: inout DecodedPacket) {
        packet = DecodedPacket()
        packet.linkType = linkType
        packet.truncated = frame.count < originalLength
        var cursor = Cursor(frame: frame, originalLength: originalLength)

        var step: Step
        if frame.count == 0 && originalLength <= 0 && linkType.isSupported {
            packet.status = .malformed(DecodeIssue(layer: .link, offset: 0, needed: 1, had: 0, reason: .emptyFrame))
            step = .done
        } else {
            step = link(linkType, &cursor, &packet)
        }
        // Every step consumes bytes or a bounded counter (tags, labels,
        // tunnels); the cap is a second fence against a logic slip.
        var steps = 0
        while true {
            steps += 1
            if steps > 256 {
                packet.status = .malformed(DecodeIssue(layer: .tunnel, offset: 0, needed: 256, had: steps,
                                                       reason: .tunnelTooDeep))
                return
            }
            switch step {
            case .done:
                // A length lie found on the way in outranks what came after it.
                if let issue = cursor.lengthIssue { packet.status = .malformed(issue) }
                return
            case .ethernet(let offset):
                step = ethernet(at: offset, &cursor, &packet)
            case .etherType(let type, let offset):
                step = etherType(type, at: offset, &cursor, &packet)
            case .ipByVersion(let offset):
                step = ipByVersion(at: offset, layer: .link, notIP: nil, &cursor, &packet)
            case .ipv4(let offset):
                step = ipv4(at: offset, &cursor, &packet)
            case .ipv6(let offset):
                step = ipv6(at: offset, &cursor, &packet)
            }
        }
    }

    // MARK: State

    enum Step {
        case done
        case ethernet(Int)
        case etherType(UInt16, Int)
        case ipByVersion(Int)
        case ipv4(Int)
        case ipv6(Int)
    }

    struct Cursor {
        let frame: ByteView
        /// Frame offset the innermost length field ends at; may exceed `frame.count`.
        var declaredEnd: Int
        /// The captured bytes up to `declaredEnd`: every read goes through this.
        var bytes: ByteView
        /// Inside the first fragment of a fragmented datagram: running out of
        /// bytes is where the fragment ends, not a malformed packet.
        var firstFragment = false
        /// The first length field that claimed more than its enclosing layer.
        var lengthIssue: DecodeIssue?

        init(frame: ByteView, originalLength: Int) {
            self.frame = frame
            declaredEnd = Swift.max(originalLength, frame.count)
            bytes = frame
        }

        mutating func setDeclaredEnd(_ end: Int) {
            declaredEnd = end
            bytes = frame.prefix(end)
        }
    }

    // MARK: Bounds

    /// True when `width` bytes at `offset` were captured. Otherwise records
    /// why not in `p` (truncated by snaplen, end of a first fragment, or
    /// malformed with `reason`) and returns false.
    func require(_ layer: DecodeIssue.Layer, at offset: Int, _ width: Int, or reason: DecodeIssue.Reason = .headerTruncated,
                 _ c: Cursor, _ p: inout DecodedPacket) -> Bool {
        // offset ≤ bytes.count and width ≤ 2^18 on every call: no overflow.
        let end = offset + width
        if end <= c.bytes.count { return true }
        if end <= c.declaredEnd {
            p.truncated = true
            p.stop = DecodeIssue(layer: layer, offset: offset, needed: width, had: Swift.max(0, c.bytes.count - offset),
                                 reason: .headerTruncated)
            if p.network == .none { p.status = .notDecoded(.truncatedBeforeNetwork) }
            return false
        }
        let issue = DecodeIssue(layer: layer, offset: offset, needed: width, had: Swift.max(0, c.declaredEnd - offset),
                                reason: reason)
        if c.firstFragment && p.network != .none {
            p.stop = issue
        } else {
            p.status = .malformed(issue)
        }
        return false
    }

    /// Narrows the declared end to a length field's claim: `length` bytes
    /// from `start`. A claim past the enclosing end leaves the end where it
    /// was and marks the packet malformed (kept in `lengthIssue`, reported
    /// when decoding ends) — except in a first fragment, where the rest of
    /// the datagram is in later fragments.
    func narrow(_ layer: DecodeIssue.Layer, at offset: Int, start: Int, length: Int, _ c: inout Cursor) {
        let end = start + length
        if end > c.declaredEnd {
            if !c.firstFragment && c.lengthIssue == nil {
                c.lengthIssue = DecodeIssue(layer: layer, offset: offset, needed: length,
                                            had: Swift.max(0, c.declaredEnd - start), reason: .lengthExceedsEnclosing)
            }
            return
        }
        c.setDeclaredEnd(end)
    }

    func malformed(_ layer: DecodeIssue.Layer, at offset: Int, needed: Int, had: Int, _ reason: DecodeIssue.Reason,
                   _ p: inout DecodedPacket) -> Step {
        p.status = .malformed(DecodeIssue(layer: layer, offset: offset, needed: needed, had: had, reason: reason))
        return .done
    }

    func notDecoded(_ reason: NotDecodedReason, _ p: inout DecodedPacket) -> Step {
        p.status = .notDecoded(reason)
        return .done
    }

    func setPayload(from offset: Int, _ c: Cursor, _ p: inout DecodedPacket) {
        let start = Swift.min(offset, c.bytes.count)
        p.payloadOffset = start
        p.payload = c.bytes.suffix(from: start) ?? .empty
    }

    /// Peels one tunnel layer: the inner packet replaces the outer one.
    func enterTunnel(_ kind: Encapsulations, at offset: Int, _ p: inout DecodedPacket) -> Bool {
        guard p.tunnelDepth < maximumTunnelDepth else {
            _ = malformed(.tunnel, at: offset, needed: maximumTunnelDepth, had: p.tunnelDepth + 1, .tunnelTooDeep, &p)
            return false
        }
        p.tunnelDepth += 1
        p.encapsulations.insert(kind)
        p.clearNetwork()
        return true
    }

    // MARK: Link layers

    func link(_ linkType: LinkType, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue:
            return .ethernet(0)
        case LinkType.raw.rawValue, LinkType.rawOpenBSD.rawValue, LinkType.rawLinkType.rawValue:
            return .ipByVersion(0)
        case LinkType.ipv4.rawValue:
            return .ipv4(0)
        case LinkType.ipv6.rawValue:
            return .ipv6(0)
        case LinkType.linuxSLL.rawValue, LinkType.linuxSLL2.rawValue:
            let v2 = linkType == .linuxSLL2
            guard require(.link, at: 0, v2 ? LinuxCookedHeader.sll2Length : LinuxCookedHeader.sllLength, c, &p),
                  let sll = LinuxCookedHeader(c.bytes, at: 0, version2: v2) else { return .done }
            p.linkDirection = sll.direction
            // On a netlink monitor (ARPHRD_NETLINK) the protocol field is a netlink family, not an ethertype.
            if sll.arphrdType == LinuxCookedHeader.arphrdNetlink { return notDecoded(.unsupportedLinkType, &p) }
            return .etherType(sll.protocolType, sll.payloadOffset)
        case LinkType.null.rawValue, LinkType.loop.rawValue:
            guard require(.link, at: 0, NullLoopbackHeader.length, c, &p),
                  let header = NullLoopbackHeader(c.bytes, at: 0) else { return .done }
            switch header.family(networkOrderFirst: linkType == .loop) {
            case .ipv4: return .ipv4(header.payloadOffset)
            case .ipv6: return .ipv6(header.payloadOffset)
            case .other: return notDecoded(.unknownAddressFamily, &p)
            }
        case LinkType.ppp.rawValue, LinkType.pppSerial.rawValue:
            return pppFrame(at: 0, &c, &p)
        case LinkType.pppEther.rawValue:
            return pppoe(at: 0, &c, &p)
        case LinkType.ciscoHDLC.rawValue:
            return ciscoHDLC(at: 0, &c, &p)
        case LinkType.pflog.rawValue:
            return pflog(&c, &p)
        case LinkType.nflog.rawValue:
            return nflog(&c, &p)
        default:
            return notDecoded(.unsupportedLinkType, &p)
        }
    }

    /// PPP (RFC 1661) as DLT_PPP and DLT_PPP_SERIAL carry it: the HDLC-like
    /// address and control bytes (ff 03, RFC 1662) when present, then the
    /// protocol, one byte when compressed (an odd first byte, RFC 1661 §6.5).
    /// A serial line's frame that starts 0f or 8f is Cisco HDLC (tcpdump reads it so).
    func pppFrame(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        guard require(.link, at: offset, 2, c, &p) else { return .done }
        let first = c.bytes.u8Unchecked(at: offset)
        if p.linkType == .pppSerial, first == 0x0f || first == 0x8f { return ciscoHDLC(at: offset, &c, &p) }
        var at = offset
        if first == 0xff, c.bytes.u8Unchecked(at: offset + 1) == 0x03 { at += 2 }
        guard require(.link, at: at, 1, c, &p) else { return .done }
        let protocolNumber: UInt16
        if c.bytes.u8Unchecked(at: at) & 1 == 1 {
            protocolNumber = UInt16(c.bytes.u8Unchecked(at: at))
            at += 1
        } else {
            guard require(.link, at: at, 2, c, &p) else { return .done }
            protocolNumber = c.bytes.u16Unchecked(at: at)
            at += 2
        }
        switch protocolNumber {
        case PPPoESessionHeader.pppIPv4: return .ipv4(at)
        case PPPoESessionHeader.pppIPv6: return .ipv6(at)
        default: return notDecoded(.unsupportedPPPProtocol, &p)
        }
    }

    /// Cisco HDLC: address (0f unicast, 8f broadcast), control 00, an ethertype.
    func ciscoHDLC(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        guard require(.link, at: offset, 4, c, &p) else { return .done }
        return .etherType(c.bytes.u16Unchecked(at: offset + 2), offset + 4)
    }

    /// pf's log header (OpenBSD `struct pfloghdr`, as tcpdump's print-pflog.c
    /// reads it): its first byte is the header length (45 at least), the packet
    /// follows at that length rounded up to 4, and the packet's version nibble
    /// says its family (`af` differs between the BSDs for IPv6).
    func pflog(_ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        guard require(.link, at: 0, 1, c, &p) else { return .done }
        let length = Int(c.bytes.u8Unchecked(at: 0))
        guard length >= 45 else { return malformed(.link, at: 0, needed: 45, had: length, .headerLengthTooSmall, &p) }
        let payload = (length + 3) & ~3
        guard require(.link, at: 0, payload, c, &p) else { return .done }
        return ipByVersion(at: payload, layer: .link, notIP: .unknownAddressFamily, &c, &p)
    }

    /// An NFLOG message (https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html):
    /// family, version, the log group (big-endian), then TLVs of a 16-bit
    /// length (header included) and type, each padded to 4 bytes. The TLVs
    /// are in the capturing host's byte order: read little-endian (x86, arm64)
    /// unless the first TLV makes sense only big-endian. Type 9 holds the
    /// packet from its IP header; type 10 the rule's log prefix.
    func nflog(_ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        let header = 4
        guard require(.link, at: 0, header + 4, c, &p) else { return .done }
        let family = c.bytes.u8Unchecked(at: 0)
        p.logGroup = c.bytes.u16Unchecked(at: 2)
        let end = c.bytes.count
        let bigEndian: Bool = {
            let little = Int(c.bytes.u8Unchecked(at: header)) | Int(c.bytes.u8Unchecked(at: header + 1)) << 8
            return !(little >= 4 && header + little <= end) && {
                let big = Int(c.bytes.u16Unchecked(at: header))
                return big >= 4 && header + big <= end
            }()
        }()
        func u16(_ at: Int) -> Int {
            bigEndian ? Int(c.bytes.u16Unchecked(at: at))
                : Int(c.bytes.u8Unchecked(at: at)) | Int(c.bytes.u8Unchecked(at: at + 1)) << 8
        }
        var at = header
        while at + 4 <= end {
            let length = u16(at), type = u16(at + 2)
            guard length >= 4 else { return malformed(.link, at: at, needed: 4, had: length, .headerLengthTooSmall, &p) }
            if at + length > end {
                guard require(.link, at: at, length, c, &p) else { return .done }
            }
            switch type {
            case 9:  // NFULA_PAYLOAD
                let offset = at + 4
                switch family {
                case 2: return .ipv4(offset)  // AF_INET
                case 10: return .ipv6(offset)  // AF_INET6
                default: return ipByVersion(at: offset, layer: .link, notIP: .unknownAddressFamily, &c, &p)
                }
            case 10:  // NFULA_PREFIX: NUL-terminated
                var n = 0
                while n < length - 4, c.bytes.u8Unchecked(at: at + 4 + n) != 0 { n += 1 }
                p.logPrefix = c.bytes.slice(from: at + 4, length: n) ?? .empty
            default:
                break
            }
            at += (length + 3) & ~3
        }
        // A message without the packet (a rule that logs no bytes): nothing to decode.
        return notDecoded(.truncatedBeforeNetwork, &p)
    }

    func ethernet(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        guard require(.link, at: offset, EthernetFrame.headerLength, c, &p),
              let eth = EthernetFrame(c.bytes, at: offset) else { return .done }
        return .etherType(eth.etherType, eth.payloadOffset)
    }

    func etherType(_ type: UInt16, at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        p.etherType = type
        switch type {
        case EtherType.ipv4:
            return .ipv4(offset)
        case EtherType.ipv6:
            return .ipv6(offset)
        case EtherType.vlan, EtherType.providerBridging, EtherType.qinqLegacy:
            guard require(.vlan, at: offset, VLANTag.length, c, &p), let tag = VLANTag(c.bytes, at: offset) else {
                return .done
            }
            p.vlanCount += 1
            if p.vlanCount > maximumVLANTags {
                return malformed(.vlan, at: offset, needed: maximumVLANTags, had: p.vlanCount, .vlanStackTooDeep, &p)
            }
            if p.vlanCount == 1 { p.vlanID = tag.vlanID }
            p.encapsulations.insert(.vlan)
            return .etherType(tag.innerEtherType, offset + VLANTag.length)
        case EtherType.mplsUnicast, EtherType.mplsMulticast:
            return mpls(at: offset, &c, &p)
        case EtherType.pppoeSession:
            return pppoe(at: offset, &c, &p)
        case EtherType.transparentEthernetBridging:
            return .ethernet(offset)
        case EtherType.arp, EtherType.rarp:
            return notDecoded(.arp, &p)
        case EtherType.lldp:
            return notDecoded(.lldp, &p)
        case EtherType.pppoeDiscovery:
            return notDecoded(.pppoeDiscovery, &p)
        default:
            return notDecoded(type < EtherType.minimumEtherType ? .llcFrame : .unknownEtherType, &p)
        }
    }

    /// Raw IP and MPLS payloads say nothing about their family but the
    /// version nibble. `notIP` nil makes another nibble malformed at `layer`.
    func ipByVersion(at offset: Int, layer: DecodeIssue.Layer, notIP: NotDecodedReason?,
                     _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        guard require(layer, at: offset, 1, c, &p) else { return .done }
        let version = c.bytes.u8Unchecked(at: offset) >> 4
        switch version {
        case 4: return .ipv4(offset)
        case 6: return .ipv6(offset)
        default:
            if let notIP { return notDecoded(notIP, &p) }
            return malformed(layer, at: offset, needed: 4, had: Int(version), .unknownIPVersion, &p)
        }
    }

    func mpls(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        p.encapsulations.insert(.mpls)
        var cursor = offset
        var labels = 0
        while true {
            labels += 1
            if labels > maximumMPLSLabels {
                return malformed(.mpls, at: cursor, needed: maximumMPLSLabels, had: labels, .mplsStackTooDeep, &p)
            }
            guard require(.mpls, at: cursor, MPLSLabel.length, or: .mplsBottomMissing, c, &p),
                  let entry = MPLSLabel(c.bytes, at: cursor) else { return .done }
            cursor += MPLSLabel.length
            if entry.isBottomOfStack { break }
        }
        return ipByVersion(at: cursor, layer: .mpls, notIP: .mplsPayloadUnknown, &c, &p)
    }

    func pppoe(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        p.encapsulations.insert(.pppoe)
        let fixed = PPPoESessionHeader.length + PPPoESessionHeader.pppProtocolLength
        guard require(.pppoe, at: offset, fixed, c, &p), let header = PPPoESessionHeader(c.bytes, at: offset) else {
            return .done
        }
        guard header.versionType == 0x11 else {
            return malformed(.pppoe, at: offset, needed: 0x11, had: Int(header.versionType), .wrongVersion, &p)
        }
        narrow(.pppoe, at: offset, start: offset + PPPoESessionHeader.length, length: header.payloadLength, &c)
        switch header.pppProtocol {
        case PPPoESessionHeader.pppIPv4: return .ipv4(offset + fixed)
        case PPPoESessionHeader.pppIPv6: return .ipv6(offset + fixed)
        default: return notDecoded(.unsupportedPPPProtocol, &p)
        }
    }

    // MARK: Network layers

    func ipv4(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        guard require(.ipv4, at: offset, IPv4Header.minimumLength, c, &p), let ip = IPv4Header(c.bytes, at: offset) else {
            return .done
        }
        guard ip.version == 4 else { return malformed(.ipv4, at: offset, needed: 4, had: Int(ip.version), .wrongVersion, &p) }
        guard ip.ihl >= 5 else { return malformed(.ipv4, at: offset, needed: 5, had: Int(ip.ihl), .headerLengthTooSmall, &p) }
        let headerLength = ip.headerLength
        if ip.totalLength == 0 {
            // A sender's own capture under TCP segmentation offload shows total length 0: the NIC
            // fills it in later. Wireshark takes the frame's length then; so does this.
        } else if ip.totalLength < headerLength {
            return malformed(.ipv4, at: offset, needed: headerLength, had: ip.totalLength, .totalLengthTooSmall, &p)
        } else {
            // Ethernet pads short frames to 60 bytes: the total length, not the frame, ends the datagram.
            narrow(.ipv4, at: offset, start: offset, length: ip.totalLength, &c)
        }
        p.status = .decoded
        p.network = .ipv4
        p.networkOffset = offset
        p.source = ip.source
        p.destination = ip.destination
        p.ipProtocol = ip.protocolNumber
        p.ttl = ip.ttl
        p.fragment = ip.fragmentKind
        guard require(.ipv4, at: offset, headerLength, c, &p) else { return .done }
        if p.fragment != .none {
            // RFC 791 §3.2: the datagram is (source, destination, protocol, identification).
            let dataOffset = offset + headerLength
            p.fragmentFacts = FragmentFacts(identification: UInt32(ip.identification), offset: Int(ip.fragmentOffset) * 8,
                                            moreFragments: ip.moreFragments, dataOffset: dataOffset,
                                            dataLength: Swift.max(0, c.declaredEnd - dataOffset),
                                            protocolNumber: ip.protocolNumber)
        }
        switch p.fragment {
        case .later: return notDecoded(.laterFragment, &p)
        case .first: c.firstFragment = true
        case .none: break
        }
        return transport(ip.protocolNumber, at: offset + headerLength, &c, &p)
    }

    func ipv6(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        guard require(.ipv6, at: offset, IPv6Header.length, c, &p), let ip = IPv6Header(c.bytes, at: offset) else {
            return .done
        }
        guard ip.version == 6 else { return malformed(.ipv6, at: offset, needed: 6, had: Int(ip.version), .wrongVersion, &p) }
        p.status = .decoded
        p.network = .ipv6
        p.networkOffset = offset
        p.source = ip.source
        p.destination = ip.destination
        p.ipProtocol = ip.nextHeader
        p.ttl = ip.hopLimit
        // RFC 2675 §3: a jumbogram has payload length 0 and its real length in hop-by-hop.
        if ip.payloadLength == 0 && ip.nextHeader == IPProtocolNumber.hopByHop {
            return notDecoded(.jumbogram, &p)
        }
        narrow(.ipv6, at: offset, start: ip.payloadOffset, length: ip.payloadLength, &c)

        var next = ip.nextHeader
        var cursor = ip.payloadOffset
        var walked = 0
        while IPv6ExtensionHeader.isExtension(next) {
            walked += 1
            if walked > maximumIPv6ExtensionHeaders {
                return malformed(.ipv6Extension, at: cursor, needed: maximumIPv6ExtensionHeaders, had: walked,
                                 .extensionChainTooLong, &p)
            }
            // RFC 8200 §4.3: hop-by-hop options only immediately after the IPv6 header.
            if next == IPProtocolNumber.hopByHop && walked != 1 {
                return malformed(.ipv6Extension, at: cursor, needed: 1, had: walked, .hopByHopNotFirst, &p)
            }
            let minimum = next == IPProtocolNumber.fragment ? 8 : 2
            guard require(.ipv6Extension, at: cursor, minimum, or: .extensionHeaderPastEnd, c, &p),
                  let ext = IPv6ExtensionHeader(c.bytes, at: cursor, type: next) else { return .done }
            let length = ext.length
            if next == IPProtocolNumber.authentication && length < IPv6ExtensionHeader.minimumAuthenticationLength {
                return malformed(.ipv6Extension, at: cursor, needed: IPv6ExtensionHeader.minimumAuthenticationLength,
                                 had: length, .extensionLengthTooSmall, &p)
            }
            if next == IPProtocolNumber.fragment {
                if ext.fragmentOffset != 0 || ext.moreFragments {
                    // RFC 8200 §4.5: the data after this header is the fragment's, up to the payload length.
                    let dataOffset = cursor + 8
                    p.fragmentFacts = FragmentFacts(identification: ext.identification, offset: Int(ext.fragmentOffset) * 8,
                                                    moreFragments: ext.moreFragments, dataOffset: dataOffset,
                                                    dataLength: Swift.max(0, c.declaredEnd - dataOffset),
                                                    protocolNumber: ext.nextHeader)
                }
                if ext.fragmentOffset != 0 {
                    p.fragment = .later
                    p.ipProtocol = ext.nextHeader
                    return notDecoded(.laterFragment, &p)
                }
                if ext.moreFragments {
                    p.fragment = .first
                    c.firstFragment = true
                }
            }
            guard require(.ipv6Extension, at: cursor, length, or: .extensionHeaderPastEnd, c, &p) else { return .done }
            next = ext.nextHeader
            cursor += length
        }
        p.ipProtocol = next
        if next == IPProtocolNumber.noNextHeader { return notDecoded(.noNextHeader, &p) }
        return transport(next, at: cursor, &c, &p)
    }

    // MARK: Transport layers and tunnels

    func transport(_ proto: UInt8, at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        switch proto {
        case IPProtocolNumber.tcp:
            tcp(at: offset, &c, &p)
            return .done
        case IPProtocolNumber.udp:
            return udp(at: offset, &c, &p)
        case IPProtocolNumber.icmp:
            icmp(at: offset, version6: false, &c, &p)
            return .done
        case IPProtocolNumber.icmpv6:
            icmp(at: offset, version6: true, &c, &p)
            return .done
        case IPProtocolNumber.ipv4:
            guard enterTunnel(.ipInIP, at: offset, &p) else { return .done }
            return .ipv4(offset)
        case IPProtocolNumber.ipv6:
            guard enterTunnel(.ipInIP, at: offset, &p) else { return .done }
            return .ipv6(offset)
        case IPProtocolNumber.gre:
            return gre(at: offset, &c, &p)
        default:
            p.transport = .other
            p.transportOffset = offset
            setPayload(from: offset, c, &p)
            return notDecoded(.otherIPProtocol, &p)
        }
    }

    func tcp(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) {
        p.transport = .tcp
        p.transportOffset = offset
        // Ports first: a snaplen that cuts the header after 4 bytes still names the flow.
        guard require(.tcp, at: offset, 4, c, &p) else { return }
        p.sourcePort = c.bytes.u16Unchecked(at: offset)
        p.destinationPort = c.bytes.u16Unchecked(at: offset + 2)
        p.hasPorts = true
        guard require(.tcp, at: offset, TCPHeader.minimumLength, c, &p), let tcp = TCPHeader(c.bytes, at: offset) else {
            return
        }
        guard tcp.dataOffset >= 5 else {
            _ = malformed(.tcp, at: offset, needed: 5, had: Int(tcp.dataOffset), .dataOffsetTooSmall, &p)
            return
        }
        p.tcp = TCPFacts(tcp)
        guard require(.tcp, at: offset, tcp.headerLength, or: .dataOffsetPastEnd, c, &p) else { return }
        setPayload(from: offset + tcp.headerLength, c, &p)
    }

    func udp(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        p.transport = .udp
        p.transportOffset = offset
        guard require(.udp, at: offset, 4, c, &p) else { return .done }
        p.sourcePort = c.bytes.u16Unchecked(at: offset)
        p.destinationPort = c.bytes.u16Unchecked(at: offset + 2)
        p.hasPorts = true
        guard require(.udp, at: offset, UDPHeader.length, c, &p), let udp = UDPHeader(c.bytes, at: offset) else {
            return .done
        }
        guard udp.length >= UDPHeader.length else {
            return malformed(.udp, at: offset, needed: UDPHeader.length, had: udp.length, .udpLengthTooSmall, &p)
        }
        // A UDP length shorter than the IP payload wins (RFC 768); a longer one is a lie.
        narrow(.udp, at: offset, start: offset, length: udp.length, &c)
        setPayload(from: udp.payloadOffset, c, &p)
        if udp.destinationPort == VXLANHeader.udpPort, let vxlan = VXLANHeader(c.bytes, at: udp.payloadOffset),
           vxlan.hasValidVNI {
            guard enterTunnel(.vxlan, at: vxlan.offset, &p) else { return .done }
            return .ethernet(vxlan.payloadOffset)
        }
        return .done
    }

    func icmp(at offset: Int, version6: Bool, _ c: inout Cursor, _ p: inout DecodedPacket) {
        let layer: DecodeIssue.Layer = version6 ? .icmpv6 : .icmp
        p.transport = version6 ? .icmpv6 : .icmp
        p.transportOffset = offset
        guard require(layer, at: offset, 2, c, &p) else { return }
        p.icmp.type = c.bytes.u8Unchecked(at: offset)
        p.icmp.code = c.bytes.u8Unchecked(at: offset + 1)
        p.icmp.kind = ICMPKind(type: p.icmp.type, code: p.icmp.code, version6: version6)
        guard require(layer, at: offset, ICMPMessage.headerLength, c, &p),
              let message = ICMPMessage(c.bytes, at: offset, version6: version6) else { return }
        if p.icmp.kind == .echoRequest || p.icmp.kind == .echoReply { p.icmp.identifier = message.identifier }
        p.icmp.quoted = message.quotedPacket()
        setPayload(from: message.bodyOffset, c, &p)
    }

    func gre(at offset: Int, _ c: inout Cursor, _ p: inout DecodedPacket) -> Step {
        p.transport = .other
        p.transportOffset = offset
        guard require(.gre, at: offset, GREHeader.minimumLength, c, &p), let gre = GREHeader(c.bytes, at: offset) else {
            return .done
        }
        guard gre.version == 0, !gre.hasRouting else { return notDecoded(.unsupportedGRE, &p) }
        switch gre.protocolType {
        case EtherType.ipv4, EtherType.ipv6, EtherType.transparentEthernetBridging, EtherType.mplsUnicast,
             EtherType.mplsMulticast:
            break
        default:
            return notDecoded(.unsupportedGRE, &p)
        }
        guard require(.gre, at: offset, gre.headerLength, c, &p), enterTunnel(.gre, at: offset, &p) else { return .done }
        return .etherType(gre.protocolType, offset + gre.headerLength)
    }
}
