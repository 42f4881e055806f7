import EgressPolicy
import FlowEngine
import PacketWire
import TestSupport
import Testing
@testable import EgressAudit

/// An answer is a value: a classifier whose memo was filled in another order
/// (so its answers sit at other indices) gives the same answers for the same
/// flows, and the allowing tag is the one the profile's own decision names.
@Suite struct FlowClassifierAnswerTests {
    static let profileYAML = #"""
    id: answer-test
    title: Rules for the answer tests
    dialect: azure-firewall
    source: [{id: test, title: written for the answer tests}]
    rules:
      - {id: storage, direction: outbound, destinations: [{serviceTag: Storage}], ports: 443, transport: tcp, required: true, purpose: a tag with narrower ones inside, source: {document: test}}
      - {id: named, direction: outbound, destinations: [{fqdn: "*.allowed.example"}], ports: 443, transport: tcp, required: true, purpose: names, source: {document: test}}
    """#

    static func profile() throws -> CompiledProfile {
        func cidrs(_ list: [String]) throws -> [CIDR] { try list.map { try CIDR(parsing: $0) } }
        let catalog = ServiceTagCatalog(tags: [
            ServiceTag(name: "Storage", prefixes: try cidrs(["20.0.0.0/14"]), source: "t.json"),
            ServiceTag(name: "Storage.WestUS", region: "westus", prefixes: try cidrs(["20.1.0.0/16"]), source: "t.json"),
        ], sources: ["t.json"], virtualNetwork: [])
        return CompiledProfile(try ProfileLoader.load(text: profileYAML, file: "answer.yaml").expand(), catalog: catalog)
    }

    /// Flows from the node 10.0.0.1 to tagged and untagged addresses, some named.
    static func flows(names: inout NameTable) -> [FlowRecord] {
        var random = SplitMix64(seed: 5)
        return (0..<2_000).map { i in
            let pick = random.next()
            let peer = pick % 3 == 0 ? IPAddress(ipv4: 0xC633_6400 + UInt32(pick >> 8 & 0xff)) : IPAddress(ipv4: 0x1400_0000 + UInt32((pick >> 8) % 0x3_0000))
            var r = FlowRecord(key: FlowKey(transport: (pick >> 40) % 4 == 0 ? .udp : .tcp, IPAddress(ipv4: 0x0A00_0001), 40000 + UInt16(i),
                                            peer, (pick >> 44) % 5 == 0 ? 80 : 443),
                               initiatorIsLow: true, evidence: .handshake, timestamp: Int64(i))
            if (pick >> 48) % 4 == 0 { r.sni = names.intern("h\((pick >> 50) % 30).\((pick >> 56) % 2 == 0 ? "allowed" : "other").example") }
            return r
        }
    }

    @Test func anAnswerIsTheSameWhicheverClassifierGaveIt() throws {
        var names = NameTable()
        let records = Self.flows(names: &names)
        let profile = try Self.profile()
        var first = FlowClassifier(profile: profile, nodes: [CIDR("10.0.0.0/29")!], memoLimit: 1 << 16)
        var second = first
        for r in records.reversed() { _ = second.classify(r, names: names) }
        var indicesDiffer = false, tagged = 0
        for r in records {
            let fromFirst = first.classify(r, names: names), fromSecond = second.classify(r, names: names)
            let a = try #require(fromFirst), b = try #require(fromSecond)
            #expect(first.answers[Int(a.answer)] == second.answers[Int(b.answer)])
            if a.answer != b.answer { indicesDiffer = true }
            guard a.name.isNone else { continue }
            let decided = profile.decide(name: nil, address: a.peer, port: a.port, transport: r.key.transport == .tcp ? .tcp : .udp)
            #expect(first.answers[Int(a.answer)].allowingTag == decided.allowingTag)
            if decided.allowingTag >= 0 { tagged += 1 }
        }
        #expect(indicesDiffer, "the memos should number their answers differently")
        #expect(tagged > 100)
    }
}
