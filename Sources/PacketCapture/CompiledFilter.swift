import CPcap

/// A BPF filter compiled for one link type without an interface
/// (`pcap_open_dead` + `pcap_compile`), run on packets in user space with
/// `pcap_offline_filter`: the same program the kernel would run on a live
/// capture, applied to packets read from files (tests, replays).
public final class CompiledFilter {
    public let expression: String
    public let linkType: Int32
    private var program = bpf_program()

    public init(_ expression: String, linkType: Int32, snapshotLength: Int32 = 65_535) throws(CaptureError) {
        self.expression = expression
        self.linkType = linkType
        guard let dead = pcap_open_dead(linkType, snapshotLength) else {
            throw CaptureError(source: "filter", problem: .liveOpenFailed("libpcap cannot make a handle for link type \(linkType)"))
        }
        defer { pcap_close(dead) }
        if pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw CaptureError(source: "filter", problem: .liveOpenFailed(
                "\"\(expression)\" does not compile for link type \(linkType): \(String(cString: pcap_geterr(dead)))"))
        }
    }

    deinit {
        pcap_freecode(&program)
    }

    /// BPF instructions after libpcap's optimizer.
    public var instructionCount: Int { Int(program.bf_len) }

    /// Whether the filter keeps this packet (its captured bytes, its wire length).
    public func matches(_ packet: CapturedPacket) -> Bool {
        packet.bytes.withUnsafeBytes { raw in
            var header = pcap_pkthdr()
            header.caplen = UInt32(truncatingIfNeeded: raw.count)
            header.len = UInt32(truncatingIfNeeded: packet.originalLength)
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
            return pcap_offline_filter(&program, &header, base) != 0
        }
    }
}
