import CaptureRuntime
import Foundation
import Testing
@testable import egress_audit

/// The `--metrics` endpoint without a capture: the address it accepts
/// (MetricsEndpoint), the request-head reader (RFC 9112 §2.1, §3), and a
/// server on a free loopback port answering raw requests. No root needed.
@Suite struct MetricsRequestTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: End of the request head

    @Test func theHeadEndsAtTheFirstEmptyLine() {
        #expect(MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")))
        #expect(MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1\r\n\r\n")))
        // A bare LF ends lines too (RFC 9112 §2.2 lets a recipient accept it).
        #expect(MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1\nHost: a\n\n")))
        // Bytes after the head (a body, a pipelined request) do not matter.
        #expect(MetricsServer.endOfHead(in: Self.bytes("POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nab")))
    }

    @Test func anUnfinishedHeadIsNotEnded() {
        #expect(!MetricsServer.endOfHead(in: []))
        #expect(!MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1")))
        #expect(!MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1\r\n")))
        #expect(!MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1\r\nHost: a\r\n")))
        #expect(!MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1\r\nHost: a\r\n\r")))
        // A CR inside a line is not a line end.
        #expect(!MetricsServer.endOfHead(in: Self.bytes("GET /metrics HTTP/1.1\r\r\r\r")))
    }

    // MARK: Request line

    @Test func theRequestLineGivesMethodAndPathWithoutTheQuery() {
        #expect(MetricsServer.requestLine(Self.bytes("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")).map { [$0.0, $0.1] } == ["GET", "/metrics"])
        #expect(MetricsServer.requestLine(Self.bytes("GET /metrics?name[]=up HTTP/1.1\r\n\r\n")).map { [$0.0, $0.1] } == ["GET", "/metrics"])
        #expect(MetricsServer.requestLine(Self.bytes("POST /metrics HTTP/1.0\r\n\r\n")).map { [$0.0, $0.1] } == ["POST", "/metrics"])
        #expect(MetricsServer.requestLine(Self.bytes("GET /nope HTTP/1.1\n\n")).map { [$0.0, $0.1] } == ["GET", "/nope"])
        // Methods are case-sensitive (RFC 9110 §9.1): kept as sent, so "get" is not GET.
        #expect(MetricsServer.requestLine(Self.bytes("get /metrics HTTP/1.1\r\n\r\n")).map { [$0.0, $0.1] } == ["get", "/metrics"])
        #expect(MetricsServer.requestLine(Self.bytes("GET / HTTP/1.1\r\n\r\n")).map { [$0.0, $0.1] } == ["GET", "/"])
    }

    @Test func whatIsNotAnHTTP1RequestLineIsNil() {
        for text in ["", "\r\n\r\n", "GET /metrics\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1 extra\r\n\r\n",
                     "GET metrics HTTP/1.1\r\n\r\n", " /metrics HTTP/1.1\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                     "GET /metrics SPDY/3\r\n\r\n", "\u{16}\u{03}\u{01} hello\r\n\r\n"] {
            #expect(MetricsServer.requestLine(Self.bytes(text)) == nil, "\(text.debugDescription)")
        }
    }

    // MARK: The address

    @Test func aBarePortIsLoopbackAndHostsAreLiterals() throws {
        let bare = try MetricsEndpoint(parsing: "9469")
        #expect(bare.host == "127.0.0.1" && bare.port == 9469 && !bare.isIPv6 && bare.isLoopback)
        #expect(bare.description == "127.0.0.1:9469")
        #expect(try MetricsEndpoint(parsing: "localhost:9469") == bare)
        #expect(try MetricsEndpoint(parsing: "127.9.9.9:1").isLoopback)
        let any = try MetricsEndpoint(parsing: "0.0.0.0:65535")
        #expect(any.port == 65535 && !any.isLoopback)
        let v6 = try MetricsEndpoint(parsing: "[::1]:9469")
        #expect(v6.host == "::1" && v6.isIPv6 && v6.isLoopback && v6.description == "[::1]:9469")
        #expect(try !MetricsEndpoint(parsing: "[::]:9469").isLoopback)
        #expect(try !MetricsEndpoint(parsing: "[2001:db8::1]:80").isLoopback)
    }

    @Test func badAddressesSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("0", "--metrics \"0\": the port must be 1…65535"),
            ("65536", "--metrics \"65536\": the port must be 1…65535"),
            ("127.0.0.1:", "--metrics \"127.0.0.1:\": the port must be 1…65535"),
            ("127.0.0.1:http", "--metrics \"127.0.0.1:http\": the port must be 1…65535"),
            ("::1:9469", "--metrics \"::1:9469\": write an IPv6 address in brackets, [::1]:PORT"),
            ("[::1]9469", "--metrics \"[::1]9469\": expected [IPv6]:PORT"),
            ("[::1", "--metrics \"[::1\": expected [IPv6]:PORT"),
            ("example.com:9469", "--metrics \"example.com:9469\": \"example.com\" is not an IPv4 address"),
            ("[127.0.0.1]:9469", "--metrics \"[127.0.0.1]:9469\": \"127.0.0.1\" is not an IPv6 address"),
            ("256.0.0.1:9469", "--metrics \"256.0.0.1:9469\": \"256.0.0.1\" is not an IPv4 address"),
        ]
        for (text, message) in cases {
            do {
                let parsed = try MetricsEndpoint(parsing: text)
                Issue.record("\(text) was accepted as \(parsed)")
            } catch {
                #expect(error.description == message)
            }
        }
    }

    // MARK: A server on loopback

    @Test func theServerAnswersEachKindOfRequest() throws {
        let port = LiveMetricsTests.freePort()
        let server = try MetricsServer(endpoint: try MetricsEndpoint(parsing: "127.0.0.1:\(port)"))
        server.start()
        defer { server.stop() }
        // Nothing published yet: an empty exposition, still 200 with its content type.
        let metrics = LiveMetricsTests.exchange(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(metrics.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(metrics)")
        #expect(metrics.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(metrics.hasSuffix("\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        let query = LiveMetricsTests.exchange(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n")
        #expect(query.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(query)")
        #expect(LiveMetricsTests.exchange(port, "GET /nope HTTP/1.1\r\n\r\n")
            == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 56\r\nConnection: close\r\n\r\nonly /metrics, /healthz, /readyz, /report, /report.json\n")
        // Without a session behind it, neither probe passes.
        #expect(LiveMetricsTests.exchange(port, "GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        // HEAD (RFC 9110 §9.3.2): GET's status and headers, Content-Length of the body GET would send, no body.
        let get = LiveMetricsTests.exchange(port, "GET /healthz HTTP/1.1\r\n\r\n")
        let head = LiveMetricsTests.exchange(port, "HEAD /healthz HTTP/1.1\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") && head.hasSuffix("\r\n\r\n"), "\(head)")
        #expect(get.hasPrefix(head) && get.count > head.count, "HEAD is GET's head without the body")
        #expect(LiveMetricsTests.exchange(port, "HEAD /metrics HTTP/1.1\r\n\r\n") == metrics, "nothing published: an empty body either way")
        #expect(LiveMetricsTests.exchange(port, "POST /metrics HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        // No audit published yet: the report is not there, said in one line.
        #expect(LiveMetricsTests.exchange(port, "GET /report HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(LiveMetricsTests.exchange(port, "hello\r\n\r\n")
            == "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\nConnection: close\r\n\r\nnot an HTTP request\n")
        // 8 KiB of head without an end: refused before more is read.
        let huge = LiveMetricsTests.exchange(port, "GET /metrics HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 9000))
        #expect(huge.hasPrefix("HTTP/1.1 400 Bad Request\r\n") && huge.hasSuffix("request head over 8192 bytes\n"), "\(huge)")
    }

    /// The probes answer from the session's health: a heartbeat older than the
    /// limit fails liveness until the loop beats again; readiness follows the phase.
    @Test func theProbesFollowTheHeartbeatAndThePhase() throws {
        let port = LiveMetricsTests.freePort()
        let now = { DispatchTime.now().uptimeNanoseconds }
        // The last beat 5 s ago, a limit of 2 s: stalled.
        let health = LiveHealth(stallAfterSeconds: 2, startedAt: now() - 5_000_000_000)
        let server = try MetricsServer(endpoint: try MetricsEndpoint(parsing: "127.0.0.1:\(port)"), health: health)
        server.start()
        defer { server.stop() }
        let stalled = LiveMetricsTests.exchange(port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(stalled.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(stalled)")
        #expect(stalled.hasSuffix("\r\n\r\nstalled: the capture loop made no progress for 5.0 s (limit 2.0 s)\n"), "\(stalled)")
        #expect(LiveMetricsTests.exchange(port, "GET /readyz HTTP/1.1\r\n\r\n").hasSuffix("\r\n\r\nnot ready: starting\n"))
        health.beat(at: now())
        health.enter(.capturing)
        let alive = LiveMetricsTests.exchange(port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(alive.hasPrefix("HTTP/1.1 200 OK\r\n") && alive.contains("\r\n\r\nok: the capture loop came round"), "\(alive)")
        #expect(LiveMetricsTests.exchange(port, "GET /readyz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
        health.enter(.stopping)
        #expect(LiveMetricsTests.exchange(port, "GET /readyz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
    }

    @Test func aTakenPortFailsAtOnce() throws {
        let port = LiveMetricsTests.freePort()
        let endpoint = try MetricsEndpoint(parsing: "\(port)")
        let first = try MetricsServer(endpoint: endpoint)
        defer { withExtendedLifetime(first) {} }
        do {
            _ = try MetricsServer(endpoint: endpoint)
            Issue.record("a second server bound \(endpoint)")
        } catch {
            #expect(error.description == "--metrics 127.0.0.1:\(port): cannot listen (Address already in use)")
        }
    }
}
