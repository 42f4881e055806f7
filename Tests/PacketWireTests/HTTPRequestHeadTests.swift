import Testing
@testable import PacketWire

@Suite struct HTTPRequestHeadTests {
    typealias F = AppWireFixtures

    private func parse(_ text: String, maxLength: Int = HTTPRequestHead.defaultMaxLength, _ body: (HTTPRequestHeadParse) -> Void) {
        F.withView(F.ascii(text)) { body(HTTPRequestHead.parse($0, maxLength: maxLength)) }
    }

    @Test func getWithHost() {
        let text = "GET /index.html?q=1 HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nHost: \t Example.COM:8080 \r\nhost: second\r\n\r\nbody"
        parse(text) { result in
            guard case .complete(let head) = result else { Issue.record("expected complete"); return }
            #expect(head.methodString == "GET")
            #expect(head.targetString == "/index.html?q=1")
            #expect(head.versionMajor == 1 && head.versionMinor == 1)
            #expect(head.hostString == "Example.COM:8080", "first Host wins, trimmed")
            #expect(head.length == text.utf8.count - 4)
            #expect(!head.isCONNECT && head.connectAuthority == nil)
            let authority = head.host.flatMap { HTTPAuthority($0) }
            #expect(authority?.hostString == "Example.COM" && authority?.port == 8080)
        }
    }

    @Test func hostNameIsCaseInsensitiveAndLFLinesAreAccepted() {
        parse("POST /api HTTP/1.0\nHOST: api.example.net\nContent-Length: 0\n\n") { result in
            guard case .complete(let head) = result else { Issue.record("expected complete"); return }
            #expect(head.methodString == "POST" && head.versionMinor == 0)
            #expect(head.hostString == "api.example.net")
        }
    }

    @Test func noHostHeader() {
        parse("GET / HTTP/1.0\r\n\r\n") { result in
            guard case .complete(let head) = result else { Issue.record("expected complete"); return }
            #expect(head.host == nil && head.length == 18)
        }
    }

    /// Seen in zeek-mixed-vlan-mpls.pcap: a bare "GET /" line, which tshark counts as a request.
    @Test func http09SimpleRequest() {
        parse("GET /\r\n\r\n") { result in
            guard case .complete(let head) = result else { Issue.record("expected complete"); return }
            #expect(head.targetString == "/" && head.versionMajor == 0 && head.versionMinor == 9)
            #expect(head.host == nil && head.length == 7)
        }
    }

    @Test func connectSplitsHostAndPort() {
        parse("CONNECT login.microsoftonline.com:443 HTTP/1.1\r\nHost: login.microsoftonline.com:443\r\n\r\n") { result in
            guard case .complete(let head) = result, let authority = head.connectAuthority else {
                Issue.record("expected CONNECT authority")
                return
            }
            #expect(authority.hostString == "login.microsoftonline.com" && authority.port == 443)
        }
        parse("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n") { result in
            guard case .complete(let head) = result, let authority = head.connectAuthority else {
                Issue.record("expected CONNECT authority")
                return
            }
            #expect(authority.hostString == "2001:db8::1" && authority.port == 8443)
        }
    }

    @Test(arguments: ["", "[2001:db8::1", "[]:80", "host:", "host:65536", "host:12a", ":80", "[::1]x"])
    func badAuthorities(text: String) {
        F.withView(F.ascii(text)) { #expect(HTTPAuthority($0) == nil, "\(text)") }
    }

    @Test func authorityWithoutPort() {
        F.withView(F.ascii("[::1]")) { view in
            let a = HTTPAuthority(view)
            #expect(a?.hostString == "::1" && a?.port == nil)
        }
    }

    @Test(arguments: ["G", "GET", "GET ", "GET /", "GET / HTTP/1.1", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a", "GET / HTTP/1.1\r\nHost: a\r\n"])
    func incompleteHeadNeedsMore(text: String) {
        parse(text) { result in
            guard case .needMore = result else { Issue.record("\(text.debugDescription) should need more"); return }
        }
    }

    @Test(arguments: [
        "\u{16}\u{03}\u{01}\u{00}", "SSH-2.0-OpenSSH_9.6\r\n", "get / HTTP/1.1\r\n\r\n", "GET / HTTP/2.0\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\n", "GET / FTP/1.1\r\n\r\n", "POST /\r\n\r\n", " GET / HTTP/1.1\r\n\r\n", "GET\u{0}/ HTTP/1.1",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n",
    ])
    func notHTTP(text: String) {
        parse(text) { result in
            guard case .notHTTP = result else { Issue.record("\(text.debugDescription) should be notHTTP"); return }
        }
    }

    @Test func capAt8KiB() {
        let long = "GET /" + String(repeating: "a", count: 9000)
        parse(long) { result in
            guard case .tooLarge = result else { Issue.record("expected tooLarge"); return }
        }
        let manyHeaders = "GET / HTTP/1.1\r\n" + String(repeating: "X-Pad: 0123456789\r\n", count: 500)
        parse(manyHeaders) { result in
            guard case .tooLarge = result else { Issue.record("expected tooLarge"); return }
        }
        // A head ending exactly within the cap is fine.
        parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n", maxLength: 27) { result in
            guard case .complete = result else { Issue.record("expected complete"); return }
        }
    }

    @Test func randomBytesNeverTrap() {
        var rng = AppWireRNG(seed: 0x4777_0001)
        var complete = 0
        let seed = F.ascii("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n")
        for round in 0..<5000 {
            var bytes = rng.bytes(maxCount: 200)
            if round % 2 == 0 {
                bytes = seed
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next() % 128)
            }
            F.withView(bytes) { view in
                if case .complete(let head) = HTTPRequestHead.parse(view) {
                    complete += 1
                    _ = head.connectAuthority
                    _ = head.host.flatMap { HTTPAuthority($0) }
                }
            }
        }
        #expect(complete > 100)
    }
}
