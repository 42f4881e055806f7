import Foundation
import TestSupport
import Testing

/// `live --metrics`: scraped over a raw socket while the capture runs.
@Suite(.serialized) struct LiveMetricsTests {
    /// A loopback TCP port nobody listens on right now (bound to 0, read back, closed).
    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// A connected socket to 127.0.0.1:port, or -1.
    static func connectTo(_ port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 { close(fd); return -1 }
        return fd
    }

    /// Sends `request` as is and reads the answer until the server closes.
    static func exchange(_ port: UInt16, _ request: String) -> String {
        let fd = connectTo(port)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 10_000) > 0 else { break }
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            answer.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// A connect() SYN on loopback as Linux sends it, in bytes on the wire: 14
    /// (Ethernet) + 20 (IPv4) + 20 (TCP) + MSS 4, then SACK-permitted and
    /// timestamps in 12 (or NOP NOP SACK-permitted in 4 without timestamps),
    /// then NOP + window scale in 4 (tcp_options_write in net/ipv4/tcp_output.c).
    static let linuxSYNFrameLength: Int = {
        func enabled(_ name: String) -> Bool {
            (try? String(contentsOfFile: "/proc/sys/net/ipv4/\(name)", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) != "0"
        }
        let timestamps = enabled("tcp_timestamps"), sack = enabled("tcp_sack"), windowScaling = enabled("tcp_window_scaling")
        return 14 + 20 + 20 + 4 + (timestamps ? 12 : sack ? 4 : 0) + (windowScaling ? 4 : 0)
    }()

    /// The value of one sample line (`name{labels} value`), if present.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// With a profile, the metrics server also serves the audit so far: `/report.json` is an audit report
    /// (schema version 2, this profile), `/report` the same report as the HTML page, `HEAD` its head alone;
    /// and the metrics carry the version and a series per required rule.
    @Test(.requires(.root))
    func theAuditSoFarIsServedAsHTMLAndJSON() throws {
        let port = Self.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["live", "-i", "lo", "--filter", "tcp port 48", "--metrics", "127.0.0.1:\(port)", "--duration", "5",
                       "--profile", "cassandra-mi", "--param", "region=westus"]
        let err = Pipe(), out = Pipe()
        p.standardError = err
        p.standardOutput = out
        try p.run()
        let first = LiveCommandTests.waitUntilCapturing(err)
        #expect(first.contains("the audit so far: /report, /report.json"), "\(first)")
        var json = ""
        while p.isRunning {
            json = Self.exchange(port, "GET /report.json HTTP/1.1\r\n\r\n")
            if json.hasPrefix("HTTP/1.1 200 OK\r\n") { break }
            usleep(200_000)
        }
        #expect(json.hasPrefix("HTTP/1.1 200 OK\r\n") && json.contains("\r\nContent-Type: application/json\r\n"), "\(json.prefix(300))")
        let body = try #require(json.range(of: "\r\n\r\n").map { Data(json[$0.upperBound...].utf8) })
        let doc = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(doc["tool"] as? String == "egress-audit" && doc["schemaVersion"] as? Int == 2)
        #expect((doc["profile"] as? [String: Any])?["id"] as? String == "cassandra-mi")
        let verdict = try #require(doc["verdict"] as? String)
        let html = Self.exchange(port, "GET /report HTTP/1.1\r\n\r\n")
        #expect(html.hasPrefix("HTTP/1.1 200 OK\r\n") && html.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"))
        #expect(html.contains("<h1 id=\"verdict-line\">\(verdict)</h1>"), "the page's verdict is the report's")
        let head = Self.exchange(port, "HEAD /report HTTP/1.1\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.hasSuffix("\r\n\r\n"), "HEAD: no body")
        let metrics = Self.exchange(port, "GET /metrics HTTP/1.1\r\n\r\n")
        #expect(metrics.contains("egress_audit_build_info{version=\""))
        let rules = try #require(doc["requiredRules"] as? [[String: Any]])
        for rule in rules {
            let id = try #require(rule["rule"] as? String), status = try #require(rule["status"] as? String)
            #expect(metrics.contains("egress_audit_required_rule_status{rule=\"\(id)\",status=\"\(status)\"} 1\n"), "\(id)")
        }
        p.waitUntilExit()
        _ = out.fileHandleForReading.readDataToEndOfFile()
    }

    @Test(.requires(.root))
    func metricsAreServedWhileCapturingAndOtherPathsAre404() throws {
        let port = Self.freePort()
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("live.json").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["live", "-i", "lo", "--filter", "tcp port 47", "--metrics", "127.0.0.1:\(port)", "--duration", "6", "--json", "--output", report]
        let err = Pipe()
        p.standardError = err
        let started = Date().timeIntervalSince1970
        try p.run()
        let first = LiveCommandTests.waitUntilCapturing(err)
        #expect(first.contains("metrics at http://127.0.0.1:\(port)/metrics"))
        // A client that connects and says nothing: it must hold up neither the capture nor the end of the run.
        let silent = Self.connectTo(port)
        defer { if silent >= 0 { close(silent) } }
        // Port 47, knocked by no other test (suites run in parallel on the same lo).
        LiveCommandTests.knock(port: 47, times: 2)
        // Scrape until the knocks are counted (the capture thread publishes every 2 s), while the run lasts.
        var scrape = ""
        while p.isRunning {
            scrape = Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            if (Self.sample(scrape, "egress_audit_packets_total{interface=\"lo\"}") ?? 0) > 0 { break }
            usleep(200_000)
        }
        #expect(scrape.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(scrape)")
        #expect(scrape.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        // Two knocks: SYN and RST each, nothing else passes "tcp port 47".
        #expect(Self.sample(scrape, "egress_audit_packets_total{interface=\"lo\"}") == 4)
        // On the wire, per knock: the SYN (14 Ethernet + 20 IPv4 + the TCP header with this
        // kernel's SYN options) and the RST+ACK (14 + 20 + 20, no options).
        #expect(Self.sample(scrape, "egress_audit_bytes_total{interface=\"lo\"}") == Double(2 * (Self.linuxSYNFrameLength + 54)))
        // Four packets on an idle loopback: nothing dropped, nothing malformed, both flows still in the table.
        for series in ["egress_audit_kernel_drops_total{interface=\"lo\"}", "egress_audit_interface_drops_total{interface=\"lo\"}",
                       "egress_audit_malformed_packets_total", "egress_audit_flow_evictions_total"] {
            #expect(Self.sample(scrape, series) == 0, "\(series)")
        }
        // Taken during this run: after the tool started, not after this scrape.
        let taken = try #require(Self.sample(scrape, "egress_audit_last_snapshot_timestamp_seconds"))
        #expect(taken >= started.rounded(.down) && taken <= Date().timeIntervalSince1970, "\(taken)")
        #expect(scrape.contains("# TYPE egress_audit_packets_total counter\n"))
        // The body is exactly Content-Length bytes.
        if let split = scrape.range(of: "\r\n\r\n"), let length = scrape.split(separator: "\r\n").first(where: { $0.hasPrefix("Content-Length: ") }) {
            #expect(Int(length.dropFirst("Content-Length: ".count)) == scrape[split.upperBound...].utf8.count)
        }
        // The probes: the loop comes round every read timeout on an idle loopback, and the run is capturing.
        let healthz = Self.exchange(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(healthz.hasPrefix("HTTP/1.1 200 OK\r\n") && healthz.contains("\r\n\r\nok: the capture loop came round 0."), "\(healthz)")
        let readyz = Self.exchange(port, "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(readyz.hasPrefix("HTTP/1.1 200 OK\r\n") && readyz.hasSuffix("\r\n\r\nready: capturing (interfaces open, any profile compiled)\n"), "\(readyz)")
        let nope = Self.exchange(port, "GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(nope.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(nope)")
        let post = Self.exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && post.contains("\r\nAllow: GET, HEAD\r\n"), "\(post)")
        // Without a profile there is no audit to show.
        #expect(Self.exchange(port, "GET /report.json HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        let garbage = Self.exchange(port, "\u{16}\u{03}\u{01} hello\r\n\r\n")
        #expect(garbage.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        // A head longer than 8 KiB with no end is refused, not buffered.
        let huge = Self.exchange(port, "GET /metrics HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 9000))
        #expect(huge.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        #expect((doc?["summary"] as? [String: Any])?["synDestinationPorts"] as? [Int] == [47])
    }

    @Test(.requires(.root))
    func theMetricsAddressIsCheckedAndABroadOneIsWarnedAbout() throws {
        let zero = try CLI.run(["live", "-i", "lo", "--metrics", "0", "--duration", "1"])
        #expect(zero.status == 64)
        #expect(zero.stderr.contains("--metrics \"0\": the port must be 1…65535"))
        let bare6 = try CLI.run(["live", "-i", "lo", "--metrics", "::1:9469", "--duration", "1"])
        #expect(bare6.status == 64)
        #expect(bare6.stderr.contains("write an IPv6 address in brackets"))
        let name = try CLI.run(["live", "-i", "lo", "--metrics", "example.com:9469", "--duration", "1"])
        #expect(name.status == 64)
        let v6 = try CLI.run(["live", "-i", "lo", "--metrics", "[::1]:\(Self.freePort())", "--duration", "1"])
        #expect(v6.status == 0, "\(v6.stderr)")
        #expect(!v6.stderr.contains("warning"))
        let port = Self.freePort()
        let broad = try CLI.run(["live", "-i", "lo", "--metrics", "0.0.0.0:\(port)", "--duration", "1"])
        #expect(broad.status == 0)
        #expect(broad.stderr.contains("warning: --metrics 0.0.0.0:\(port): serving the node's egress picture beyond loopback"))
        // A port already taken: exit 1 before capturing.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        _ = listen(holder, 1)
        let taken = try CLI.run(["live", "-i", "lo", "--metrics", "\(port)", "--duration", "1"])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("--metrics 127.0.0.1:\(port): cannot listen (Address already in use)"))
    }
}
