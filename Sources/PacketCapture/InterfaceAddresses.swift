#if canImport(Glibc)
import Glibc
#endif
import PacketWire

/// The IP addresses configured on interfaces (getifaddrs(3)): in a live
/// capture these are the node itself, the side whose egress is audited.
public enum InterfaceAddresses {
    /// Every IPv4 and IPv6 address of the named interfaces; for `any`, of every
    /// interface. Sorted and without repeats.
    public static func addresses(of interfaces: [String]) -> [IPAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        let everything = interfaces.contains("any")
        var found = Set<IPAddress>()
        var entry: UnsafeMutablePointer<ifaddrs>? = first
        while let e = entry {
            defer { entry = e.pointee.ifa_next }
            guard let sa = e.pointee.ifa_addr, let cName = e.pointee.ifa_name else { continue }
            let name = String(cString: cName)
            guard everything || interfaces.contains(name) else { continue }
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                let raw = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                found.insert(IPAddress(ipv4: UInt32(bigEndian: raw)))
            case AF_INET6:
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                }
                var high: UInt64 = 0, low: UInt64 = 0
                for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
                for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
                found.insert(IPAddress(ipv6High: high, low: low))
            default:
                continue
            }
        }
        return found.sorted()
    }
}
