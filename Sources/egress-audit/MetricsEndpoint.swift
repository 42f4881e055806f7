#if canImport(Glibc)
import Glibc
#endif

/// Where `--metrics [HOST:]PORT` listens: a bare port is 127.0.0.1:PORT; a
/// host is an IPv4 literal, `[IPv6]`, or `localhost`. Only loopback is the
/// default: exposing the node's egress picture on the network must be written out.
struct MetricsEndpoint: Equatable, CustomStringConvertible {
    let host: String
    let port: UInt16
    let isIPv6: Bool

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(parsing text: String) throws(Invalid) {
        var host = "127.0.0.1", portText = Substring(text), v6 = false
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw Invalid(description: "--metrics \"\(text)\": expected [IPv6]:PORT")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
            v6 = true
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw Invalid(description: "--metrics \"\(text)\": write an IPv6 address in brackets, [::1]:PORT") }
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard let port = UInt16(portText), port > 0 else {
            throw Invalid(description: "--metrics \"\(text)\": the port must be 1…65535")
        }
        guard Self.address(host, v6: v6) != nil else {
            throw Invalid(description: "--metrics \"\(text)\": \"\(host)\" is not an IP\(v6 ? "v6" : "v4") address")
        }
        self.host = host
        self.port = port
        isIPv6 = v6
    }

    /// 127.0.0.0/8 or ::1.
    var isLoopback: Bool {
        guard let bytes = Self.address(host, v6: isIPv6) else { return false }
        return isIPv6 ? bytes == [UInt8](repeating: 0, count: 15) + [1] : bytes[0] == 127
    }

    var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The address in network byte order (4 or 16 bytes), or nil when it does not parse.
    static func address(_ host: String, v6: Bool) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: v6 ? 16 : 4)
        guard inet_pton(v6 ? AF_INET6 : AF_INET, host, &bytes) == 1 else { return nil }
        return bytes
    }
}
