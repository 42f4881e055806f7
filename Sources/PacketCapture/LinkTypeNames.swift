import CPcap

/// libpcap's names for link types (DLT_*), and the set egress-audit decodes.
public enum LinkTypeNames {
    /// DLT values the decoder understands (PacketWire's `LinkType`).
    public static let supported: Set<Int32> = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 239]

    static let supportedList = "EN10MB(1), LINUX_SLL(113), LINUX_SLL2(276), RAW(12/14/101), IPV4(228), IPV6(229), NULL(0), LOOP(108), NFLOG(239)"

    /// libpcap's short name for a DLT (`EN10MB`, `LINUX_SLL2`), or `DLT<n>`.
    public static func name(_ dlt: Int32) -> String {
        if let c = pcap_datalink_val_to_name(dlt) { return String(cString: c) }
        return "DLT\(dlt)"
    }
}
