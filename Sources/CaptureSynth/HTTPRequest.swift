/// HTTP/1.1 request heads (RFC 9112 §3): origin-form GET and authority-form CONNECT (RFC 9110 §9.3.6).
public enum HTTPRequest {
    public static func get(host: String, path: String = "/", userAgent: String = "egress-capgen/1.0") -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\nAccept: */*\r\n\r\n".utf8)
    }

    /// `CONNECT host:port HTTP/1.1` sent to a proxy; the Host header repeats the authority as clients do.
    public static func connect(target: String, userAgent: String = "egress-capgen/1.0") -> [UInt8] {
        Array("CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\nUser-Agent: \(userAgent)\r\nProxy-Connection: Keep-Alive\r\n\r\n".utf8)
    }

    public static func okResponse(bodyLength: Int) -> [UInt8] {
        Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(bodyLength)\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: bodyLength)
    }

    public static let connectionEstablished: [UInt8] = Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)
}
