import CaptureRuntime
import CaptureSynth
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire
import TestSupport
import Testing
@testable import EgressAudit

/// The default live filter must not change what an audit finds: each bundled
/// demo capture is audited twice — every packet, and only the packets the
/// filter keeps (`pcap_offline_filter`, the kernel's program run in user space)
/// — and the findings (undocumented, blocked, wrong-port, missing, and the
/// rest) are the same, while the filter does drop traffic.
@Suite struct AuditCaptureFilterPipelineTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")
    static let tagFolder = SharedFolder.root.appendingPathComponent("data/azure")
    static let demos = ["apim-self-hosted-gateway", "apim-vnet", "cassandra-mi"]

    /// The audit of `demo`, with every packet or through the default filter for its link type; and the packets analysed.
    static func audit(_ demo: String, filtered: Bool) throws -> (report: AuditReport, packets: Int) {
        let plants = try AuditFindingPlants.decode(from: Data(contentsOf: captures.appendingPathComponent("demo-\(demo).findings.json")))
        let profile = try #require(BuiltinProfiles.profile(id: plants.profile))
        let expanded = try profile.expand(parameters: plants.parameters, features: Set(plants.features))
        let virtualNetwork = (expanded.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) }
        let catalog = try ServiceTagSources.catalog(files: [tagFolder.appendingPathComponent(plants.serviceTagFile).path], virtualNetwork: virtualNetwork)
        let capture = try OfflineCapture(path: captures.appendingPathComponent("demo-\(demo).pcap").path)
        let filter = filtered ? try CompiledFilter(AuditCaptureFilter.expression(linkType: capture.linkType), linkType: capture.linkType) : nil
        var analyzer = CapturePipeline(audit: AuditAccumulator(profile: CompiledProfile(expanded, catalog: catalog),
                                                               nodes: plants.nodes.compactMap { CIDR($0.address) }))
        var packets = 0
        try capture.forEachPacket { captured in
            if let filter, !filter.matches(captured) { return }
            packets += 1
            analyzer.add(captured, input: 0)
        }
        analyzer.finish()
        return (try #require(analyzer.auditReport(serviceTagFiles: [plants.serviceTagFile])), packets)
    }

    /// A finding without its prose (which quotes byte counts the filter makes partial).
    struct Key: Hashable, CustomStringConvertible {
        let kind: String, rule: String?, destination: String?, port: Int?
        var description: String { "\(kind) \(rule ?? "-") \(destination ?? "-") \(port.map(String.init) ?? "-")" }
    }

    @Test(.requires(.shared), arguments: demos)
    func theDefaultFilterLeavesTheFindingsUnchanged(demo: String) throws {
        let all = try Self.audit(demo, filtered: false)
        let filtered = try Self.audit(demo, filtered: true)
        // The filter did something: the demos carry server→client data.
        #expect(filtered.packets < all.packets, "\(demo): \(filtered.packets) of \(all.packets) packets kept")
        func keys(_ r: AuditReport) -> [Key] {
            r.findings.map { Key(kind: $0.kind.rawValue, rule: $0.rule, destination: $0.destination, port: $0.port) }
        }
        #expect(!all.report.findings.isEmpty)
        #expect(keys(filtered.report) == keys(all.report))
        #expect(filtered.report.undocumented.map(\.destination) == all.report.undocumented.map(\.destination))
        #expect(filtered.report.wrongPort.map { "\($0.destination) \($0.ports)" } == all.report.wrongPort.map { "\($0.destination) \($0.ports)" })
        #expect(filtered.report.allowed.map(\.destination) == all.report.allowed.map(\.destination))
        #expect(filtered.report.requiredRules.map { "\($0.rule) \($0.status) \($0.flows) \($0.failedFlows)" }
                == all.report.requiredRules.map { "\($0.rule) \($0.status) \($0.flows) \($0.failedFlows)" })
        #expect(filtered.report.dnsFailures == all.report.dnsFailures)
        #expect(filtered.report.verdict == all.report.verdict)
        // What the filter costs: bytes received from servers are undercounted, never bytes sent.
        let sentAll = all.report.allowed.map(\.bytesSent).reduce(0, +)
        let sentFiltered = filtered.report.allowed.map(\.bytesSent).reduce(0, +)
        #expect(sentFiltered == sentAll)
    }
}
