import Foundation

/// Traffic and facts for live-capture tests on loopback: connection attempts
/// to a closed port (a SYN, answered by RST), and the addresses `ip` lists
/// (the independent list an interface's own addresses are checked against).
public enum Loopback {
    /// Connects to 127.0.0.1:`port` `times` times, `pause` seconds apart.
    public static func knock(port: UInt16, times: Int = 1, pause: TimeInterval = 0) {
        for _ in 0..<times {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            close(fd)
            if pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
        }
    }

    /// `ip -o addr show [dev DEVICE]`: every address, without its prefix length.
    public static func ipAddresses(device: String? = nil) -> Set<String> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["-o", "addr", "show"] + (device.map { ["dev", $0] } ?? [])
        let out = Pipe()
        p.standardOutput = out
        guard (try? p.run()) != nil else { return [] }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        var found = Set<String>()
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let i = words.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), i + 1 < words.count {
                found.insert(String(words[i + 1].split(separator: "/")[0]))
            }
        }
        return found
    }
}
