import CaptureSynth
import EgressPolicy
import Foundation
import TestSupport
import Testing
@testable import CaptureRuntime
@testable import EgressAudit
import FlowEngine
import PacketWire

/// Folding the audit on a thread of its own changes nothing: on a per-flow
/// capture (a DNS lookup and a new name before every connection, so the
/// tracker interns names while the audit's thread reads them), the report and
/// the flow log's records and verdicts, in order, are those of folding on the
/// tracking thread. A ring of 64 records makes both sides wait on each other.
@Suite struct AuditThreadTests {
    /// A per-flow capture of 60,000 packets in a file of its own, removed by the caller.
    static func makeCapture() throws -> String {
        let path = TestScratch.path("audit-thread.pcap")
        _ = try Scenario.generate("per-flow", options: CaptureOptions(seed: 11, packets: 60_000), output: FileOutput(path: path))
        return path
    }

    struct Logged: Equatable {
        let key: FlowKey
        let firstSeen: Int64
        let names: [String]
        let verdict: FlowLogVerdict?
    }

    /// Collects what the flow log is told, from whichever thread tells it.
    final class Log: @unchecked Sendable {
        var lines: [Logged] = []
    }

    static func audit(_ capture: String, ahead: Bool, capacity: Int, nodes: [CIDR]) throws -> (CapturePipeline, [Logged]) {
        let expanded = try #require(BuiltinProfiles.profile(id: "apim-self-hosted-gateway")).expand(parameters: ["apim-name": "contoso"])
        let profile = CompiledProfile(expanded, catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        var pipeline = CapturePipeline(audit: AuditAccumulator(profile: profile, nodes: nodes))
        pipeline.auditsAhead = ahead
        pipeline.auditAheadCapacity = capacity
        let log = Log()
        pipeline.flowObserver = { r, names, verdict in
            log.lines.append(Logged(key: r.key, firstSeen: r.firstSeen,
                                    names: [r.sni, r.quicSNI, r.httpHost, r.dnsName].map { names.string($0) }, verdict: verdict))
        }
        pipeline.read(path: capture)
        pipeline.finish()
        return (pipeline, log.lines)
    }

    static func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> String {
        guard let i = a.indices.first(where: { $0 < b.count && a[$0] != b[$0] }) else { return a.count == b.count ? "same" : "counts \(a.count), \(b.count)" }
        return "at \(i): \(a[i]) vs \(b[i])"
    }

    @Test(arguments: [[CIDR("10.20.1.0/24")!], []])
    func foldingOnItsOwnThreadGivesTheSameAudit(nodes: [CIDR]) throws {
        let capture = try Self.makeCapture()
        defer { try? FileManager.default.removeItem(atPath: capture) }
        let (one, oneLog) = try Self.audit(capture, ahead: false, capacity: 4096, nodes: nodes)
        let oneReport = try #require(one.auditReport(serviceTagFiles: []))
        #expect(one.passesAuditedAhead == 0)
        // Real work to compare: thousands of flows, named and judged.
        #expect(oneLog.count > 5_000)
        #expect(oneLog.filter { $0.verdict?.verdict == "allowed" }.count > 100)
        #expect(oneLog.filter { $0.verdict?.verdict == "undocumented" && !$0.names[0].isEmpty }.count > 100)
        for capacity in [64, 4096] {
            let (two, twoLog) = try Self.audit(capture, ahead: true, capacity: capacity, nodes: nodes)
            if DecodeAheadRing.worthwhile { #expect(two.passesAuditedAhead == 1) }
            let twoReport = try #require(two.auditReport(serviceTagFiles: []))
            // Compared whole; on a difference, the first differing part is what is shown.
            #expect(twoReport == oneReport, "\(Self.firstDifference(twoReport.undocumented, oneReport.undocumented))")
            #expect(twoLog.count == oneLog.count)
            #expect(twoLog == oneLog, "\(Self.firstDifference(twoLog, oneLog))")
        }
    }
}
