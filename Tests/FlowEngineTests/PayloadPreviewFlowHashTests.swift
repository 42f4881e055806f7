import CaptureSynth
import PacketWire
import Testing
@testable import FlowEngine

/// The decode thread hashes each TCP or UDP packet's 5-tuple for the tracker
/// (`PayloadPreview.flowHash`): the hash must find the packet's flow in the
/// tracker's own table, whichever way the packet goes, and there is none for
/// other packets or without the table's hasher.
@Suite struct PayloadPreviewFlowHashTests {
    let client = Endpoint("10.20.1.5", 50_123), server = Endpoint("20.60.1.7", 443)
    let resolver = Endpoint("168.63.129.16", 53)

    /// Decodes a raw IP packet, previews it with `previewer` and hands the preview to `body` (its
    /// bytes live as long as the call).
    func withPreview<R>(_ ip: [UInt8], _ previewer: PayloadPreviewer, _ body: (PayloadPreview) -> R) -> R {
        var packet = DecodedPacket()
        let storage = PayloadPreview.Storage(count: 1)
        var preview = storage.preview(0)
        var previewer = previewer
        ip.withUnsafeBytes { raw in
            PacketDecoder().decode(ByteView(raw), linkType: .raw, originalLength: ip.count, into: &packet)
            withUnsafePointer(to: &packet) { previewer.preview($0, into: &preview) }
        }
        return withExtendedLifetime(storage) { body(preview) }
    }

    /// The preview's flow hash, if any, made with `hasher`.
    func previewHash(_ ip: [UInt8], hasher: FlowKeyHasher?) -> UInt32? {
        withPreview(ip, PayloadPreviewer(flowHasher: hasher)) { $0.flowHash }
    }

    @Test func theHashFindsThePacketsFlowInEitherDirection() throws {
        var harness = TrackerHarness()
        let syn = TrackerHarness.tcp(client, server, [.syn], seq: 1)
        harness.feed(syn)
        let query = TrackerHarness.udp(client, resolver, payload: [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        harness.feed(query)
        let hasher = harness.tracker.table.hasher
        let tcpKey = FlowKey(transport: .tcp, client.ip, client.port, server.ip, server.port)
        let udpKey = FlowKey(transport: .udp, client.ip, client.port, resolver.ip, resolver.port)
        let tcpFlow = try #require(harness.tracker.table.find(tcpKey))
        let udpFlow = try #require(harness.tracker.table.find(udpKey))
        for (packet, key, flow) in [(syn, tcpKey, tcpFlow), (TrackerHarness.tcp(server, client, [.syn, .ack], seq: 9, ack: 2), tcpKey, tcpFlow),
                                    (query, udpKey, udpFlow), (TrackerHarness.udp(resolver, client, payload: [0x12, 0x34, 0x81, 0x80]), udpKey, udpFlow)] {
            let hash = try #require(previewHash(packet, hasher: hasher))
            #expect(harness.tracker.table.find(key, hash: hash) == flow)
        }
        // Another table's hasher (another seed) gives hashes that do not find these flows' slots.
        let other = FlowTable(capacity: 64, seed: hasher.seed &+ 1).hasher
        let foreign = try #require(previewHash(syn, hasher: other))
        #expect(foreign != hasher.hash32(tcpKey))
    }

    /// A previewed ClientHello's server name and a DNS response's question carry the tracker's name
    /// hash of that name (interned with it, the name gets the id the tracker's own reading gives it);
    /// a query, and a previewer without the hasher, carry none.
    @Test func namesCarryTheNameTablesHash() throws {
        var names = NameTable(seed: 5)
        let hasher = names.hasher
        func preview(_ ip: [UInt8], _ nameHasher: NameTable.NameHasher?) -> (kind: PayloadPreview.Kind, hash: UInt64?) {
            withPreview(ip, PayloadPreviewer(nameHasher: nameHasher)) { ($0.kind, $0.nameHash) }
        }
        let hello = TrackerHarness.tcp(client, server, [.ack, .psh], seq: 2, payload: TrackerHarness.clientHello("Gateway.Contoso.example"))
        let answer = TrackerHarness.dnsResponse(to: client, from: resolver, name: "mgmt.contoso.example", [
            CaptureSynth.DNSRecord(name: "mgmt.contoso.example", ttl: 60, data: .address(HostAddress("20.60.1.7")!)),
        ])
        let query = TrackerHarness.udp(client, resolver, payload: [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        let (helloKind, helloHash) = preview(hello, hasher)
        let (answerKind, answerHash) = preview(answer, hasher)
        #expect(helloKind == .tlsClientHello && answerKind == .dnsResponse)
        let expected = names.intern("gateway.contoso.example")
        let sni = Array("Gateway.Contoso.example".utf8)
        #expect(sni.withUnsafeBytes { names.intern(ByteView($0), hash: try! #require(helloHash)) } == expected)
        #expect(answerHash == Array("mgmt.contoso.example".utf8).withUnsafeBytes { hasher.hash(ByteView($0)) })
        #expect(preview(query, hasher).hash == nil)
        #expect(preview(hello, nil).hash == nil)
    }

    /// A previewed DNS response carries the answer cache's hashes of the entries its first two
    /// address answers write: for the client it goes to (not the resolver), own and any client's,
    /// in order, CNAMEs and later answers left out.
    @Test func answersCarryTheAnswerCachesHashes() throws {
        let hasher = DNSAnswerCache().hasher
        let answer = TrackerHarness.dnsResponse(to: client, from: resolver, name: "www.contoso.example", [
            CaptureSynth.DNSRecord(name: "www.contoso.example", data: .canonicalName("edge.cdn.example")),
            CaptureSynth.DNSRecord(name: "edge.cdn.example", ttl: 60, data: .address(HostAddress("20.60.1.7")!)),
            CaptureSynth.DNSRecord(name: "edge.cdn.example", ttl: 60, data: .address(HostAddress("20.60.1.8")!)),
            CaptureSynth.DNSRecord(name: "edge.cdn.example", ttl: 60, data: .address(HostAddress("20.60.1.9")!)),
        ])
        let (kind, seen) = withPreview(answer, PayloadPreviewer(answerHasher: hasher)) { preview in
            var seen: [UInt64] = []
            preview.forEachAnswerHash { seen.append($0) }
            return (preview.kind, seen)
        }
        #expect(kind == .dnsResponse)
        let first = hasher.hashes(client: client.ip, address: IPAddress(ipv4: 0x143C_0107))
        let second = hasher.hashes(client: client.ip, address: IPAddress(ipv4: 0x143C_0108))
        #expect(seen == [first.own, first.any, second.own, second.any])
        #expect(hasher.hashes(client: resolver.ip, address: IPAddress(ipv4: 0x143C_0107)).own != first.own)
    }

    @Test func noHashForOtherPacketsOrWithoutTheTablesHasher() throws {
        let hasher = FlowTable(capacity: 64).hasher
        let icmp = TrackerHarness.icmpUnreachable(from: "20.60.1.1", code: .host, quoting: TrackerHarness.tcp(client, server, [.syn], seq: 1))
        #expect(previewHash(icmp, hasher: hasher) == nil)
        #expect(previewHash(TrackerHarness.tcp(client, server, [.syn], seq: 1), hasher: nil) == nil)
        #expect(previewHash(TrackerHarness.tcp(client, server, [.syn], seq: 1), hasher: hasher) != nil)
    }
}
