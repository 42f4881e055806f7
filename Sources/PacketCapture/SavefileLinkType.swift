/// The rules libpcap applies to the link type and snapshot length written in
/// a capture file, so the mapped reader reports the same values libpcap does
/// (`pcap_datalink`, `pcap_snapshot`) and refuses the same oversized records.
enum SavefileLinkType {
    /// libpcap's MAXIMUM_SNAPLEN: the largest record most link types may carry.
    static let maximumSnapshotLength = 262_144

    /// The DLT libpcap reports for a LINKTYPE_ value from a file
    /// (pcap-common.c `linktype_to_dlt`). Files carry LINKTYPE_ values; the
    /// few that differ from Linux's DLT_ values are the ones libpcap's table
    /// maps (LINKTYPE_RAW 101 is DLT_RAW 12 on Linux). Everything else,
    /// including values it does not know, passes through.
    static func dlt(fromLinkType linkType: UInt32) -> Int32 {
        switch linkType {
        case 100: return 11  // ATM_RFC1483
        case 101: return 12  // RAW
        case 102: return 15  // SLIP_BSDOS
        case 103: return 16  // PPP_BSDOS
        case 106: return 19  // ATM_CLIP
        default: return Int32(truncatingIfNeeded: linkType)
        }
    }

    /// The link-type field of a classic pcap header keeps extra bits above the
    /// link type (FCS length present/FCS length, sf-pcap.c `LT_LINKTYPE`):
    /// the link type is the low 26 bits.
    static func classicLinkType(_ field: UInt32) -> UInt32 { field & 0x03ff_ffff }

    /// libpcap's `max_snaplen_for_dlt`: a few link types carry larger records.
    static func maximumSnapshotLength(dlt: Int32) -> Int {
        switch dlt {
        case 231: return 128 * 1024 * 1024  // DBUS
        case 279: return 8 * 1024 * 1024  // EBHSCR
        case 220: return 1024 * 1024  // USB_LINUX_MMAPPED
        default: return maximumSnapshotLength
        }
    }

    /// libpcap's `pcap_adjust_snapshot`: 0 or an absurd value in the file
    /// means "the maximum for this link type".
    static func adjustedSnapshotLength(_ snaplen: UInt32, dlt: Int32) -> Int {
        let maximum = maximumSnapshotLength(dlt: dlt)
        if snaplen == 0 || UInt64(snaplen) > UInt64(maximum) { return maximum }
        return Int(snaplen)
    }

    /// Link types whose pseudo-header libpcap rewrites into host byte order
    /// when the file was written in the other one (pcap-common.c
    /// `swap_pseudo_headers`); a read-only mapping cannot, so such files go
    /// through libpcap. Only NFLOG is one egress-audit decodes (its TLV
    /// lengths are host order); USB and SocketCAN-in-SLL are not decoded.
    static func needsPseudoHeaderSwap(dlt: Int32) -> Bool {
        dlt == 239
    }
}
