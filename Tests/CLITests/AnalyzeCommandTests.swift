import Foundation
import TestSupport
import Testing

/// `egress-audit analyze` as an operator runs it: real files, real exit codes,
/// one clear line per bad file and never a backtrace.
@Suite struct AnalyzeCommandTests {
    @Test(.requires(.shared))
    func jsonSummaryCountsEveryPacket() throws {
        let file = CLI.sharedCaptures.appendingPathComponent("zeek-http-vlan-0.pcap").path
        let result = try CLI.run(["analyze", file, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let summary = doc?["summary"] as? [String: Any]
        #expect(summary?["packets"] as? Int == 14)  // tshark: 14 frames (manifest)
        #expect(summary?["synDestinationPorts"] as? [Int] == [80])
        #expect(result.stderr.isEmpty)
    }

    @Test func badFilesGiveOneLineEachAndExitNonZero() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.txt").path
        try Data("not a capture\n".utf8).write(to: URL(fileURLWithPath: text))
        let empty = dir.appendingPathComponent("empty.pcap").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let missing = dir.appendingPathComponent("missing.pcap").path
        let result = try CLI.run(["analyze", text, empty, missing, dir.path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("egress-audit: \(text): not a pcap or pcapng capture") })
        #expect(lines.contains { $0.hasPrefix("egress-audit: \(empty): truncated file header") })
        #expect(lines.contains { $0 == "egress-audit: \(missing): no such file" })
        #expect(lines.contains { $0 == "egress-audit: \(dir.path): is a directory, not a capture file" })
        #expect(!result.stderr.contains("Fatal") && !result.stderr.contains("Backtrace"))
    }

    @Test(.requires(.shared))
    func aTruncatedLastRecordStillReportsThePacketsBeforeIt() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = try Data(contentsOf: CLI.sharedCaptures.appendingPathComponent("zeek-http-vlan-0.pcap"))
        bytes.removeLast(10)
        let cut = dir.appendingPathComponent("cut.pcap").path
        try bytes.write(to: URL(fileURLWithPath: cut))
        let result = try CLI.run(["analyze", cut, "--json"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(cut): truncated packet record"))
        let doc = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((doc?["summary"] as? [String: Any])?["packets"] as? Int == 13)
    }

    /// Root reads anything, so the unreadable case runs the tool as `nobody`.
    @Test(.requires(.root, .setpriv))
    func anUnreadableFileIsReportedAsSuch() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let secret = dir.appendingPathComponent("secret.pcap").path
        try Data([0xd4, 0xc3, 0xb2, 0xa1]).write(to: URL(fileURLWithPath: secret))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
        // The test binary's folder must be reachable by nobody too; run the tool from a copy.
        let tool = dir.appendingPathComponent("egress-audit").path
        try FileManager.default.copyItem(atPath: CLI.executable, toPath: tool)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(Prerequisite.setpriv.path))
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", tool, "analyze", secret]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(message == "egress-audit: \(secret): cannot be read (Permission denied)\n")
    }

    @Test func noFilesIsAUsageError() throws {
        let result = try CLI.run(["analyze"])
        #expect(result.status != 0 && result.status != 1)
        #expect(result.stderr.contains("Missing expected argument"))
    }

    @Test(.requires(.shared))
    func outputIsWrittenToTheNamedFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("report.json").path
        let result = try CLI.run(["analyze", CLI.sharedCaptures.appendingPathComponent("zeek-dhe.pcap").path, "--json", "--output", out])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
        #expect((doc?["summary"] as? [String: Any])?["packets"] as? Int == 24)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["report.json"])
    }
}
