extension IPv6ExtensionHeader {
    /// Fragment header only: the 32-bit identification (RFC 8200 §4.5), bytes 4–7.
    public var identification: UInt32 { type == IPProtocolNumber.fragment ? view.u32Unchecked(at: offset + 4) : 0 }
}
