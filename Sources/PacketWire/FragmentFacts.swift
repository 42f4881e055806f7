/// What an IP fragment says about the datagram it belongs to: enough for a
/// reassembler to put the datagram back together without re-reading headers.
///
/// Recorded for first and later fragments (`DecodedPacket.fragment != .none`)
/// of the innermost IP layer: IPv4 (RFC 791 §3.2, "fragmentation and
/// reassembly") and the IPv6 Fragment header (RFC 8200 §4.5). Atomic IPv6
/// fragments (offset 0, M = 0) are not fragments here.
///
/// ```
/// IPv4: | ... | Identification (16) |Flags|Fragment Offset (13)| ... |  data
/// IPv6: | ... | Fragment: Next Header | Res | Offset (13) |Res|M| Identification (32) |  data
/// ```
public struct FragmentFacts: Equatable, Sendable {
    /// IPv4's 16-bit identification (widened) or IPv6's 32-bit one.
    public var identification: UInt32
    /// Where this fragment's data sits in the datagram, in bytes (8 × the field).
    public var offset: Int
    /// M flag: more fragments follow this one.
    public var moreFragments: Bool
    /// Frame offset of the fragment's data: after the IPv4 header (options
    /// included) or after the IPv6 Fragment header.
    public var dataOffset: Int
    /// Length of the fragment's data as the IP length fields declare it; the
    /// capture may hold fewer bytes (`DecodedPacket.truncated`).
    public var dataLength: Int
    /// IPv4 protocol, or the Fragment header's next header: the first header
    /// of the fragmentable part (meaningful in the offset-0 fragment).
    public var protocolNumber: UInt8

    public init(identification: UInt32 = 0, offset: Int = 0, moreFragments: Bool = false, dataOffset: Int = 0,
                dataLength: Int = 0, protocolNumber: UInt8 = 0) {
        self.identification = identification
        self.offset = offset
        self.moreFragments = moreFragments
        self.dataOffset = dataOffset
        self.dataLength = dataLength
        self.protocolNumber = protocolNumber
    }
}
