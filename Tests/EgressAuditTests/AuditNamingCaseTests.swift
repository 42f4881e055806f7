import CaptureRuntime
import CaptureSynth
import EgressPolicy
import Foundation
import TestSupport
import Testing
@testable import EgressAudit

/// Small captures built in the test with the project's generator, one case
/// each: where a flow's name comes from decides its verdict.
@Suite struct AuditNamingCaseTests {
    static let profile = #"""
    id: naming-test
    title: Naming cases
    dialect: azure-firewall
    source: [{id: test, title: written for the naming tests}]
    rules:
      - {id: good, direction: outbound, destinations: [{fqdn: good.example.com}], ports: 443, transport: tcp, required: true, purpose: the allowed name, source: {document: test}}
      - {id: dns, direction: outbound, destinations: [{cidr: 10.9.0.2}], ports: 53, transport: udp, required: true, purpose: the resolver, source: {document: test}}
    """#

    static let node = Node(name: "n", ipv4: HostAddress("10.9.0.4")!, ipv6: HostAddress("fd00:9::4")!,
                           mac: MACAddress(0, 1, 2, 3, 4, 5), gatewayMAC: MACAddress(0, 1, 2, 3, 4, 6), link: .ethernet(vlanTags: []))
    static let resolver = HostAddress("10.9.0.2")!

    /// Writes what `script` composes to a temporary pcap, audits it, returns the report.
    static func audit(_ script: (CaptureComposer) throws -> Void) throws -> AuditReport {
        let output = MemoryOutput()
        let writer = try PcapWriter(output: output, linkType: .ethernet)
        let composer = CaptureComposer(writer: writer, fileByteOrder: .littleEndian, start: Timestamp(seconds: 1_767_225_600), seed: 7, recordFlows: true)
        try script(composer)
        try writer.close()
        let path = TestScratch.path("naming.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(output.bytes).write(to: URL(fileURLWithPath: path))
        let compiled = CompiledProfile(try ProfileLoader.load(text: profile, file: "naming.yaml").expand(),
                                       catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        var analyzer = CapturePipeline(audit: AuditAccumulator(profile: compiled, nodes: [CIDR("10.9.0.0/24")!]))
        analyzer.read(path: path)
        analyzer.finish()
        return try #require(analyzer.auditReport(serviceTagFiles: []))
    }

    static func answer(_ c: CaptureComposer, _ name: String, _ records: [DNSRecord], id: UInt16) throws {
        var q = DNSMessageFields(id: id, isResponse: false, questionName: name, questionType: .a)
        try c.emit(ip: UDPExchange.packet(from: node.ipv4, 40000 + id, to: resolver, 53, payload: DNSMessage.build(q)), node: node, outbound: true)
        q.isResponse = true
        q.answers = records
        c.advance(microseconds: 2000)
        try c.emit(ip: UDPExchange.packet(from: resolver, 53, to: node.ipv4, 40000 + id, payload: DNSMessage.build(q)), node: node, outbound: false)
    }

    static func tls(_ c: CaptureComposer, to server: String, sni: String?, handshake: Bool = true) throws {
        var conv = TCPConversation(node: node, server: HostAddress(server)!, serverPort: 443, rng: &c.rng)
        if handshake { try conv.handshake(c, rttMicroseconds: 10_000) }
        let hello = TLSClientHello.records(TLSClientHello.handshakeMessage(ClientHelloSpec(serverName: sni), rng: &c.rng))
        _ = try conv.clientSend(c, hello)
        try conv.serverSend(c, [0x16, 0x03, 0x03, 0x00, 0x02, 0x02, 0x00], rttMicroseconds: 10_000)
        c.advance(microseconds: 100_000)
    }

    @Test func sniWithoutDNS() throws {
        let r = try Self.audit { c in try Self.tls(c, to: "192.0.2.10", sni: "good.example.com") }
        #expect(r.allowed.map(\.destination) == ["good.example.com"])
        #expect(r.allowed.first?.nameSource == .sni)
        #expect(r.requiredRules.first { $0.rule == "good" }?.status == "satisfied")
    }

    @Test func dnsWithoutSNIThroughACNAMEChain() throws {
        let r = try Self.audit { c in
            try Self.answer(c, "good.example.com", [DNSRecord(name: "good.example.com", data: .canonicalName("edge.cdn.example.net")),
                                                    DNSRecord(name: "edge.cdn.example.net", data: .address(HostAddress("192.0.2.20")!))], id: 1)
            try Self.tls(c, to: "192.0.2.20", sni: nil)
        }
        // The CNAME chain is folded back to the name the client asked for.
        #expect(r.allowed.map(\.destination) == ["10.9.0.2", "good.example.com"])
        #expect(r.allowed.first { $0.destination == "good.example.com" }?.nameSource == .dns)
    }

    @Test func aDNSAnswerThatChangesMidCaptureNamesEachFlowByTheAnswerBeforeIt() throws {
        let r = try Self.audit { c in
            try Self.answer(c, "good.example.com", [DNSRecord(name: "good.example.com", data: .address(HostAddress("192.0.2.30")!))], id: 2)
            try Self.tls(c, to: "192.0.2.30", sni: nil)
            try Self.answer(c, "other.example.org", [DNSRecord(name: "other.example.org", data: .address(HostAddress("192.0.2.30")!))], id: 3)
            try Self.tls(c, to: "192.0.2.30", sni: nil)
        }
        #expect(r.allowed.map(\.destination) == ["10.9.0.2", "good.example.com"])
        #expect(r.undocumented.map(\.destination) == ["other.example.org"])
    }

    @Test func sniAndDNSDisagreeIsANameMismatchWithBothNames() throws {
        let r = try Self.audit { c in
            try Self.answer(c, "good.example.com", [DNSRecord(name: "good.example.com", data: .address(HostAddress("192.0.2.40")!))], id: 4)
            try Self.tls(c, to: "192.0.2.40", sni: "exfil.example.net")
        }
        let mismatch = try #require(r.findings.first { $0.kind == .nameMismatch })
        #expect(mismatch.summary.contains("exfil.example.net") && mismatch.summary.contains("good.example.com"))
        // The SNI is what the client asked the server for: it is judged by that name.
        #expect(r.undocumented.map(\.destination) == ["exfil.example.net"])
    }

    @Test func aFlowWhoseSYNWasNotCapturedIsStillJudged() throws {
        let r = try Self.audit { c in try Self.tls(c, to: "192.0.2.50", sni: "good.example.com", handshake: false) }
        #expect(r.allowed.map(\.destination) == ["good.example.com"])
        #expect(r.requiredRules.first { $0.rule == "good" }?.status == "satisfied")
    }

    @Test func noNameLeavesTheAddress() throws {
        let r = try Self.audit { c in try Self.tls(c, to: "192.0.2.60", sni: nil) }
        #expect(r.undocumented.map(\.destination) == ["192.0.2.60"])
        #expect(r.undocumented.first?.nameSource == .address)
    }
}
