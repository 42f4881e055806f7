import CaptureSynth
import Foundation
import TestSupport
import Testing
@testable import CaptureRuntime

/// `StageBenchmark` driven directly: rounds, medians and ratios are well
/// formed and every stage reads the whole file. No timing is judged.
@Suite struct StageBenchmarkTests {
    static func capture(packets: Int) throws -> (dir: URL, path: String) {
        let dir = try TestScratch.directory("stage-benchmark")
        let path = dir.appendingPathComponent("per-flow.pcap").path
        _ = try Scenario.generate("per-flow", options: CaptureOptions(seed: 5, packets: packets), output: FileOutput(path: path))
        return (dir, path)
    }

    @Test func everyStageEveryRoundOverTheSameFile() throws {
        let (dir, path) = try Self.capture(packets: 2_000)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bench = StageBenchmark(files: [path, path], profile: nil, rounds: 3)
        #expect(bench.stages == [.bareRead, .read, .decode, .analyze])
        #expect(bench.check().isEmpty)
        var order: [(Int, StageBenchmark.Stage)] = []
        let results = try bench.run { order.append(($0, $1)) }

        // Round r starts with the stage r places further on.
        #expect(order.count == 12)
        #expect(order.map(\.1) == [.bareRead, .read, .decode, .analyze, .read, .decode, .analyze, .bareRead,
                                   .decode, .analyze, .bareRead, .read])
        #expect(results.stages.map(\.stage) == [.bareRead, .read, .decode, .analyze])
        #expect(results.packets == 4_000 && results.packetsAgree)
        var pipeline = CapturePipeline()
        pipeline.read(path: path)
        pipeline.read(path: path)
        pipeline.finish()
        #expect(results.flows == pipeline.summary.flows)
        #expect(results[.decode]?.flows == nil)
        for stage in results.stages {
            #expect(stage.samples.count == 3)
            #expect(stage.wallSeconds == StageBenchmark.median(stage.samples.map(\.wallSeconds)))
            #expect((stage.wallRatio ?? 0) > 0)
        }
        #expect(results[.bareRead]?.wallRatio == 1)
        if let cpu = results[.bareRead]?.cpuRatio { #expect(cpu == 1) }
    }

    @Test func medianOfOddAndEvenCounts() {
        #expect(StageBenchmark.median([3, 1, 2]) == 2)
        #expect(StageBenchmark.median([4, 1, 3, 2]) == 2.5)
        #expect(StageBenchmark.median([7]) == 7)
    }

    @Test func aMissingFileIsFoundBeforeAnythingIsTimed() throws {
        let bench = StageBenchmark(files: ["/nonexistent/egress-audit-bench.pcap"], profile: nil, rounds: 1)
        #expect(bench.check().map(\.description) == ["/nonexistent/egress-audit-bench.pcap: no such file"])
        #expect(throws: StageBenchmark.Failure.self) { try bench.run() }
    }

    @Test func theProcessFiguresAreRead() {
        #expect((ProcessUsage.residentBytes() ?? 0) > 0)
        #expect((ProcessUsage.peakResidentBytes() ?? 0) >= (ProcessUsage.residentBytes() ?? 0) / 2)
        let machine = ProcessUsage.machine()
        #expect(machine.cores >= 1 && !machine.architecture.isEmpty && !machine.kernel.isEmpty)
    }
}
