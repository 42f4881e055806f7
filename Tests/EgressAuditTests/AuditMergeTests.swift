import CaptureRuntime
import CaptureSynth
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire
import TestSupport
import Testing
@testable import EgressAudit

/// Merging is one audit over both inputs: each bundled demo capture is split
/// by node, as a DaemonSet's nodes would each capture their own traffic (a
/// packet goes to the node it comes from or goes to); each half is audited,
/// its JSON report written and read back, the two merged, and the result
/// equals the audit of the whole capture in everything the audit counts.
@Suite struct AuditMergeTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")
    static let tagFolder = SharedFolder.root.appendingPathComponent("data/azure")
    static let demos = ["apim-self-hosted-gateway", "apim-vnet", "cassandra-mi"]

    /// The whole capture's report, and the merged halves' (split at the first node's addresses).
    static func wholeAndMerged(capture: String, profile: CompiledProfile, nodes: [CIDR], firstNode: Set<IPAddress>,
                               serviceTagFiles: [String]) throws -> (whole: AuditReport, merged: AuditReport, halves: [Int]) {
        var whole = CapturePipeline(audit: AuditAccumulator(profile: profile, nodes: nodes))
        var halves = [CapturePipeline(audit: AuditAccumulator(profile: profile, nodes: nodes)),
                      CapturePipeline(audit: AuditAccumulator(profile: profile, nodes: nodes))]
        var counts = [0, 0]
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        try OfflineCapture(path: capture).forEachPacket { captured in
            whole.add(captured, input: 0)
            decoder.decode(captured.bytes, linkType: LinkType(rawValue: captured.linkType), originalLength: captured.originalLength, into: &packet)
            let first = firstNode.contains(packet.source) || firstNode.contains(packet.destination)
            halves[first ? 0 : 1].add(captured, input: 0)
            counts[first ? 0 : 1] += 1
        }
        whole.finish()
        var reports: [AuditReport] = []
        for i in halves.indices {
            halves[i].finish()
            let json = try ReportOutput.json(try #require(halves[i].auditReport(serviceTagFiles: serviceTagFiles)))
            reports.append(try JSONDecoder().decode(AuditReport.self, from: Data(json.utf8)))
        }
        return (try #require(whole.auditReport(serviceTagFiles: serviceTagFiles)), try AuditMerge.merge(reports), counts)
    }

    static func expectSameAudit(_ a: AuditReport, _ b: AuditReport) {
        #expect(a.verdict == b.verdict)
        #expect(a.findings == b.findings)
        #expect(a.requiredRules == b.requiredRules)
        #expect(a.optionalRules == b.optionalRules)
        #expect(a.undocumented == b.undocumented)
        #expect(a.wrongPort == b.wrongPort)
        #expect(a.allowed == b.allowed)
        #expect(a.resolvers == b.resolvers)
        #expect(a.dnsFailures == b.dnsFailures)
        #expect(a.nameMismatches == b.nameMismatches)
        #expect(a.suggestions == b.suggestions)
        #expect(a.flowTotals == b.flowTotals)
        #expect(a.nodes == b.nodes)
        #expect(a.capture.packets == b.capture.packets)
        #expect(a.capture.bytes == b.capture.bytes)
        #expect(a.capture.flows == b.capture.flows)
    }

    @Test(.requires(.shared), arguments: demos)
    func demoSplitByNodeMergesToTheWhole(demo: String) throws {
        let plants = try AuditFindingPlants.decode(from: Data(contentsOf: Self.captures.appendingPathComponent("demo-\(demo).findings.json")))
        let profile = try #require(BuiltinProfiles.profile(id: plants.profile))
        let expanded = try profile.expand(parameters: plants.parameters, features: Set(plants.features))
        let virtualNetwork = (expanded.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) }
        let catalog = try ServiceTagSources.catalog(files: [Self.tagFolder.appendingPathComponent(plants.serviceTagFile).path],
                                                    virtualNetwork: virtualNetwork)
        let nodes = plants.nodes.compactMap { CIDR($0.address) }
        try #require(nodes.count >= 2, "the demo has two nodes to split between")
        let first = Set(try #require(plants.nodes.first).address.split(separator: ",").compactMap { IPAddress(String($0)) })
        let (whole, merged, halves) = try Self.wholeAndMerged(
            capture: Self.captures.appendingPathComponent("demo-\(demo).pcap").path, profile: CompiledProfile(expanded, catalog: catalog),
            nodes: nodes, firstNode: first, serviceTagFiles: [plants.serviceTagFile])
        #expect(halves[0] > 0 && halves[1] > 0, "both halves hold packets: \(halves)")
        Self.expectSameAudit(whole, merged)
    }

    /// The same over the generated gateway capture (both families, QUIC, CONNECT, ICMP), without ../shared.
    @Test func gatewayCaptureSplitByNodeMergesToTheWhole() throws {
        let profile = try ProfileLoader.load(text: AuditorTests.profileYAML, file: "audit-test.yaml")
        let compiled = CompiledProfile(try profile.expand(), catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        let first: Set<IPAddress> = [IPAddress("10.1.0.4")!, IPAddress("fd00:1::4")!]
        let (whole, merged, halves) = try Self.wholeAndMerged(
            capture: AuditorTests.capture, profile: compiled, nodes: [CIDR("10.1.0.0/24")!, CIDR("fd00:1::/64")!], firstNode: first,
            serviceTagFiles: [])
        #expect(halves[0] > 0 && halves[1] > 0)
        #expect(whole.requiredRules.contains { $0.status == "satisfied" } && !whole.undocumented.isEmpty, "a report with something in it")
        Self.expectSameAudit(whole, merged)
    }

    @Test func reportsOfDifferentProfilesOrParametersAreRefused() throws {
        let r = try AuditorTests.report()
        var other = r
        other.profile.id = "cassandra-mi"
        #expect(throws: AuditMerge.Mismatch.self) { try AuditMerge.merge([r, other]) }
        var parameters = r
        parameters.profile.parameters = ["region": "westus"]
        do {
            _ = try AuditMerge.merge([r, parameters])
            Issue.record("merged reports of different parameters")
        } catch {
            #expect(error.description.contains("region=westus"), "\(error.description)")
        }
    }

    @Test func mergeIsAssociativeAndCommutative() throws {
        let profile = try ProfileLoader.load(text: AuditorTests.profileYAML, file: "audit-test.yaml")
        let compiled = CompiledProfile(try profile.expand(), catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        // Three node-halves of the gateway capture: node a, node b, everything else.
        let groups: [Set<IPAddress>] = [[IPAddress("10.1.0.4")!, IPAddress("fd00:1::4")!], [IPAddress("10.1.0.5")!, IPAddress("fd00:1::5")!]]
        var parts = [0, 1, 2].map { _ in CapturePipeline(audit: AuditAccumulator(profile: compiled, nodes: [CIDR("10.1.0.0/24")!, CIDR("fd00:1::/64")!])) }
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        try OfflineCapture(path: AuditorTests.capture).forEachPacket { captured in
            decoder.decode(captured.bytes, linkType: LinkType(rawValue: captured.linkType), originalLength: captured.originalLength, into: &packet)
            let i = groups.firstIndex { $0.contains(packet.source) || $0.contains(packet.destination) } ?? 2
            parts[i].add(captured, input: 0)
        }
        let reports = try parts.indices.map { i in
            parts[i].finish()
            return try #require(parts[i].auditReport(serviceTagFiles: []))
        }
        let left = try AuditMerge.merge([try AuditMerge.merge([reports[0], reports[1]]), reports[2]])
        let right = try AuditMerge.merge([reports[0], try AuditMerge.merge([reports[1], reports[2]])])
        let swapped = try AuditMerge.merge([reports[2], reports[0], reports[1]])
        Self.expectSameAudit(left, right)
        Self.expectSameAudit(left, swapped)
    }
}
