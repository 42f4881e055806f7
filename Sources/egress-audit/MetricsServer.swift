#if canImport(Glibc)
import Glibc
#endif
import CaptureRuntime
import EgressAudit
import Foundation
import Synchronization

/// The `--metrics` endpoint: a tiny HTTP/1.1 server on its own thread
/// (sockets and poll(2), one request per connection, `Connection: close`).
/// `GET /metrics` answers the latest published snapshot in the Prometheus text
/// format; `GET /healthz` (liveness: the capture loop came round recently) and
/// `GET /readyz` (interfaces open, profile compiled, capturing) answer 200 or
/// 503 with one line, for the kubelet's probes (`LiveHealth`); with a profile,
/// `GET /report` is the audit so far as the HTML page and `/report.json` as the
/// JSON report (503 before the first refresh). `HEAD` answers as `GET` without
/// the body; another method is 405, another path 404, a request that is not HTTP 400. The capture thread
/// only ever takes the mutex to store a value: a slow, silent or garbage
/// client costs this thread at most `clientDeadline`, never the capture.
final class MetricsServer: Sendable {
    /// A request head larger than this is refused (400) without reading more.
    static let maximumHeadBytes = 8 * 1024
    /// A connection gets this long to send its request head and take the answer.
    static let clientDeadlineMilliseconds = 3_000

    let endpoint: MetricsEndpoint
    private let health: LiveHealth?
    private let listener: Int32
    private let latest = Mutex<MetricsSnapshot?>(nil)
    private let latestReport = Mutex<AuditReport?>(nil)
    private let stopping = Atomic<Bool>(false)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Binds and listens at once, so a taken port fails before the capture starts.
    init(endpoint: MetricsEndpoint, health: LiveHealth? = nil) throws(Failure) {
        self.endpoint = endpoint
        self.health = health
        let family = endpoint.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "--metrics: socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let address = MetricsEndpoint.address(endpoint.host, v6: endpoint.isIPv6) ?? []
        var rc: Int32
        if endpoint.isIPv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = endpoint.port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: address) }
            rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = endpoint.port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: address) }
            rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if rc == 0 { rc = listen(fd, 16) }
        if rc != 0 {
            let why = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "--metrics \(endpoint): cannot listen (\(why))")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        listener = fd
    }

    deinit {
        close(listener)
    }

    /// Called by the capture thread: the next scrape answers this.
    func publish(_ snapshot: MetricsSnapshot) {
        latest.withLock { $0 = snapshot }
    }

    /// Called by the capture thread with each refresh's audit: `/report` and `/report.json` answer it.
    func publish(report: AuditReport) {
        latestReport.withLock { $0 = report }
    }

    /// Serves on a new thread until `stop()`.
    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "metrics"
        thread.start()
    }

    /// The serving thread sees this within one poll interval.
    func stop() {
        stopping.store(true, ordering: .relaxed)
    }

    private func serve() {
        while !stopping.load(ordering: .relaxed) {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            // Non-blocking, so poll() bounds every read and write by the deadline.
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            answer(client)
            close(client)
        }
    }

    /// Reads one request head (bounded in size and time) and writes one answer.
    private func answer(_ client: Int32) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.clientDeadlineMilliseconds) * 1_000_000
        func remainingMilliseconds() -> Int32 {
            let now = DispatchTime.now().uptimeNanoseconds
            return now >= deadline ? 0 : Int32((deadline - now) / 1_000_000)
        }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        var complete = false
        while !complete, head.count <= Self.maximumHeadBytes {
            let wait = remainingMilliseconds()
            guard wait > 0 else { return }  // too slow: dropped without an answer
            var p = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, wait) > 0 else { return }
            let n = read(client, &buffer, buffer.count)
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard n > 0 else { return }
            head.append(contentsOf: buffer[0..<n])
            complete = Self.endOfHead(in: head)
        }
        let text = "text/plain; charset=utf-8"
        var (status, type, body) = ("400 Bad Request", text, Array("request head over \(Self.maximumHeadBytes) bytes\n".utf8))
        var withBody = true
        if complete {
            let request = Self.requestLine(head)
            (status, type, body) = respond(to: request)
            withBody = request?.0 != "HEAD"
        }
        // HEAD: the same head, Content-Length of the body it would have had (RFC 9110 §9.3.2), no body.
        let response = Array("HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\(status.hasPrefix("405") ? "Allow: GET, HEAD\r\n" : "")Connection: close\r\n\r\n".utf8)
            + (withBody ? body : [])
        var sent = 0
        while sent < response.count {
            let wait = remainingMilliseconds()
            guard wait > 0 else { return }
            var p = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
            guard poll(&p, 1, wait) > 0 else { return }
            let n = response[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard n > 0 else { return }
            sent += n
        }
        // Closing with unread input makes the kernel send RST, which can destroy the answer
        // before the client reads it (RFC 9112 §9.6): half-close, then discard a little input.
        _ = shutdown(client, Int32(SHUT_WR))
        var discarded = 0
        while discarded < 64 * 1024 {
            var p = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, min(remainingMilliseconds(), 200)) > 0 else { return }
            let n = read(client, &buffer, buffer.count)
            guard n > 0 else { return }
            discarded += n
        }
    }

    /// The answer to one request line: status, content type, body.
    private func respond(to request: (String, String)?) -> (String, String, [UInt8]) {
        let text = "text/plain; charset=utf-8"
        guard let (method, path) = request else { return ("400 Bad Request", text, Array("not an HTTP request\n".utf8)) }
        let paths = ["/metrics", "/healthz", "/readyz", "/report", "/report.json"]
        guard paths.contains(path) else { return ("404 Not Found", text, Array("only \(paths.joined(separator: ", "))\n".utf8)) }
        guard method == "GET" || method == "HEAD" else { return ("405 Method Not Allowed", text, Array("only GET and HEAD\n".utf8)) }
        switch path {
        case "/metrics":
            let snapshot = latest.withLock { $0 }
            return ("200 OK", MetricsExposition.contentType, Array((snapshot.map(MetricsExposition.render) ?? "").utf8))
        case "/healthz", "/readyz":
            let probe = path == "/healthz" ? health?.liveness(at: DispatchTime.now().uptimeNanoseconds) : health?.readiness()
            let answer = probe ?? LiveHealth.Answer(ok: false, text: "no capture session")
            return (answer.ok ? "200 OK" : "503 Service Unavailable", text, Array((answer.text + "\n").utf8))
        default:
            guard let report = latestReport.withLock({ $0 }) else {
                return ("503 Service Unavailable", text, Array("no audit report yet (it needs --profile; the first comes with the first metrics refresh)\n".utf8))
            }
            if path == "/report" { return ("200 OK", "text/html; charset=utf-8", Array(AuditReportHTML.render(report).utf8)) }
            guard let json = try? ReportOutput.jsonBytes(report) else { return ("500 Internal Server Error", text, Array("the report could not be rendered\n".utf8)) }
            return ("200 OK", "application/json", json)
        }
    }

    /// RFC 9112 §2.1: the head ends at the first empty line (CRLF CRLF; a bare LF LF is accepted).
    static func endOfHead(in bytes: [UInt8]) -> Bool {
        var previous: UInt8 = 0, lineEmpty = true
        for b in bytes {
            if b == UInt8(ascii: "\n") {
                if lineEmpty && previous != 0 { return true }
                lineEmpty = true
            } else if b != UInt8(ascii: "\r") {
                lineEmpty = false
            }
            previous = b
        }
        return false
    }

    /// The method and path of the request line (RFC 9112 §3), the query dropped; nil when it is not one.
    static func requestLine(_ head: [UInt8]) -> (String, String)? {
        let line = head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)) else { return nil }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        guard !method.isEmpty, target.hasPrefix("/") else { return nil }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        return (method, path)
    }
}
