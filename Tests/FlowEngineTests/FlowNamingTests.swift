import CaptureSynth
import PacketWire
import Testing
@testable import FlowEngine

/// Where a flow's names come from (FlowNaming): the TLS ClientHello, the
/// HTTP request head and CONNECT, the QUIC Initial, and the DNS answers the
/// client received before it connected. Each source is fed on its own, then
/// together where they meet: the tracker keeps every name a flow carried
/// (choosing between them is the audit's FlowClassifier, tested there).
@Suite struct FlowNamingTests {
    let node = Endpoint("10.0.0.4", 40000)
    let web = Endpoint("192.0.2.10", 443)
    let resolver = Endpoint("10.0.0.2", 53)
    let nodeResolverPort = Endpoint("10.0.0.4", 40053)

    // MARK: TLS

    @Test func theClientHelloGivesServerNameFirstALPNAndECH() throws {
        var h = TrackerHarness()
        h.handshake(node, web)
        h.feed(TrackerHarness.tcp(node, web, [.psh, .ack], seq: 1001, ack: 5001, payload: TrackerHarness.clientHello("API.Example.COM")))
        let r = try h.flow(node, web)
        // Names are kept lower case (DNS and SNI compare case-insensitively).
        #expect(h.name(r.sni) == "api.example.com")
        #expect(h.name(r.alpn) == "h2")
        #expect(r.tlsClientHelloSeen && !r.echPresent)
        #expect(r.quicSNI.isNone && r.httpHost.isNone && r.connectTarget.isNone)
        #expect(h.tracker.namingCounters.tlsClientHellos == 1)

        let other = Endpoint("10.0.0.4", 40002)
        h.handshake(other, web)
        h.feed(TrackerHarness.tcp(other, web, [.psh, .ack], seq: 1001, ack: 5001, payload: TrackerHarness.clientHello("public.example.com", ech: true)))
        let outer = try h.flow(other, web)
        #expect(h.name(outer.sni) == "public.example.com" && outer.echPresent)
    }

    @Test(arguments: [false, true])
    func aClientHelloSplitOverTwoSegmentsIsReassembled(_ outOfOrder: Bool) throws {
        var h = TrackerHarness()
        h.handshake(node, web)
        let hello = TrackerHarness.clientHello("split.example.com")
        let cut = 100
        let first = TrackerHarness.tcp(node, web, .ack, seq: 1001, ack: 5001, payload: Array(hello[..<cut]))
        let second = TrackerHarness.tcp(node, web, [.psh, .ack], seq: 1001 + UInt32(cut), ack: 5001, payload: Array(hello[cut...]))
        for segment in outOfOrder ? [second, first] : [first, second] { h.feed(segment) }
        let r = try h.flow(node, web)
        #expect(h.name(r.sni) == "split.example.com")
        #expect(h.tracker.namingCounters.tlsClientHellos == 1)
    }

    @Test func theServerSideNeverNamesTheFlow() throws {
        var h = TrackerHarness()
        h.handshake(node, web)
        // A ClientHello-shaped payload from the responder: not the client's first flight.
        h.feed(TrackerHarness.tcp(web, node, [.psh, .ack], seq: 5001, ack: 1001, payload: TrackerHarness.clientHello("server.example.com")))
        #expect(try h.flow(node, web).sni.isNone)
    }

    // MARK: HTTP and CONNECT

    @Test func theHTTPHostIsKeptWithoutItsPort() throws {
        var h = TrackerHarness()
        let server = Endpoint("192.0.2.80", 80)
        h.handshake(node, server)
        h.feed(TrackerHarness.tcp(node, server, [.psh, .ack], seq: 1001, ack: 5001, payload: HTTPRequest.get(host: "Downloads.Example.ORG:8080")))
        let r = try h.flow(node, server)
        #expect(h.name(r.httpHost) == "downloads.example.org")
        #expect(r.sni.isNone && r.connectTarget.isNone)
        #expect(h.tracker.namingCounters.httpRequests == 1)
    }

    @Test func connectNamesTheTargetAndPortAndTheTunnelsClientHelloToo() throws {
        var h = TrackerHarness()
        let proxy = Endpoint("10.0.0.3", 3128)
        h.handshake(node, proxy)
        let connect = HTTPRequest.connect(target: "login.example.net:8443")
        h.feed(TrackerHarness.tcp(node, proxy, [.psh, .ack], seq: 1001, ack: 5001, payload: connect))
        h.feed(TrackerHarness.tcp(proxy, node, [.psh, .ack], seq: 5001, ack: 1001 + UInt32(connect.count), payload: HTTPRequest.connectionEstablished))
        // The ClientHello through the tunnel comes in the client's next segment.
        h.feed(TrackerHarness.tcp(node, proxy, [.psh, .ack], seq: 1001 + UInt32(connect.count), ack: 5001 + UInt32(HTTPRequest.connectionEstablished.count),
                                  payload: TrackerHarness.clientHello("login.example.net")))
        let r = try h.flow(node, proxy)
        #expect(h.name(r.connectTarget) == "login.example.net")
        #expect(r.connectPort == 8443)
        #expect(h.name(r.httpHost) == "login.example.net")
        #expect(h.name(r.sni) == "login.example.net")
        // The flow itself goes to the proxy; the names say where the client meant to go.
        #expect(r.responder.address == proxy.ip && r.responder.port == 3128)
    }

    @Test func connectAndItsClientHelloInOneSegmentGiveBoth() throws {
        var h = TrackerHarness()
        let proxy = Endpoint("10.0.0.3", 3128)
        h.handshake(node, proxy)
        let payload = HTTPRequest.connect(target: "vault.example.net:443") + TrackerHarness.clientHello("vault.example.net")
        h.feed(TrackerHarness.tcp(node, proxy, [.psh, .ack], seq: 1001, ack: 5001, payload: payload))
        let r = try h.flow(node, proxy)
        #expect(h.name(r.connectTarget) == "vault.example.net" && r.connectPort == 443)
        #expect(h.name(r.sni) == "vault.example.net")
    }

    @Test func aConnectWithoutAPortMeans443() throws {
        var h = TrackerHarness()
        let proxy = Endpoint("10.0.0.3", 3128)
        h.handshake(node, proxy)
        let head = Array("CONNECT bare.example.net HTTP/1.1\r\nHost: bare.example.net\r\n\r\n".utf8)
        h.feed(TrackerHarness.tcp(node, proxy, [.psh, .ack], seq: 1001, ack: 5001, payload: head))
        let r = try h.flow(node, proxy)
        #expect(h.name(r.connectTarget) == "bare.example.net" && r.connectPort == 443)
    }

    // MARK: QUIC

    @Test(arguments: [false, true])
    func theQUICInitialsClientHelloNamesTheFlow(_ split: Bool) throws {
        var h = TrackerHarness()
        let client = Endpoint("10.0.0.4", 50000)
        // Split: the CRYPTO data in two Initials, the second half first.
        for datagram in try TrackerHarness.quicFirstFlight("quic.example.org", split: split) { h.feed(TrackerHarness.udp(client, web, payload: datagram)) }
        let r = try h.flow(client, web, transport: .udp)
        #expect(h.name(r.quicSNI) == "quic.example.org")
        #expect(r.sni.isNone)
        #expect(h.name(r.alpn) == "h3")
        #expect(h.tracker.namingCounters.quicInitials == (split ? 2 : 1))
        #expect(h.tracker.namingCounters.quicClientHellos == 1)
        #expect(h.tracker.namingCounters.quicUndecryptable == 0)
    }

    /// Finished QUIC flows' crypto streams are reused by later ones: flows whose
    /// ClientHellos each span two Initials, more of them at once than are kept
    /// spare, interleaved, each named by its own server name and nothing left over.
    @Test func reusedQUICCryptoStreamsNameEachFlowByItsOwnHello() throws {
        var h = TrackerHarness()
        let count = FlowTracker.spareQUICStreamLimit + 5
        var flights: [[[UInt8]]] = []
        for i in 0..<count { flights.append(try TrackerHarness.quicFirstFlight("q\(i).example.org", split: true)) }
        // Rounds: first halves of a batch of flows, then their second halves; later batches reuse the streams.
        for batch in stride(from: 0, to: count, by: 7) {
            let flows = batch..<Swift.min(batch + 7, count)
            for i in flows { h.feed(TrackerHarness.udp(Endpoint("10.0.1.\(i + 1)", 50000), web, payload: flights[i][0])) }
            for i in flows { h.feed(TrackerHarness.udp(Endpoint("10.0.1.\(i + 1)", 50000), web, payload: flights[i][1])) }
        }
        for i in 0..<count {
            let r = try h.flow(Endpoint("10.0.1.\(i + 1)", 50000), web, transport: .udp)
            #expect(h.name(r.quicSNI) == "q\(i).example.org")
        }
        #expect(h.tracker.namingCounters.quicClientHellos == UInt64(count))
        #expect(h.tracker.namingCounters.quicUndecryptable == 0)
        #expect(h.tracker.quicFlows.isEmpty)
        #expect(h.tracker.spareQUICStreams.count == Swift.min(7, FlowTracker.spareQUICStreamLimit))
    }

    // MARK: DNS

    @Test func aDNSAnswerNamesTheClientsLaterFlowByTheNameItAsked() throws {
        var h = TrackerHarness()
        // www.example.com → CNAME edge.cdn.example.net → A 192.0.2.10: the flow gets the asked name.
        h.feed(TrackerHarness.dnsResponse(to: nodeResolverPort, from: resolver, name: "www.example.com", [
            CaptureSynth.DNSRecord(name: "www.example.com", data: .canonicalName("edge.cdn.example.net")),
            CaptureSynth.DNSRecord(name: "edge.cdn.example.net", ttl: 60, data: .address(HostAddress("192.0.2.10")!)),
        ]))
        h.handshake(node, web)
        #expect(try h.name(h.flow(node, web).dnsName) == "www.example.com")
        // The answer as observed: both records, in order.
        let asked = h.tracker.names.lookup("www.example.com"), edge = h.tracker.names.lookup("edge.cdn.example.net")
        let observation = try #require(h.tracker.dnsObservations.first { $0.name == asked })
        #expect(observation.answers == [.cname(edge), .address(IPAddress("192.0.2.10")!)])
        #expect(observation.type == 1 && observation.rcode == 0 && !observation.overTCP && !observation.linkLocal)
    }

    @Test func everyAddressOfAnAnswerNamesItsFlows() throws {
        var h = TrackerHarness()
        h.feed(TrackerHarness.dnsResponse(to: nodeResolverPort, from: resolver, name: "pool.example.com", [
            CaptureSynth.DNSRecord(name: "pool.example.com", data: .address(HostAddress("192.0.2.21")!)),
            CaptureSynth.DNSRecord(name: "pool.example.com", data: .address(HostAddress("192.0.2.22")!)),
            CaptureSynth.DNSRecord(name: "pool.example.com", data: .address(HostAddress("192.0.2.23")!)),
        ]))
        for (i, last) in [21, 22, 23].enumerated() {
            let server = Endpoint("192.0.2.\(last)", 443), client = Endpoint("10.0.0.4", 41000 + UInt16(i))
            h.feed(TrackerHarness.tcp(client, server, .syn, seq: 1))
            #expect(try h.name(h.flow(client, server).dnsName) == "pool.example.com", "192.0.2.\(last)")
        }
    }

    @Test func whenSNIAndDNSDisagreeBothNamesAreKept() throws {
        var h = TrackerHarness()
        h.feed(TrackerHarness.dnsResponse(to: nodeResolverPort, from: resolver, name: "www.example.com", [
            CaptureSynth.DNSRecord(name: "www.example.com", data: .address(HostAddress("192.0.2.10")!)),
        ]))
        h.handshake(node, web)
        h.feed(TrackerHarness.tcp(node, web, [.psh, .ack], seq: 1001, ack: 5001, payload: TrackerHarness.clientHello("other.example.org")))
        let r = try h.flow(node, web)
        #expect(h.name(r.dnsName) == "www.example.com")
        #expect(h.name(r.sni) == "other.example.org")
    }

    @Test func theClientsOwnAnswerWinsThenTheLatestAnswerToAnyone() throws {
        var h = TrackerHarness()
        let other = Endpoint("10.0.0.5", 40053), third = Endpoint("10.0.0.6", 40000)
        let address = CaptureSynth.DNSRecordData.address(HostAddress("192.0.2.10")!)
        h.feed(TrackerHarness.dnsResponse(to: other, from: resolver, name: "b.example", [CaptureSynth.DNSRecord(name: "b.example", data: address)]))
        h.feed(TrackerHarness.dnsResponse(to: nodeResolverPort, from: resolver, name: "a.example", [CaptureSynth.DNSRecord(name: "a.example", data: address)]))
        h.feed(TrackerHarness.dnsResponse(to: other, from: resolver, name: "c.example", [CaptureSynth.DNSRecord(name: "c.example", data: address)]))
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1))
        h.feed(TrackerHarness.tcp(third, web, .syn, seq: 1))
        #expect(try h.name(h.flow(node, web).dnsName) == "a.example")
        // A client that asked nothing (another address of a node, say) gets the latest answer anyone got.
        #expect(try h.name(h.flow(third, web).dnsName) == "c.example")
    }

    @Test func aNewerAnswerRenamesLaterFlowsButNotOneAlreadyOpen() throws {
        var h = TrackerHarness()
        let address = CaptureSynth.DNSRecordData.address(HostAddress("192.0.2.10")!)
        h.feed(TrackerHarness.dnsResponse(to: nodeResolverPort, from: resolver, name: "old.example", [CaptureSynth.DNSRecord(name: "old.example", data: address)]))
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1))
        h.feed(TrackerHarness.dnsResponse(to: nodeResolverPort, from: resolver, id: 2, name: "new.example", [CaptureSynth.DNSRecord(name: "new.example", data: address)]))
        let later = Endpoint("10.0.0.4", 40009)
        h.feed(TrackerHarness.tcp(later, web, .syn, seq: 1))
        #expect(try h.name(h.flow(node, web).dnsName) == "old.example")
        #expect(try h.name(h.flow(later, web).dnsName) == "new.example")
    }

    @Test func aDNSAnswerOverTCPNamesFlowsToo() throws {
        var h = TrackerHarness()
        let client = Endpoint("10.0.0.4", 40100)
        h.handshake(client, resolver)
        var m = DNSMessageFields(id: 7, isResponse: true, questionName: "tcp.example.com", questionType: .a)
        m.answers = [CaptureSynth.DNSRecord(name: "tcp.example.com", data: .address(HostAddress("192.0.2.10")!))]
        let framed = CaptureSynth.DNSMessage.tcpFramed(CaptureSynth.DNSMessage.build(m))
        // The response in two segments, the length prefix and header in the first.
        h.feed(TrackerHarness.tcp(resolver, client, .ack, seq: 5001, ack: 1001, payload: Array(framed[..<10])))
        h.feed(TrackerHarness.tcp(resolver, client, [.psh, .ack], seq: 5011, ack: 1001, payload: Array(framed[10...])))
        #expect(try h.flow(client, resolver).dnsMessages == 1)
        h.handshake(node, web)
        #expect(try h.name(h.flow(node, web).dnsName) == "tcp.example.com")
        let observation = try #require(h.tracker.dnsObservations.first { $0.name == h.tracker.names.lookup("tcp.example.com") })
        #expect(observation.overTCP)
    }

    /// A response that is one whole segment is read on the decode thread (`PayloadPreviewer`); the
    /// server's stream goes on after it. Whether each segment was previewed or not, the tracker
    /// finds the same messages, observations and names: one message per segment, two in one, one
    /// split across two, and one that comes again (a retransmission).
    @Test(arguments: [false, true])
    func dnsOverTCPReadAheadFindsWhatTheTrackerFinds(handshake: Bool) throws {
        func response(_ id: UInt16, _ name: String, _ address: String) -> [UInt8] {
            var m = DNSMessageFields(id: id, isResponse: true, questionName: name, questionType: .a)
            m.answers = [CaptureSynth.DNSRecord(name: name, data: .address(HostAddress(address)!))]
            return CaptureSynth.DNSMessage.tcpFramed(CaptureSynth.DNSMessage.build(m))
        }
        let client = Endpoint("10.0.0.4", 40100)
        let one = response(1, "one.example", "192.0.2.1"), two = response(2, "two.example", "192.0.2.2")
        let three = response(3, "three.example", "192.0.2.3"), four = response(4, "four.example", "192.0.2.4")
        var segments: [[UInt8]] = [one, two + three, Array(four[..<9]), Array(four[9...])]
        segments.insert(one, at: 1)  // the first segment again, a retransmission
        func run(previews: Bool) -> (messages: UInt32, observations: [String], names: [String]) {
            var h = TrackerHarness(previews: previews)
            if handshake { h.handshake(client, resolver) }
            var sequence: UInt32 = 5001
            for (i, segment) in segments.enumerated() {
                let at = i == 1 ? 5001 : sequence
                h.feed(TrackerHarness.tcp(resolver, client, [.psh, .ack], seq: at, ack: 1001, payload: segment))
                if i != 1 { sequence &+= UInt32(segment.count) }
            }
            let observations = h.tracker.dnsObservations.map { "\(h.tracker.names.string($0.name)) tcp=\($0.overTCP)" }
            var names: [String] = []
            for (n, address) in [("one", "192.0.2.1"), ("two", "192.0.2.2"), ("three", "192.0.2.3"), ("four", "192.0.2.4")] {
                let peer = Endpoint(address, 443)
                h.handshake(Endpoint("10.0.0.4", 41000 + UInt16(names.count)), peer)
                names.append((try? h.name(h.flow(Endpoint("10.0.0.4", 41000 + UInt16(names.count)), peer).dnsName)) ?? "none: \(n)")
            }
            return ((try? h.flow(client, resolver).dnsMessages) ?? 0, observations, names)
        }
        let read = run(previews: false), previewed = run(previews: true)
        #expect(read.messages == 4)
        #expect(read.names == ["one.example", "two.example", "three.example", "four.example"])
        #expect(read.observations.count == 4 && read.observations.allSatisfy { $0.hasSuffix("tcp=true") })
        #expect(previewed.messages == read.messages)
        #expect(previewed.observations == read.observations)
        #expect(previewed.names == read.names)
    }

    /// Responses over UDP with CNAME chains, read on the decode thread (`PayloadPreviewer`) or by
    /// the tracker: the same observations (an answer seen again is one, a different address or
    /// target another), and the same names for the connections that follow.
    @Test func cnameAnswersReadAheadAreObservedAsTheTrackerObservesThem() throws {
        func response(_ id: UInt16, _ name: String, _ chain: [String], _ address: String) -> [UInt8] {
            var m = DNSMessageFields(id: id, isResponse: true, questionName: name, questionType: .a)
            var owner = name
            for target in chain {
                m.answers.append(CaptureSynth.DNSRecord(name: owner, data: .canonicalName(target)))
                owner = target
            }
            m.answers.append(CaptureSynth.DNSRecord(name: owner, data: .address(HostAddress(address)!)))
            return CaptureSynth.DNSMessage.build(m)
        }
        let answers: [(String, [String], String)] = [
            ("www.contoso.example", ["contoso.edge.example", "e1.cdn.example"], "192.0.2.10"),
            ("www.contoso.example", ["contoso.edge.example", "e1.cdn.example"], "192.0.2.10"),  // again: one observation
            ("www.contoso.example", ["contoso.edge.example", "e2.cdn.example"], "192.0.2.10"),  // another target
            ("WWW.Contoso.Example", ["contoso.edge.example", "e2.cdn.example"], "192.0.2.11"),  // another address
            ("api.fabrikam.example", [], "192.0.2.20"),
        ]
        func run(previews: Bool) throws -> (observations: [String], names: [String]) {
            var h = TrackerHarness(previews: previews)
            for (i, (name, chain, address)) in answers.enumerated() {
                let client = Endpoint("10.0.0.4", 30000 + UInt16(i))
                let query = DNSMessageFields(id: UInt16(0x1200 + i), isResponse: false, questionName: name, questionType: .a)
                h.feed(TrackerHarness.udp(client, resolver, payload: CaptureSynth.DNSMessage.build(query)))
                h.feed(TrackerHarness.udp(resolver, client, payload: response(UInt16(0x1200 + i), name, chain, address)))
            }
            let observations = h.tracker.dnsObservations.map { o in
                "\(h.tracker.names.string(o.name)): " + o.answers.map { answer -> String in
                    switch answer {
                    case .address(let a): return a.description
                    case .cname(let id): return h.tracker.names.string(id)
                    }
                }.joined(separator: " ")
            }
            var names: [String] = []
            for (i, address) in ["192.0.2.10", "192.0.2.11", "192.0.2.20"].enumerated() {
                let client = Endpoint("10.0.0.4", 41000 + UInt16(i)), peer = Endpoint(address, 443)
                h.handshake(client, peer)
                names.append(h.name(try h.flow(client, peer).dnsName) ?? "none")
            }
            return (observations, names)
        }
        let read = try run(previews: false), previewed = try run(previews: true)
        #expect(read.observations == [
            "www.contoso.example: contoso.edge.example e1.cdn.example 192.0.2.10",
            "www.contoso.example: contoso.edge.example e2.cdn.example 192.0.2.10",
            "www.contoso.example: contoso.edge.example e2.cdn.example 192.0.2.11",
            "api.fabrikam.example: 192.0.2.20",
        ])
        #expect(read.names == ["www.contoso.example", "www.contoso.example", "api.fabrikam.example"])
        #expect(previewed.observations == read.observations)
        #expect(previewed.names == read.names)
    }
}
