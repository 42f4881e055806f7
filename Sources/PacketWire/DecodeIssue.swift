/// Why and where decoding stopped: errors as data, not strings.
///
/// `offset` is the frame offset of the header being read; `needed` and `had`
/// carry the two numbers the `reason` compares (bytes, words or a version,
/// as the reason's description says).
public struct DecodeIssue: Equatable, Hashable, Sendable {
    public var layer: Layer
    public var offset: Int
    public var needed: Int
    public var had: Int
    public var reason: Reason

    @inlinable
    public init(layer: Layer, offset: Int, needed: Int, had: Int, reason: Reason) {
        self.layer = layer
        self.offset = offset
        self.needed = needed
        self.had = had
        self.reason = reason
    }

    /// The protocol layer a problem was found in.
    public enum Layer: UInt8, CaseIterable, Sendable {
        case link, vlan, mpls, pppoe, ipv4, ipv6, ipv6Extension, gre, vxlan, tcp, udp, icmp, icmpv6, tunnel

        /// Stable lower-case name for JSON and reports.
        public var name: String {
            switch self {
            case .link: "link"
            case .vlan: "vlan"
            case .mpls: "mpls"
            case .pppoe: "pppoe"
            case .ipv4: "ipv4"
            case .ipv6: "ipv6"
            case .ipv6Extension: "ipv6-extension"
            case .gre: "gre"
            case .vxlan: "vxlan"
            case .tcp: "tcp"
            case .udp: "udp"
            case .icmp: "icmp"
            case .icmpv6: "icmpv6"
            case .tunnel: "tunnel"
            }
        }
    }

    /// What was wrong; `needed`/`had` give the numbers.
    public enum Reason: UInt8, CaseIterable, Sendable {
        /// The header needs more bytes than there are.
        case headerTruncated
        /// An empty frame on the wire.
        case emptyFrame
        /// IP version field differs from the one the enclosing layer announced.
        case wrongVersion
        /// Raw-IP link: first nibble is neither 4 nor 6.
        case unknownIPVersion
        /// IPv4 IHL below 5 words (RFC 791 §3.1).
        case headerLengthTooSmall
        /// IPv4 total length shorter than its own header.
        case totalLengthTooSmall
        /// A length field (IPv4 total, IPv6 payload, UDP, PPPoE) claims more
        /// bytes than the enclosing layer or the wire holds.
        case lengthExceedsEnclosing
        /// More IPv6 extension headers than the cap: a chain that never ends.
        case extensionChainTooLong
        /// An IPv6 extension header's length runs past the payload.
        case extensionHeaderPastEnd
        /// AH payload length below its fixed 12 bytes (RFC 4302 §2.2).
        case extensionLengthTooSmall
        /// Hop-by-hop options anywhere but first (RFC 8200 §4.3).
        case hopByHopNotFirst
        /// TCP data offset below 5 words (RFC 9293 §3.1).
        case dataOffsetTooSmall
        /// TCP data offset past the segment's end.
        case dataOffsetPastEnd
        /// UDP length below its own 8-byte header (RFC 768).
        case udpLengthTooSmall
        /// More 802.1Q/802.1ad tags than the cap.
        case vlanStackTooDeep
        /// More MPLS labels than the cap.
        case mplsStackTooDeep
        /// The MPLS label stack ends with no bottom-of-stack bit set.
        case mplsBottomMissing
        /// More tunnel layers than the cap.
        case tunnelTooDeep

        /// Stable lower-case name for JSON.
        public var name: String {
            switch self {
            case .headerTruncated: "header-truncated"
            case .emptyFrame: "empty-frame"
            case .wrongVersion: "wrong-version"
            case .unknownIPVersion: "unknown-ip-version"
            case .headerLengthTooSmall: "header-length-too-small"
            case .totalLengthTooSmall: "total-length-too-small"
            case .lengthExceedsEnclosing: "length-exceeds-enclosing"
            case .extensionChainTooLong: "extension-chain-too-long"
            case .extensionHeaderPastEnd: "extension-header-past-end"
            case .extensionLengthTooSmall: "extension-length-too-small"
            case .hopByHopNotFirst: "hop-by-hop-not-first"
            case .dataOffsetTooSmall: "data-offset-too-small"
            case .dataOffsetPastEnd: "data-offset-past-end"
            case .udpLengthTooSmall: "udp-length-too-small"
            case .vlanStackTooDeep: "vlan-stack-too-deep"
            case .mplsStackTooDeep: "mpls-stack-too-deep"
            case .mplsBottomMissing: "mpls-bottom-missing"
            case .tunnelTooDeep: "tunnel-too-deep"
            }
        }
    }
}

extension DecodeIssue: CustomStringConvertible {
    /// A human sentence, e.g. "ipv4 at 14: header length 3 words < 5".
    public var description: String {
        "\(layer.name) at \(offset): \(detail)"
    }

    /// The reason with its numbers, without the layer and offset.
    public var detail: String {
        switch reason {
        case .headerTruncated: "header needs \(needed) bytes, \(had) available"
        case .emptyFrame: "empty frame"
        case .wrongVersion: "version \(had), expected \(needed)"
        case .unknownIPVersion: "IP version \(had) is neither 4 nor 6"
        case .headerLengthTooSmall: "header length \(had) words < \(needed)"
        case .totalLengthTooSmall: "total length \(had) < header length \(needed)"
        case .lengthExceedsEnclosing: "length \(needed) exceeds the \(had) bytes available"
        case .extensionChainTooLong: "extension chain too long (more than \(needed) headers)"
        case .extensionHeaderPastEnd: "extension header needs \(needed) bytes, \(had) available"
        case .extensionLengthTooSmall: "extension header length \(had) bytes < \(needed)"
        case .hopByHopNotFirst: "hop-by-hop options header is not first"
        case .dataOffsetTooSmall: "data offset \(had) words < \(needed)"
        case .dataOffsetPastEnd: "data offset needs \(needed) bytes, \(had) available"
        case .udpLengthTooSmall: "UDP length \(had) < \(needed)"
        case .vlanStackTooDeep: "more than \(needed) VLAN tags"
        case .mplsStackTooDeep: "more than \(needed) MPLS labels"
        case .mplsBottomMissing: "label stack has no bottom-of-stack entry in \(had) bytes"
        case .tunnelTooDeep: "more than \(needed) tunnel layers"
        }
    }
}
