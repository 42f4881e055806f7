import EgressPolicy
import Foundation
import TestSupport
import PacketWire
import Testing

/// The join of built-in profiles and Azure's real service tag file, checked
/// against the documents in `/work/shared/seeds`:
/// - 000 (Cassandra MI network rules): "*.blob.core.windows.net:443 … Required
///   for secure communication between the nodes and Azure Storage to store backups";
/// - 001 (API Management VNet reference): "Required endpoints are
///   <region>.login.microsoft.com and login.microsoftonline.com", "* / 443 |
///   Outbound | TCP | VirtualNetwork / Storage", "Outbound access on port 53 is
///   required for communication with DNS servers", "* / 6390 | Inbound | TCP |
///   AzureLoadBalancer / VirtualNetwork", and `Storage.WestUS` as West US's
///   regional tag.
/// Addresses come from the tag file through the small reader below, which
/// shares no code with `CIDR`, `PrefixMatcher` or `ServiceTagCatalog`.
@Suite struct CompiledProfileTests {
    static let tagFile = SharedFolder.azurePublicServiceTags

    private func compile(_ id: String, _ parameters: [String: String] = [:], features: Set<String> = [],
                         catalog: ServiceTagCatalog = ServiceTagCatalog(tags: [], sources: [])) throws -> CompiledProfile {
        let profile = try #require(BuiltinProfiles.profile(id: id), "built-in profile \(id) did not load")
        return CompiledProfile(try profile.expand(parameters: parameters, features: features), catalog: catalog)
    }

    private func realCatalog() throws -> ServiceTagCatalog {
        ServiceTagCatalog(azure: [try AzureServiceTagFile(contentsOf: Self.tagFile)])
    }

    private func ids(_ matches: [Evaluation.Match]) -> [String] { matches.map(\.rule.id) }

    // MARK: Names

    @Test func entraLoginIsAllowedByTheEntraRuleOfAPIM() throws {
        let compiled = try compile("apim-vnet", ["region": "westus"])
        let e = compiled.evaluate(name: "login.microsoftonline.com", address: nil, port: 443, transport: .tcp)
        #expect(e.verdict == .allowed)
        #expect(ids(e.allowedBy) == ["entra-login"])
        #expect(e.allowedBy.first?.reasons == [.name(pattern: "login.microsoftonline.com")])
        // Case and one trailing dot do not matter (a DNS name as decoded from the wire).
        let shouted = compiled.evaluate(name: "LOGIN.MicrosoftOnline.COM.", address: nil, port: 443, transport: .tcp)
        #expect(ids(shouted.allowedBy) == ["entra-login"])
        // <region> filled with the region's host-name spelling.
        let regional = compiled.evaluate(name: "westus.login.microsoft.com", address: nil, port: 443, transport: .tcp)
        #expect(ids(regional.allowedBy) == ["entra-regional-login"])
        #expect(compiled.evaluate(name: "eastus.login.microsoft.com", address: nil, port: 443, transport: .tcp).verdict == .undocumented)
    }

    @Test func anyBlobAccountIsAllowedByCassandraBackupsOn443AndWrongPortOn80() throws {
        let compiled = try compile("cassandra-mi", ["region": "westus"])
        let ok = compiled.evaluate(name: "foo.blob.core.windows.net", address: nil, port: 443, transport: .tcp)
        #expect(ok.verdict == .allowed)
        #expect(ids(ok.allowedBy) == ["fqdn-blob-backups"])
        #expect(ok.allowedBy.first?.reasons == [.name(pattern: "*.blob.core.windows.net")])

        let http = compiled.evaluate(name: "x.blob.core.windows.net", address: nil, port: 80, transport: .tcp)
        #expect(http.verdict == .wrongPort)
        #expect(http.allowedBy.isEmpty)
        #expect(ids(http.otherPortsBy) == ["fqdn-blob-backups"])
        // The apex is not "*.": Azure Firewall's meaning.
        #expect(compiled.evaluate(name: "blob.core.windows.net", address: nil, port: 443, transport: .tcp).verdict == .undocumented)
        // UDP 443 (QUIC) is another transport than the rule's TCP.
        #expect(compiled.evaluate(name: "x.blob.core.windows.net", address: nil, port: 443, transport: .udp).verdict == .wrongPort)
        // snovap<region> with region westus.
        let snovap = compiled.evaluate(name: "snovapwestus.blob.core.windows.net", address: nil, port: 443, transport: .tcp)
        #expect(Set(ids(snovap.allowedBy)) == ["fqdn-snovap-blob", "fqdn-blob-backups"])
    }

    @Test func undocumentedNameMatchesNothing() throws {
        let compiled = try compile("apim-vnet", ["region": "westus"])
        let e = compiled.evaluate(name: "evil.example.com", address: nil, port: 443, transport: .tcp)
        #expect(e.verdict == .undocumented)
        #expect(e.allowedBy.isEmpty && e.allowedIfEnabled.isEmpty && e.otherPortsBy.isEmpty)
    }

    // MARK: Addresses

    @Test func azureLoadBalancerAddressIsTheDNSRuleOutboundAndTheProbeRuleInbound() throws {
        let compiled = try compile("apim-vnet", ["region": "westus"])
        let address = try #require(IPAddress("168.63.129.16"))
        let dns = compiled.evaluate(name: nil, address: address, port: 53, transport: .udp)
        #expect(ids(dns.allowedBy) == ["dns"])
        #expect(dns.allowedBy.first?.reasons == [.address("168.63.129.16")])
        // The special tag is built in: no tag file is needed.
        #expect(dns.serviceTags.contains("AzureLoadBalancer"))
        #expect(!dns.serviceTags.contains("VirtualNetwork"))

        // Premium SKU (default): the inbound probe row is required.
        let probe = compiled.evaluate(name: nil, address: address, port: 6390, transport: .tcp, direction: .inbound)
        #expect(ids(probe.allowedBy) == ["load-balancer-stv2"])
        #expect(probe.allowedBy.first?.reasons == [.serviceTag("AzureLoadBalancer")])
        // Outbound to it on 6390 is no rule's business but DNS names it on 53.
        #expect(compiled.evaluate(name: nil, address: address, port: 6390, transport: .tcp).verdict == .wrongPort)

        // Developer SKU: the same row is optional behind load-balancer-probe, off by default.
        let developer = try compile("apim-vnet", ["region": "westus", "sku": "developer"])
        let off = developer.evaluate(name: nil, address: address, port: 6390, transport: .tcp, direction: .inbound)
        #expect(off.verdict == .allowedIfFeatureEnabled)
        #expect(ids(off.allowedIfEnabled) == ["load-balancer-stv2-developer"])
        let on = try compile("apim-vnet", ["region": "westus", "sku": "developer"], features: ["load-balancer-probe"])
        #expect(on.evaluate(name: nil, address: address, port: 6390, transport: .tcp, direction: .inbound).verdict == .allowed)
    }

    @Test(.requires(.shared))
    func storageWestUSAddressIsAllowedByTheStorageRuleOn443() throws {
        let file = try TinyTagReader(path: Self.tagFile)
        let prefix = try #require(file.ipv4Prefixes(of: "Storage.WestUS").first, "Storage.WestUS has no IPv4 prefix")
        // A host inside the prefix: network address + 1 (every Storage prefix is shorter than /32).
        let host = prefix.network &+ (prefix.length < 32 ? 1 : 0)
        let address = IPAddress(ipv4: host)

        let compiled = try compile("apim-vnet", ["region": "West US"], catalog: try realCatalog())
        let e = compiled.evaluate(name: nil, address: address, port: 443, transport: .tcp)
        #expect(e.verdict == .allowed)
        let storage = try #require(e.allowedBy.first { $0.rule.id == "storage" })
        #expect(Set(storage.reasons) == [.serviceTag("Storage"), .serviceTag("Storage.WestUS")])
        // The developer-portal row names Storage.WestUS itself, behind its feature (off by default).
        #expect(ids(e.allowedIfEnabled) == ["developer-portal-publish"])
        // Every tag containing it, by the independent reader, is what the catalog says.
        #expect(Set(e.serviceTags) == Set(file.tags(containing: host)))
        #expect(Set(["AzureCloud", "Storage", "Storage.WestUS", "Internet"]).isSubset(of: Set(e.serviceTags)))

        let http = compiled.evaluate(name: nil, address: address, port: 80, transport: .tcp)
        #expect(http.verdict == .wrongPort)
        #expect(ids(http.otherPortsBy).contains("storage"))
    }

    @Test(.requires(.shared))
    func storageWestUSIPv6AddressIsAllowedToo() throws {
        let texts = try TinyTagReader.prefixTexts(of: "Storage.WestUS", path: Self.tagFile)
        let v6 = try #require(texts.first { $0.contains(":") }, "Storage.WestUS has no IPv6 prefix")
        // The prefix's own network address is inside it.
        let address = try #require(IPAddress(String(v6.split(separator: "/")[0])))
        let compiled = try compile("apim-vnet", ["region": "westus"], catalog: try realCatalog())
        let e = compiled.evaluate(name: nil, address: address, port: 443, transport: .tcp)
        let storage = try #require(e.allowedBy.first { $0.rule.id == "storage" })
        #expect(storage.reasons.contains(.serviceTag("Storage.WestUS")))
        #expect(e.serviceTags.contains("Storage.WestUS") && e.serviceTags.contains("Storage"))
    }

    // MARK: Warnings

    @Test func unsetRegionWidensPatternsAndRegionalTagsWithWarnings() throws {
        let compiled = try compile("apim-vnet")
        #expect(compiled.warnings.contains(.tagWidened(rule: "storage", written: "Storage.<Region>", resolved: "Storage")) == false,
                "without a tag file Storage itself is missing, so nothing to widen to")
        #expect(compiled.warnings.contains(.expansion(.widened(rule: "entra-regional-login", placeholder: "<region>", parameter: "region"))))
        // The widened pattern matches any region's label.
        let any = compiled.evaluate(name: "eastus.login.microsoft.com", address: nil, port: 443, transport: .tcp)
        #expect(ids(any.allowedBy) == ["entra-regional-login"])
        #expect(any.allowedBy.first?.reasons == [.name(pattern: "<region>.login.microsoft.com")])
    }

    @Test(.requires(.shared))
    func unsetRegionWidensRegionalTagToItsBaseTag() throws {
        let compiled = try compile("apim-vnet", catalog: try realCatalog())
        #expect(compiled.warnings.contains(.tagWidened(rule: "storage", written: "Storage.<Region>", resolved: "Storage")))
        #expect(!compiled.warnings.contains { if case .tagMissing = $0 { return true } else { return false } })
        // Document spelling GuestandHybridManagement resolves to the file's GuestAndHybridManagement.
        let cassandra = try compile("cassandra-mi", ["region": "westus"], catalog: try realCatalog())
        #expect(!cassandra.warnings.contains { if case .tagMissing = $0 { return true } else { return false } })
    }

    @Test func tagMissingFromTheFileIsWarnedNamingTagAndFile() throws {
        // A tag file with only Storage: every other tag Cassandra names is missing from it.
        let json = #"{"changeNumber": 1, "cloud": "Public", "values": [{"name": "Storage", "id": "Storage", "properties": {"addressPrefixes": ["20.38.96.0/19"]}}]}"#
        let file = try AzureServiceTagFile(data: Data(json.utf8), source: "/tmp/tags/ServiceTags_Tiny_20251109.json")
        let compiled = try compile("cassandra-mi", ["region": "westus"], catalog: ServiceTagCatalog(azure: [file]))
        let warning = CompileWarning.tagMissing(rule: "tag-guestandhybridmanagement", tag: "GuestandHybridManagement",
                                                files: ["ServiceTags_Tiny_20251109.json"])
        #expect(compiled.warnings.contains(warning))
        #expect(warning.description.contains("GuestandHybridManagement is not in ServiceTags_Tiny_20251109.json"))
        // Storage.WestUS is not in the tiny file either (a regional tag, resolved after the region was filled).
        #expect(compiled.warnings.contains(.tagMissing(rule: "tag-storage-regional", tag: "Storage.WestUS", files: ["ServiceTags_Tiny_20251109.json"])))
        // Storage is, and 20.38.96.1 is inside 20.38.96.0/19.
        let e = compiled.evaluate(name: nil, address: IPAddress(ipv4: 0x1426_6001), port: 443, transport: .tcp)
        #expect(ids(e.allowedBy).contains("tag-storage"))
    }

    @Test func noTagFileIsOneWarningListingTheTags() throws {
        let compiled = try compile("cassandra-mi", ["region": "westus"])
        let listed = compiled.warnings.compactMap { warning -> [String]? in
            if case .noServiceTagFile(let tags) = warning { return tags } else { return nil }
        }
        #expect(listed.count == 1)
        #expect(Set(listed.first ?? []).isSuperset(of: ["Storage", "AzureKeyVault", "GuestandHybridManagement", "Storage.WestUS"]))
        #expect(!(listed.first ?? []).contains("VirtualNetwork"), "a built-in tag is never missing")
        #expect(!compiled.warnings.contains { if case .tagMissing = $0 { return true } else { return false } })
    }

    // MARK: Per-packet queries

    @Test func rawByteQueriesAgreeWithEvaluate() throws {
        let vnet = try #require(CIDR("10.1.0.0/16"))
        let compiled = try compile("cassandra-mi", ["region": "westus", "virtual-network": "10.1.0.0/16"],
                                   catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: [vnet]))
        func ruleIDs(_ set: RuleSet) -> [String] { set.indices.map { compiled.rules[$0].id } }
        // The name sits in the middle of a larger buffer, as an SNI does in a packet:
        // 2 bytes, "junk", the 25-byte name, a NUL.
        let packet = Array("\u{0}\u{5}junkFoo.BLOB.core.windows.net\u{0}".utf8)
        try packet.withUnsafeBytes { raw in
            let name = try #require(ByteView(raw).slice(from: 6, length: 25))
            let on443 = compiled.decide(name: name, address: nil, port: 443, transport: .tcp, direction: .outbound)
            #expect(ruleIDs(on443.allowedBy) == ["fqdn-blob-backups"])
            #expect(on443.verdict == .allowed)
            let on80 = compiled.decide(name: name, address: nil, port: 80, transport: .tcp, direction: .outbound)
            #expect(on80.allowedBy.isEmpty)
            #expect(ruleIDs(on80.otherPorts) == ["fqdn-blob-backups"])
            #expect(on80.verdict == .wrongPort)
            let anyPort = compiled.decide(name: name, address: nil, port: nil, transport: .any, direction: .outbound)
            #expect(anyPort.allowedBy.count == 1 && anyPort.otherPorts.isEmpty)
        }
        // VirtualNetwork from the virtual-network parameter: 10.1.2.3 ↔ 10.1.0.0/16 on CQL 9042.
        let peer = IPAddress(ipv4: 0x0A01_0203)
        let byQuery = Set(ruleIDs(compiled.decide(name: nil, address: peer, port: 9042, transport: .tcp).allowedBy))
        let byEvaluate = Set(ids(compiled.evaluate(name: nil, address: peer, port: 9042, transport: .tcp).allowedBy))
        #expect(byQuery == byEvaluate)
        #expect(byQuery.contains("vnet-9042-cql"))
        #expect(compiled.catalog.tags(containing: peer).contains("VirtualNetwork"))
        // The allowing tag is the catalog's VirtualNetwork.
        let tag = compiled.decide(name: nil, address: peer, port: 9042, transport: .tcp).allowingTag
        #expect(tag >= 0 && compiled.catalog.tags[Int(tag)].name == "VirtualNetwork")
        // 10.2.0.1 is outside the virtual network.
        let outside = compiled.decide(name: nil, address: IPAddress(ipv4: 0x0A02_0001), port: 9042, transport: .tcp, direction: .outbound)
        #expect(outside.allowedBy.isEmpty)
        // Inbound too: the rows are "Inbound & Outbound".
        let inbound = compiled.decide(name: nil, address: peer, port: 9042, transport: .tcp, direction: .inbound)
        #expect(inbound.verdict == .allowed)
    }

    /// A rule set past 256 rules (the bit words) still holds every index.
    @Test func ruleSetHoldsEveryIndex() {
        let indices = [0, 1, 63, 64, 127, 128, 200, 255, 256, 300, 1000]
        var set = RuleSet()
        for i in indices.reversed() { set.insert(i) }
        #expect(set.indices == indices)
        #expect(set.count == indices.count)
        #expect(!set.contains(2) && set.contains(300))
        var other = RuleSet([5, 1000])
        other.formUnion(set)
        #expect(other.indices == [0, 1, 5, 63, 64, 127, 128, 200, 255, 256, 300, 1000])
        #expect(set.remapped([-1, 7]).indices == [7])
    }

    /// Against `Set<Int>`, on seeded sets reaching past the four inline words: members,
    /// counts, emptiness, equality (however the sets were built) and unions.
    @Test func ruleSetAgreesWithASetOfIndices() {
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % n
        }
        for _ in 0 ..< 300 {
            var a = RuleSet(), b = RuleSet()
            var sa = Set<Int>(), sb = Set<Int>()
            for _ in 0 ..< next(10) { let r = next(700); a.insert(r); sa.insert(r) }
            for _ in 0 ..< next(10) { let r = next(2) == 0 ? next(300) : next(700); b.insert(r); sb.insert(r) }
            #expect(a.indices == sa.sorted())
            #expect(a.count == sa.count && a.isEmpty == sa.isEmpty)
            #expect((a == b) == (sa == sb))
            for r in [0, 63, 255, 256, 319, 320, 699, 5_000] { #expect(a.contains(r) == sa.contains(r)) }
            a.formUnion(b)
            #expect(a.indices == sa.union(sb).sorted())
            #expect(a == RuleSet(sa.union(sb).sorted().reversed()))
        }
    }
}

/// Reads tag names and IPv4 prefixes from Azure's Service Tags JSON with
/// Foundation's parser and its own prefix arithmetic (independent of `CIDR`).
struct TinyTagReader {
    struct Prefix {
        var network: UInt32
        var length: Int
        func contains(_ a: UInt32) -> Bool {
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return a & mask == network & mask
        }
    }

    let tags: [(name: String, prefixes: [Prefix])]

    init(path: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let values = (object as? [String: Any])?["values"] as? [[String: Any]] ?? []
        tags = values.map { value in
            let name = value["name"] as? String ?? ""
            let texts = (value["properties"] as? [String: Any])?["addressPrefixes"] as? [String] ?? []
            return (name, texts.compactMap(TinyTagReader.parseIPv4))
        }
    }

    static func parseIPv4(_ text: String) -> Prefix? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let length = Int(parts[1]), (0 ... 32).contains(length) else { return nil }
        let octets = parts[0].split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        return Prefix(network: octets.reduce(0) { $0 << 8 | $1 }, length: length)
    }

    static func prefixTexts(of name: String, path: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let values = (object as? [String: Any])?["values"] as? [[String: Any]] ?? []
        let tag = values.first { $0["name"] as? String == name }
        return (tag?["properties"] as? [String: Any])?["addressPrefixes"] as? [String] ?? []
    }

    func ipv4Prefixes(of name: String) -> [Prefix] {
        tags.first { $0.name == name }?.prefixes ?? []
    }

    /// File tags containing `a`, plus the built-in `Internet` for a global unicast address
    /// (the Azure ranges used here are all public).
    func tags(containing a: UInt32) -> [String] {
        tags.filter { $0.prefixes.contains { $0.contains(a) } }.map(\.name) + ["Internet"]
    }
}
