import EgressPolicy
import FlowEngine
import PacketWire
import Testing
@testable import EgressAudit

/// The order of trust among a flow's names (FlowClassifier): CONNECT target,
/// TLS SNI, QUIC SNI, HTTP Host, then the client's DNS answer; and when the
/// TLS or QUIC name and the DNS name disagree, both kept as a mismatch,
/// unless ECH hid the real name. Flows are written by hand with the names set.
@Suite struct FlowClassifierTests {
    static let profile = #"""
    id: classifier-test
    title: Name precedence
    dialect: azure-firewall
    source: [{id: test, title: written for the classifier tests}]
    rules:
      - {id: web, direction: outbound, destinations: [{fqdn: sni.example.com}], ports: 443, transport: tcp, required: true, purpose: the allowed name, source: {document: test}}
    """#

    enum Name: CaseIterable { case connect, sni, quicSNI, httpHost, dns }

    /// A flow from the node 10.0.0.4:40000 to 192.0.2.10:443 carrying `present`, each under its own name.
    static func classify(_ present: Set<Name>, ech: Bool = false, dnsName: String = "dns.example.com",
                         transport: TransportKind = .tcp) throws -> (flow: FlowClassifier.Flow, names: NameTable) {
        var names = NameTable()
        var r = FlowRecord(key: FlowKey(transport: transport, IPAddress("10.0.0.4")!, 40000, IPAddress("192.0.2.10")!, 443),
                           initiatorIsLow: true, evidence: .handshake, timestamp: 0)
        if present.contains(.connect) { r.connectTarget = names.intern("connect.example.com"); r.connectPort = 8443 }
        if present.contains(.sni) { r.sni = names.intern("sni.example.com") }
        if present.contains(.quicSNI) { r.quicSNI = names.intern("quic.example.com") }
        if present.contains(.httpHost) { r.httpHost = names.intern("host.example.com") }
        if present.contains(.dns) { r.dnsName = names.intern(dnsName) }
        r.echPresent = ech
        let compiled = CompiledProfile(try ProfileLoader.load(text: profile, file: "classifier.yaml").expand(),
                                       catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        var classifier = FlowClassifier(profile: compiled, nodes: [CIDR("10.0.0.0/24")!], memoLimit: 64)
        let flow = classifier.classify(r, names: names)
        return (try #require(flow), names)
    }

    static func text(_ id: NameTable.NameID, _ names: NameTable) -> String? { id.isNone ? nil : names.string(id) }

    @Test func eachSourceAloneNamesTheFlow() throws {
        let expected: [(Name, String, AuditReport.NameSource)] = [
            (.connect, "connect.example.com", .connect), (.sni, "sni.example.com", .sni), (.quicSNI, "quic.example.com", .quicSNI),
            (.httpHost, "host.example.com", .httpHost), (.dns, "dns.example.com", .dns),
        ]
        for (name, text, source) in expected {
            let (flow, names) = try Self.classify([name])
            #expect(Self.text(flow.name, names) == text, "\(name)")
            #expect(flow.nameSource == source, "\(name)")
            #expect(flow.direction == .outbound && flow.peer == IPAddress("192.0.2.10")!)
        }
        let (unnamed, _) = try Self.classify([])
        #expect(unnamed.name.isNone && unnamed.nameSource == .address && unnamed.port == 443)
    }

    @Test func theMoreTrustedSourceWinsOverEveryLessTrustedOne() throws {
        // Every source with all the less trusted ones present as well.
        let order: [Name] = [.connect, .sni, .quicSNI, .httpHost, .dns]
        let sources: [AuditReport.NameSource] = [.connect, .sni, .quicSNI, .httpHost, .dns]
        for (i, name) in order.enumerated() {
            let (flow, _) = try Self.classify(Set(order[i...]))
            #expect(flow.nameSource == sources[i], "\(name) with \(order[(i + 1)...])")
        }
    }

    @Test func connectJudgesTheTargetPortNotTheProxys() throws {
        let (flow, _) = try Self.classify([.connect, .sni])
        #expect(flow.nameSource == .connect && flow.port == 8443)
        #expect(try Self.classify([.sni]).flow.port == 443)
    }

    @Test func aServerNameThatDNSContradictsIsAMismatchWithBothNamesKept() throws {
        let (flow, names) = try Self.classify([.sni, .dns])
        #expect(Self.text(flow.name, names) == "sni.example.com" && flow.nameSource == .sni)
        #expect(Self.text(flow.mismatchDNS, names) == "dns.example.com")
        let (quic, quicNames) = try Self.classify([.quicSNI, .dns])
        #expect(Self.text(quic.mismatchDNS, quicNames) == "dns.example.com")
    }

    @Test func agreementECHAndNonTLSNamesAreNoMismatch() throws {
        // The same name from both: agreement.
        #expect(try Self.classify([.sni, .dns], dnsName: "sni.example.com").flow.mismatchDNS.isNone)
        // ECH: the SNI is only the public name, so disagreeing with DNS is expected.
        #expect(try Self.classify([.sni, .dns], ech: true).flow.mismatchDNS.isNone)
        // A Host header or CONNECT target is not held against DNS.
        #expect(try Self.classify([.httpHost, .dns]).flow.mismatchDNS.isNone)
        #expect(try Self.classify([.connect, .dns]).flow.mismatchDNS.isNone)
    }
}
