import Foundation
import TestSupport
import PacketWire
import Testing
@testable import EgressPolicy

/// `<repo>/../shared/data/…`, read in place (never copied into the repo).
enum SharedRangeData {
    /// The file's path, or nil when the shared data is not there.
    static func file(_ relative: String) -> String? { SharedFolder.dataFile(relative) }

    static let azurePublic = file("azure/\(SharedFolder.azurePublicServiceTagsName)")
}

@Suite struct ServiceTagCatalogTests {
    private func cidrs(_ list: [String]) throws -> [CIDR] { try list.map { try CIDR(parsing: $0) } }

    private func smallCatalog(virtualNetwork: [String] = []) throws -> ServiceTagCatalog {
        ServiceTagCatalog(tags: [
            ServiceTag(name: "Storage", systemService: "AzureStorage", prefixes: try cidrs(["20.0.0.0/14", "2603:1030::/32"]), source: "a.json"),
            ServiceTag(name: "Storage.WestUS", region: "westus", prefixes: try cidrs(["20.1.0.0/16"]), source: "a.json"),
            ServiceTag(name: "Storage.WestUS2", region: "westus2", prefixes: try cidrs(["20.2.0.0/16"]), source: "a.json"),
            ServiceTag(name: "AzureCloud.westus", region: "westus", prefixes: try cidrs(["20.0.0.0/15"]), source: "a.json"),
            ServiceTag(name: "GuestAndHybridManagement", prefixes: try cidrs(["52.0.0.0/24"]), source: "a.json"),
            ServiceTag(name: "Storage", prefixes: try cidrs(["30.0.0.0/8"]), source: "gov.json"),
        ], sources: ["a.json", "gov.json"], virtualNetwork: try cidrs(virtualNetwork))
    }

    @Test func namesAreCaseInsensitive() throws {
        let c = try smallCatalog()
        #expect(c.tag(named: "GuestandHybridManagement")?.name == "GuestAndHybridManagement")
        #expect(c.tag(named: "storage.westus")?.name == "Storage.WestUS")
        #expect(c.tag(named: "STORAGE.WESTUS2")?.name == "Storage.WestUS2")
        #expect(c.tag(named: "azureloadbalancer")?.name == "AzureLoadBalancer")
    }

    @Test func sameTagFromTwoSourcesIsMerged() throws {
        let c = try smallCatalog()
        let storage = try #require(c.tag(named: "Storage"))
        #expect(storage.prefixes.map(\.description) == ["20.0.0.0/14", "2603:1030::/32", "30.0.0.0/8"])
        #expect(storage.source == "a.json, gov.json")
        #expect(c.tagNames.filter { $0 == "Storage" }.count == 1)
    }

    @Test(arguments: ["West US", "westus", "WestUS", "west-us", "WEST_US"])
    func regionalTagAcceptsOperatorSpellings(region: String) throws {
        let c = try smallCatalog()
        #expect(try c.regionalTag("Storage", region: region).get().name == "Storage.WestUS")
        #expect(try c.regionalTag("azurecloud", region: region).get().name == "AzureCloud.westus")
    }

    @Test func regionalTagDoesNotConfuseWestUSAndWestUS2() throws {
        let c = try smallCatalog()
        #expect(try c.regionalTag("Storage", region: "West US 2").get().name == "Storage.WestUS2")
    }

    @Test func missingTagsAreWarningsNamingTagAndFiles() throws {
        let c = try smallCatalog()
        guard case .failure(let w) = c.lookup("AzureFrontDoor.Backend") else {
            Issue.record("a missing tag resolved")
            return
        }
        #expect(w.tag == "AzureFrontDoor.Backend")
        #expect(w.description == "service tag \"AzureFrontDoor.Backend\" is not defined in a.json, gov.json nor a built-in tag; its rule matches nothing")
        guard case .failure(let r) = c.regionalTag("Storage", region: "Mars North") else {
            Issue.record("a missing region resolved")
            return
        }
        #expect(r.kind == .noRegionalTag(base: "Storage", region: "Mars North"))
        #expect(r.description.contains("\"Mars North\"") && r.description.contains("a.json"))
    }

    @Test func addressesAnswerEveryContainingTag() throws {
        let c = try smallCatalog()
        let a = try #require(IPAddress("20.1.2.3"))
        #expect(Set(c.tags(containing: a)) == ["Storage", "Storage.WestUS", "AzureCloud.westus", "Internet"])
        let b = try #require(IPAddress("20.2.0.1"))
        #expect(Set(c.tags(containing: b)) == ["Storage", "Storage.WestUS2", "Internet"])   // past AzureCloud.westus's 20.1.255.255
        let g = try #require(IPAddress("30.1.1.1"))
        #expect(Set(c.tags(containing: g)) == ["Storage", "Internet"])
        let v6 = try #require(IPAddress("2603:1030:1::1"))
        #expect(Set(c.tags(containing: v6)) == ["Storage", "Internet"])
    }

    @Test func specialTags() throws {
        let c = try smallCatalog(virtualNetwork: ["10.20.0.0/16", "100.64.0.0/24", "52.0.0.0/25", "fd00:1::/48"])
        #expect(c.tags(containing: try #require(IPAddress("168.63.129.16"))).contains("AzureLoadBalancer"))
        #expect(!c.tags(containing: try #require(IPAddress("168.63.129.17"))).contains("AzureLoadBalancer"))
        #expect(c.tags(containing: try #require(IPAddress("10.20.3.4"))) == ["VirtualNetwork"])
        #expect(c.tags(containing: try #require(IPAddress("fd00:1::5"))) == ["VirtualNetwork"])
        #expect(c.tags(containing: try #require(IPAddress("10.21.0.1"))) == [])      // private, not ours
        #expect(c.tags(containing: try #require(IPAddress("8.8.8.8"))) == ["Internet"])
        #expect(c.tags(containing: try #require(IPAddress("2001:4860:4860::8888"))) == ["Internet"])
        // A public block inside the operator's address space is VirtualNetwork, not Internet.
        #expect(Set(c.tags(containing: try #require(IPAddress("52.0.0.5")))) == ["GuestAndHybridManagement", "VirtualNetwork"])
        #expect(Set(c.tags(containing: try #require(IPAddress("52.0.0.200")))) == ["GuestAndHybridManagement", "Internet"])
    }

    /// Each non-Internet block's edges, and the addresses just outside them.
    @Test func internetExcludesExactlyTheSpecialUseBlocks() throws {
        let c = try smallCatalog()
        func isInternet(_ s: String) throws -> Bool {
            c.tags(containing: try #require(IPAddress(s))).contains("Internet")
        }
        for (inside, outside) in [
            ("10.0.0.0", "9.255.255.255"), ("10.255.255.255", "11.0.0.0"),
            ("100.64.0.0", "100.63.255.255"), ("100.127.255.255", "100.128.0.0"),
            ("172.16.0.0", "172.15.255.255"), ("172.31.255.255", "172.32.0.0"),
            ("192.168.0.0", "192.167.255.255"), ("192.168.255.255", "192.169.0.0"),
            ("169.254.169.254", "169.253.255.255"), ("127.0.0.1", "126.255.255.255"),
            ("0.0.0.0", "1.0.0.0"), ("198.18.0.0", "198.17.255.255"), ("198.19.255.255", "198.20.0.0"),
            ("224.0.0.1", "223.255.255.255"), ("255.255.255.255", "223.255.255.254"),
            ("2001:db8::1", "2001:db9::"), ("2001::1", "2001:200::"),
            ("fd00::1", "2400::1"), ("fe80::1", "2a01:111::1"), ("::1", "3ffe::"), ("3fff::1", "3ffe:ffff::"),
        ] {
            #expect(try !isInternet(inside), "\(inside)")
            #expect(try isInternet(outside), "\(outside)")
        }
    }
}

/// The real Azure Public file, checked against a separate minimal reader:
/// JSONSerialization + dotted-quad arithmetic written here, a linear scan
/// over every IPv4 prefix in the file.
@Suite(.requires(.shared))
struct AzurePublicCatalogTests {
    struct RawPrefix { var net: UInt32; var length: Int; var tag: String }

    static func readIPv4Prefixes(_ path: String) throws -> [RawPrefix] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let values = try #require(root["values"] as? [[String: Any]])
        var out: [RawPrefix] = []
        for v in values {
            let name = try #require(v["name"] as? String)
            let props = try #require(v["properties"] as? [String: Any])
            for p in try #require(props["addressPrefixes"] as? [String]) where !p.contains(":") {
                let parts = p.split(separator: "/")
                let octets = parts[0].split(separator: ".").compactMap { UInt32($0) }
                try #require(octets.count == 4 && parts.count == 2)
                out.append(RawPrefix(net: octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3],
                                     length: try #require(Int(parts[1])), tag: name))
            }
        }
        return out
    }

    /// Loaded once for the suite (the file is 4 MB).
    static let file: AzureServiceTagFile? = SharedRangeData.azurePublic.flatMap { try? AzureServiceTagFile(contentsOf: $0) }
    static let catalog: ServiceTagCatalog? = file.map { ServiceTagCatalog(azure: [$0]) }

    static func contains(_ p: RawPrefix, _ a: UInt32) -> Bool {
        p.length == 0 || (a ^ p.net) >> UInt32(32 - p.length) == 0
    }

    @Test func storageWestUSAddressesAreInEveryTagTheFileSays() throws {
        let path = try #require(SharedRangeData.azurePublic)
        let file = try AzureServiceTagFile(contentsOf: path)   // also the throwing path, once
        #expect(file.cloud == "Public")
        #expect(file.changeNumber == 376)
        #expect(file.tags.count == 3041)   // data README
        #expect(file.tags.reduce(0) { $0 + $1.prefixes.count } == 71348 + 24475)
        let catalog = try #require(Self.catalog)

        let raw = try Self.readIPv4Prefixes(path)
        #expect(raw.count == 71348)
        let westUS = raw.filter { $0.tag == "Storage.WestUS" }
        #expect(westUS.count == 91)
        // First, last and a middle address of a spread of Storage.WestUS prefixes.
        var probes: [UInt32] = []
        for p in stride(from: 0, to: westUS.count, by: 9).map({ westUS[$0] }) {
            let size = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(32 - p.length)) - 1)
            probes += [p.net, p.net + size, p.net + size / 2]
        }
        for a in probes {
            let names = Set(catalog.tags(containing: IPAddress(ipv4: a)))
            #expect(names.isSuperset(of: ["Storage", "Storage.WestUS", "AzureCloud", "Internet"]))
            // Exactly the file's tags (by the independent scan) plus the special "Internet".
            let expected = Set(raw.filter { Self.contains($0, a) }.map(\.tag)).union(["Internet"])
            #expect(names == expected, "\(IPAddress(ipv4: a))")
        }
    }

    @Test func storageWestUSIPv6PrefixIsMatched() throws {
        let catalog = try #require(Self.catalog)
        let tag = try #require(catalog.tag(named: "Storage.WestUS"))
        let v6 = tag.prefixes.filter { !$0.isIPv4 }
        #expect(v6.count == 4)
        for p in v6 {
            let names = catalog.tags(containing: p.address)
            #expect(names.contains("Storage") && names.contains("Storage.WestUS"), "\(p)")
        }
    }

    @Test func documentedNamesResolve() throws {
        let catalog = try #require(Self.catalog)
        #expect(catalog.tag(named: "GuestandHybridManagement")?.name == "GuestAndHybridManagement")
        #expect(catalog.tag(named: "GuestandHybridManagement")?.prefixes.count == 904)
        #expect(catalog.tag(named: "SQL")?.name == "Sql")
        #expect(catalog.tag(named: "AzureFrontDoor.FrontEnd")?.name == "AzureFrontDoor.Frontend")
        #expect(try catalog.regionalTag("AzureCloud", region: "West Europe").get().name == "AzureCloud.westeurope")
        #expect(try catalog.regionalTag("Storage", region: "west-us").get().name == "Storage.WestUS")
        #expect(try catalog.regionalTag("Storage", region: "westus3").get().name == "Storage.WestUS3")
        #expect(catalog.tags(containing: try #require(IPAddress("168.63.129.16"))).contains("AzureLoadBalancer"))
        if case .success = catalog.lookup("VirtualNetworkX") { Issue.record("unknown tag resolved") }
    }

    /// Every service tag the shipped profiles name exists in the Public file,
    /// regional ones resolved for "West US" as an operator would spell it.
    @Test func everyServiceTagOfTheBuiltinProfilesResolves() throws {
        let catalog = try #require(Self.catalog)
        var failures: [String] = []
        var count = 0
        for profile in BuiltinProfiles.all {
            for rule in profile.rules {
                for case .serviceTag(let text) in rule.destinations + rule.sources {
                    count += 1
                    let result: Result<ServiceTag, ServiceTagWarning>
                    if text.contains("<") || text.contains("{"), let dot = text.firstIndex(of: ".") {
                        result = catalog.regionalTag(String(text[..<dot]), region: "West US")
                    } else {
                        result = catalog.lookup(text)
                    }
                    if case .failure(let w) = result { failures.append("\(profile.id)/\(rule.id): \(w)") }
                }
            }
        }
        #expect(count > 10)
        #expect(failures == [])
    }
}
