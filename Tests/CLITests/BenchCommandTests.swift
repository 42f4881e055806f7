import CaptureSynth
import Foundation
import TestSupport
import Testing

/// `egress-audit bench` as an operator runs it. No timing is judged here, only
/// that every stage read the whole file, the counts agree with tshark and with
/// `analyze`, the ratios are well formed, and bad input fails in one line.
@Suite struct BenchCommandTests {
    /// A small per-flow-heavy capture, as bench generates it.
    static func perFlowCapture(packets: Int, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("per-flow-\(packets).pcap").path
        _ = try Scenario.generate("per-flow", options: CaptureOptions(seed: 3, packets: packets), output: FileOutput(path: path))
        return path
    }

    static func document(_ result: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)\n\(result.stderr)")
    }

    static let stageIDs = ["bare-read", "read", "decode", "analyze", "audit"]

    @Test(.requires(.tshark))
    func everyStageReadsTsharksPacketsAndAnalyzesFlows() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.perFlowCapture(packets: 5_000, in: dir)

        let result = try CLI.run(["bench", file, "--rounds", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let doc = try Self.document(result)
        let stages = try #require(doc["stages"] as? [[String: Any]])
        #expect(stages.compactMap { $0["id"] as? String } == Self.stageIDs)

        let tshark = try ToolOutput.run(try #require(Prerequisite.tshark.path), ["-r", file, "-T", "fields", "-e", "frame.number"])
        let framesByTshark = String(decoding: tshark.stdout, as: UTF8.self).split(separator: "\n").count
        #expect(framesByTshark == 5_000)
        #expect(doc["packets"] as? Int == framesByTshark)
        for stage in stages {
            #expect(stage["packets"] as? Int == framesByTshark, "\(stage["id"] ?? "?")")
            let wallRatio = try #require(stage["wallRatio"] as? Double)
            #expect(wallRatio > 0)
            if let cpuRatio = stage["cpuRatio"] as? Double { #expect(cpuRatio > 0) }
            #expect((stage["wallSecondsPerRound"] as? [Double])?.count == 1)
            #expect((stage["packetsPerSecond"] as? Double ?? 0) > 0)
        }
        let bare = stages[0]
        #expect(bare["wallRatio"] as? Double == 1)
        if let cpuRatio = bare["cpuRatio"] as? Double { #expect(cpuRatio == 1) }
        #expect(bare["flows"] == nil)

        let analyze = try CLI.run(["analyze", file, "--json"])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        let flows = try #require((Self.document(analyze)["summary"] as? [String: Any])?["flows"] as? Int)
        #expect(flows > 500)
        #expect(doc["flows"] as? Int == flows)
        #expect(stages[3]["flows"] as? Int == flows && stages[4]["flows"] as? Int == flows)
        #expect((stages[4]["flowsPerSecond"] as? Double ?? 0) > 0)

        let profile = try #require(doc["profile"] as? [String: Any])
        #expect(profile["id"] as? String == "apim-self-hosted-gateway")
        #expect(profile["isDefault"] as? Bool == true)
        #expect((profile["parameters"] as? [String: String])?["apim-name"] == "contoso")
        #expect(doc["generated"] == nil)
        #expect((doc["machine"] as? [String: Any])?["cores"] as? Int ?? 0 >= 1)
    }

    @Test func withoutFileItGeneratesACaptureAndRemovesIt() throws {
        let result = try CLI.run(["bench", "--packets", "3000", "--rounds", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let doc = try Self.document(result)
        #expect((doc["generated"] as? [String: Any])?["packets"] as? Int == 3_000)
        #expect(doc["packets"] as? Int == 3_000)
        let stages = try #require(doc["stages"] as? [[String: Any]])
        #expect(stages.allSatisfy { $0["packets"] as? Int == 3_000 && ($0["wallSecondsPerRound"] as? [Double])?.count == 2 })
        let path = try #require((doc["files"] as? [[String: Any]])?.first?["path"] as? String)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path))
    }

    @Test func theTableNamesTheMachineTheFileAndTheDefaultProfile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.perFlowCapture(packets: 1_000, in: dir)
        let result = try CLI.run(["bench", file, "--rounds", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("machine:  "))
        #expect(result.stdout.contains("capture:  \(file)"))
        #expect(result.stdout.contains("packets:  1,000"))
        #expect(result.stdout.contains("profile:  apim-self-hosted-gateway --param apim-name=contoso (the default: no --profile given)"))
        for title in ["1 bare libpcap read loop", "2 read", "3 read + decode", "4 + flows and names", "5 + audit"] {
            #expect(result.stdout.contains(title), "\(title)")
        }
        #expect(result.stdout.contains("peak RSS: "))
    }

    @Test func aBadFileIsOneLineAndExitStatusOne() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.pcap").path
        let result = try CLI.run(["bench", missing, "--rounds", "1"])
        #expect(result.status == 1)
        #expect(result.stderr == "egress-audit: \(missing): no such file\n")
        #expect(result.stdout.isEmpty)

        let text = dir.appendingPathComponent("notes.txt").path
        try Data("not a capture\n".utf8).write(to: URL(fileURLWithPath: text))
        let notCapture = try CLI.run(["bench", text, "--json"])
        #expect(notCapture.status == 1)
        let lines = notCapture.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("egress-audit: \(text): not a pcap or pcapng capture"), "\(notCapture.stderr)")
    }

    @Test func aFileCutShortFailsInOneLineInsteadOfComparingPartialPasses() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.perFlowCapture(packets: 500, in: dir)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes.removeLast(10)
        try bytes.write(to: URL(fileURLWithPath: file))
        let result = try CLI.run(["bench", file, "--rounds", "1"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("\(file): truncated packet record") && lines[0].contains("read to their end"), "\(result.stderr)")
    }

    @Test func anUnknownProfileIsTheUsualError() throws {
        let result = try CLI.run(["bench", "--profile", "no-such-profile", "--rounds", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("egress-audit: --profile \"no-such-profile\" is neither a built-in profile ("), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func misusedOptionsAreUsageErrors() throws {
        let param = try CLI.run(["bench", "--param", "region=westus"])
        #expect(param.status != 0 && param.status != 1)
        #expect(param.stderr.contains("need --profile"))
        let packets = try CLI.run(["bench", "some.pcap", "--packets", "10"])
        #expect(packets.status != 0 && packets.status != 1)
        #expect(packets.stderr.contains("--packets sizes the generated capture"))
        let rounds = try CLI.run(["bench", "--rounds", "0"])
        #expect(rounds.status != 0 && rounds.status != 1)
    }
}
