import Foundation
import Testing
@testable import CaptureRuntime
import EgressAudit

/// A snapshot (a live run's periodic report) ends the flows in a copy: the
/// analyzer it came from keeps tracking them, and its own list of ended flows
/// is untouched (the analyzer is a value, whatever it keeps inside).
@Suite struct CapturePipelineSnapshotTests {
    @Test func aSnapshotLeavesTheAnalyzerAsItWas() {
        let capture = DecodeAheadTests.repository.appendingPathComponent("Captures/gateway-egress.pcap").path
        var analyzer = CapturePipeline(keepsFlows: true)
        analyzer.read(path: capture)
        let before = analyzer.flows.count
        let snapshot = analyzer.snapshot()
        #expect(snapshot.flows.count > before)
        #expect(analyzer.flows.count == before)
        analyzer.finish()
        #expect(analyzer.flowEntries == snapshot.flowEntries)
        #expect(snapshot.flows.count == analyzer.flows.count)
    }
}
