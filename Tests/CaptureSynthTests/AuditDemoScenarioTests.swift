import Crypto
import Foundation
import TestSupport
import Testing
@testable import CaptureSynth

/// The audit demonstrations: reproducible bytes, tshark's view equal to the plant list, findings consistent
/// with the plant list, and every cited service-tag address really inside its prefix in the tag file.
@Suite struct AuditDemoScenarioTests {
    static let demos = AuditDemoScenario.Demo.allCases.map(\.rawValue)
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let captures = repository.appendingPathComponent("Captures")
    static let tagFile = repository.deletingLastPathComponent().appendingPathComponent("shared/data/azure/ServiceTags_Public_20251109.json")

    func generate(_ name: String, seed: UInt64 = 1) throws -> (bytes: [UInt8], plants: PlantList, findings: AuditFindingPlants) {
        let out = MemoryOutput()
        let (plants, findings) = try Scenario.generateWithFindings(name, options: CaptureOptions(seed: seed), output: out)
        return (out.bytes, plants, try #require(findings))
    }

    func digest(_ bytes: [UInt8]) -> String { hexString(Array(SHA256.hash(data: bytes))) }

    @Test(arguments: demos)
    func sameSeedSameBytesOtherSeedOtherBytes(_ name: String) throws {
        let a = try generate(name), b = try generate(name), c = try generate(name, seed: 2)
        #expect(digest(a.bytes) == digest(b.bytes))
        #expect(a.plants == b.plants && a.findings == b.findings)
        #expect(digest(a.bytes) != digest(c.bytes))
        // Small enough to read in a terminal and keep in the repository.
        #expect(a.bytes.count < 150_000)
    }

    @Test(arguments: demos)
    func committedFilesRegenerateByteForByte(_ name: String) throws {
        let g = try generate(name)
        let pcap = try #require(FileManager.default.contents(atPath: Self.captures.appendingPathComponent("\(name).pcap").path))
        let plants = try #require(FileManager.default.contents(atPath: Self.captures.appendingPathComponent("\(name).plants.json").path))
        let findings = try #require(FileManager.default.contents(atPath: Self.captures.appendingPathComponent("\(name).findings.json").path))
        #expect(g.bytes == [UInt8](pcap))
        #expect(try g.plants.jsonData() == plants)
        #expect(try g.findings.jsonData() == findings)
    }

    @Test(.requires(.tshark), arguments: demos)
    func tsharkSeesWhatWasPlanted(_ name: String) throws {
        let path = TestScratch.path("capturesynth-demo-\(name).pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plants = try Scenario.generate(name, options: CaptureOptions(), output: FileOutput(path: path))
        let rows = try TsharkAgreementTests.run(path)
        #expect(rows.count == plants.packetCount)
        #expect(rows.filter { !$0.malformed.isEmpty }.count == 0)
        #expect(rows.flatMap(\.checksums).filter { $0 == "0" }.isEmpty)
        #expect(Set(rows.flatMap(\.sni)) == Set(plants.sniNames))
        #expect(Set(rows.flatMap(\.httpHosts)) == Set(plants.httpHosts))
        #expect(Set(rows.flatMap(\.dnsNames)) == Set(plants.dns.map(\.qname)))
        let syns = rows.filter { $0.syn == "1" && $0.ack == "0" && !$0.protocols.contains("icmp") }
        #expect(Set(syns.compactMap { UInt16($0.tcpDestinationPort) }) == Set(plants.synDestinationPorts))
        let synFlows = Set(syns.map { "\($0.tcpSourcePort)>\($0.destination):\($0.tcpDestinationPort)" })
        #expect(synFlows == Set(plants.flows.filter { $0.transport == "tcp" }.map { "\($0.clientPort)>\($0.server):\($0.serverPort)" }))
        // ICMP admin-prohibited (type 3 code 13) for every prohibited flow.
        #expect(rows.filter { $0.protocols.contains("icmp") }.count == plants.flows.filter { $0.outcome == .prohibited }.count)
    }

    @Test(arguments: demos)
    func everyFindingIsBackedByThePlantList(_ name: String) throws {
        let (_, plants, findings) = try generate(name)
        let nodeAddresses = Set(findings.nodes.map(\.address))
        #expect(nodeAddresses == ["10.10.1.4", "10.10.1.5"])
        for item in findings.findings {
            let flows = item.flows.map { ref in plants.flows.first(where: ref.matches) }
            #expect(flows.allSatisfy { $0 != nil }, "\(item.kind) \(item.rule ?? item.name ?? "") points at a flow not in the plant list")
            let planted = flows.compactMap { $0 }
            for f in planted {
                #expect(nodeAddresses.contains(f.client), "flows of a finding start at a node")
                if let address = item.address { #expect(f.server == address) }
                if let port = item.port { #expect(f.serverPort == port) }
                if let transport = item.transport { #expect(f.transport == transport) }
            }
            let names = Set(plants.sniNames + plants.httpHosts + plants.dns.map(\.qname))
            if let n = item.name { #expect(names.contains(n), "\(n) is not in the plant list's SNI/HTTP/DNS names") }
            switch item.kind {
            case .blockedRequired:
                #expect(!planted.isEmpty && planted.allSatisfy { $0.outcome == .unanswered || $0.outcome == .prohibited })
                #expect(Set(planted.map(\.outcome)) == [.unanswered, .prohibited])
                #expect(item.rule != nil)
            case .allowedRequired, .allowedOptional, .undocumented, .wrongPort, .nameMismatch:
                #expect(planted.count == 1 && planted.allSatisfy { $0.outcome == .established || $0.outcome == .replied })
            case .requiredNeverSeen, .unusedOptional:
                #expect(item.flows.isEmpty && item.rule != nil)
            case .failingDNS:
                let entry = plants.dns.first { $0.qname == item.name && $0.rcode == item.rcode }
                #expect(entry != nil && entry?.addresses.isEmpty == true)
                #expect(item.rcode == "nameError" || item.rcode == "serverFailure")
            }
            if item.kind == .nameMismatch {
                let flow = try #require(planted.first)
                #expect(flow.sni == item.name)
                let answer = plants.dns.first { $0.qname == item.dnsName }
                #expect(answer?.addresses.contains(flow.server) == true && item.dnsName != item.name)
            }
            if item.kind == .undocumented && item.name == nil {
                // IP-only: no SNI, no HTTP, and no DNS answer ever named the address.
                let flow = try #require(planted.first)
                #expect(flow.sni == nil && flow.httpHost == nil)
                #expect(!plants.dns.contains { $0.addresses.contains(flow.server) })
                #expect(item.serviceTag?.tag == "AzureFrontDoor.Frontend")
            }
        }
    }

    @Test(arguments: demos)
    func ruleStatusesAgreeWithTheFindings(_ name: String) throws {
        let findings = try generate(name).findings
        let kinds = Set(findings.findings.map(\.kind))
        // Every kind of the demo brief is planted (a one-required-rule profile cannot also leave one unseen; a
        // profile without features has no optional rule).
        var expected = Set(AuditFindingPlant.Kind.allCases)
        if findings.requiredRules.count == 1 { expected.remove(.requiredNeverSeen) }
        if findings.features.isEmpty { expected.subtract([.allowedOptional, .unusedOptional]) }
        // container-apps names no host (service tags and "*" only): no failing lookup is one a required rule needs.
        if findings.profile == "container-apps" { expected.remove(.failingDNS) }
        #expect(kinds == expected)

        func rules(_ kind: AuditFindingPlant.Kind) -> Set<String> { Set(findings.findings.filter { $0.kind == kind }.compactMap(\.rule)) }
        let notSeen = Set(findings.requiredRules.filter { $0.status == .notSeen }.map(\.rule))
        #expect(notSeen == rules(.requiredNeverSeen))
        let failing = Set(findings.requiredRules.filter { $0.status == .attemptedButFailing || $0.nodes?.values.contains(.attemptedButFailing) == true }.map(\.rule))
        #expect(failing == rules(.blockedRequired))
        #expect(Set(findings.optionalRules.filter { $0.status == .unused }.map(\.rule)) == rules(.unusedOptional))
        #expect(rules(.allowedRequired).isSubset(of: Set(findings.requiredRules.filter { $0.status == .satisfied }.map(\.rule))))
        #expect(rules(.allowedOptional).isSubset(of: Set(findings.optionalRules.filter { $0.status == .used }.map(\.rule))))
        #expect(Set(findings.requiredRules.map(\.rule)).count == findings.requiredRules.count)
        // Every rule an item names is a rule of the expansion (required, or optional of an enabled feature).
        let known = Set((findings.requiredRules + findings.optionalRules).map(\.rule))
        let named = findings.findings.flatMap { ($0.rule.map { [$0] } ?? []) + ($0.alsoRules ?? []) }
        #expect(Set(named).isSubset(of: known), "\(Set(named).subtracting(known))")
    }

    // MARK: Service-tag addresses against the tag file

    /// Tag name → IPv4 prefixes, read with JSONSerialization (not the project's loader).
    static func readTagFile() throws -> [String: [String]] {
        let data = try Data(contentsOf: tagFile)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let values = try #require(root["values"] as? [[String: Any]])
        var tags: [String: [String]] = [:]
        for v in values {
            guard let name = v["name"] as? String, let props = v["properties"] as? [String: Any],
                  let prefixes = props["addressPrefixes"] as? [String] else { continue }
            tags[name] = prefixes.filter { !$0.contains(":") }
        }
        return tags
    }

    /// Dotted quad → 32-bit value.
    static func ipv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard let octet = UInt8(p) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    /// "a.b.c.d/n" → (network, mask).
    static func prefix(_ text: String) -> (network: UInt32, mask: UInt32)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let network = ipv4(parts[0]), let length = UInt32(parts[1]), length <= 32 else { return nil }
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
        return (network & mask, mask)
    }

    static func contains(_ prefix: String, _ address: String) -> Bool {
        guard let p = Self.prefix(prefix), let a = ipv4(Substring(address)) else { return false }
        return a & p.mask == p.network
    }

    @Test func prefixArithmeticIsRight() {
        #expect(Self.contains("13.107.213.0/24", "13.107.213.40"))
        #expect(!Self.contains("13.107.213.0/24", "13.107.214.0"))
        #expect(Self.contains("40.112.242.144/30", "40.112.242.147"))
        #expect(!Self.contains("40.112.242.144/30", "40.112.242.148"))
        #expect(Self.contains("0.0.0.0/0", "10.10.1.4"))
    }

    @Test(.requires(.shared))
    func citedAddressesLieInTheirTagsPrefixes() throws {
        let tags = try Self.readTagFile()
        let parsed = tags.mapValues { $0.compactMap(Self.prefix) }
        var checked = 0
        for name in Self.demos {
            let findings = try generate(name).findings
            #expect(findings.serviceTagFile == Self.tagFile.lastPathComponent)
            for item in findings.findings {
                guard let address = item.address else { continue }
                if let cite = item.serviceTag {
                    let prefixes = try #require(tags[cite.tag], "tag \(cite.tag) not in the file")
                    #expect(prefixes.contains(cite.prefix), "\(cite.prefix) is not a prefix of \(cite.tag)")
                    #expect(Self.contains(cite.prefix, address), "\(address) not in \(cite.prefix)")
                    checked += 1
                }
                let a = try #require(Self.ipv4(Substring(address)))
                let containing = parsed.filter { $0.value.contains { a & $0.mask == $0.network } }.keys.sorted()
                #expect(item.containingTags == containing, "\(address): tags \(containing)")
            }
        }
        #expect(checked >= 12)
    }
}
