#if canImport(Glibc)
import Glibc
#endif

/// The Linux capability live capture needs, read from the process's
/// effective set (`CapEff` in /proc/self/status): CAP_NET_RAW, to open packet
/// sockets. Promiscuous mode needs nothing more: libpcap turns it on with
/// `PACKET_ADD_MEMBERSHIP`/`PACKET_MR_PROMISC` on the packet socket itself,
/// which the kernel allows whoever holds that socket (no SIOCSIFFLAGS, so no
/// CAP_NET_ADMIN; tested in a network namespace holding CAP_NET_RAW alone).
/// Root without it (a container that dropped it) is refused the same way.
public enum Capabilities {
    public static let netRaw = 13

    /// The effective capability bits, or nil when /proc cannot be read.
    public static func effective() -> UInt64? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if text.hasPrefix("CapEff:") {
                let hex = text.dropFirst("CapEff:".count).filter { !$0.isWhitespace }
                return UInt64(hex, radix: 16)
            }
        }
        return nil
    }

    public static let netAdmin = 12

    /// Names of the capabilities live capture on `interfaces` lacks (empty when it has them all).
    /// An NFLOG group (`nflog:N`) is read from a netfilter netlink socket, whose binding to a
    /// group the kernel allows CAP_NET_ADMIN only (nfnetlink_log), not CAP_NET_RAW.
    public static func missingForLiveCapture(interfaces: [String] = []) -> [String] {
        guard let bits = effective() else { return [] }
        var missing: [String] = []
        let packetSockets = interfaces.isEmpty || interfaces.contains { !$0.hasPrefix("nflog") }
        if packetSockets, bits & (1 << UInt64(netRaw)) == 0 { missing.append("CAP_NET_RAW") }
        if interfaces.contains(where: { $0.hasPrefix("nflog") }), bits & (1 << UInt64(netAdmin)) == 0 { missing.append("CAP_NET_ADMIN") }
        return missing
    }

    /// One line saying what is missing and the command that grants it.
    public static func explanation(missing: [String], executable: String) -> String {
        let caps = missing.map { $0.lowercased() }.joined(separator: ",")
        return "live capture needs \(missing.joined(separator: " and ")), which this process lacks; grant it to the binary, not root: "
            + "`sudo setcap \(caps)+eip \(executable)` (in a container: securityContext.capabilities.add)"
    }
}
