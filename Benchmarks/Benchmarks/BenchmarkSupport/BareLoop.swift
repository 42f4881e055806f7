import BareLibpcap

/// The baseline: libpcap's own read loop and nothing else.
public enum BareLoop {
    public static func run(_ path: String) -> Int {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else { return -1 }
        defer { pcap_close(handle) }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var total = 0
        while pcap_next_ex(handle, &header, &data) == 1 {
            total &+= Int(header.unsafelyUnwrapped.pointee.caplen)
        }
        return total
    }
}
