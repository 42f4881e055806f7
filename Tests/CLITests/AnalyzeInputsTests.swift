import Foundation
import TestSupport
import Testing

/// Every way an operator hands `analyze` a capture besides a file name: a pipe
/// into `-`, `/dev/stdin`, process substitution, a named pipe; compressed or
/// not. Each must read what the file itself reads: tshark's packet count, and
/// the same audit findings.
@Suite(.serialized) struct AnalyzeInputsTests {
    static let demo = CLI.repoRoot.appendingPathComponent("Captures/demo-apim-vnet.pcap").path
    static let audit = ["--profile", "apim-vnet", "--json"]

    /// The JSON report's packet count and its findings (kind and destination), for comparison.
    static func essentials(_ json: String) throws -> (packets: Int, findings: [String]) {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let summary = try #require(root["summary"] as? [String: Any] ?? (root["capture"] as? [String: Any]))
        let packets = try #require(summary["packets"] as? Int)
        let findings = (root["findings"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "?") \($0["destination"] ?? $0["rule"] ?? "")" }
        return (packets, findings.sorted())
    }

    static func shell(_ script: String) throws -> CLI.Result {
        try CLI.runProgram(["/bin/bash", "-c", script])
    }

    @Test(.requires(.tshark, .gzip))
    func pipesStandardInputAndProcessSubstitutionReadWhatTheFileReads() throws {
        let tool = CLI.executable, file = Self.demo
        let tshark = try #require(RealCaptures.tshark)
        let truth = String(decoding: try ToolOutput.run(tshark, ["-n", "-r", file, "-T", "fields", "-e", "frame.number"]).stdout,
                           as: UTF8.self).split(separator: "\n").count
        let direct = try CLI.run(["analyze", file] + Self.audit)
        let expected = try Self.essentials(direct.stdout)
        #expect(expected.packets == truth, "the file itself against tshark")
        #expect(!expected.findings.isEmpty)
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("capture.fifo").path
        let args = Self.audit.joined(separator: " ")
        let forms = [
            "cat '\(file)' | '\(tool)' analyze - \(args)",
            "gzip -c '\(file)' | '\(tool)' analyze - \(args)",
            "'\(tool)' analyze /dev/stdin \(args) < '\(file)'",
            "gzip -c '\(file)' | '\(tool)' analyze /dev/stdin \(args)",
            "'\(tool)' analyze <(gzip -c '\(file)') \(args)",
            "'\(tool)' analyze <(cat '\(file)') \(args)",
            "mkfifo '\(fifo)' && { gzip -c '\(file)' > '\(fifo)' & } && '\(tool)' analyze '\(fifo)' \(args)",
        ]
        for form in forms {
            try? FileManager.default.removeItem(atPath: fifo)
            let r = try Self.shell(form)
            #expect(r.status == 0 || r.status == 3, "\(form): \(r.stderr)")
            let got = try Self.essentials(r.stdout)
            #expect(got.packets == truth, "\(form)")
            #expect(got.findings == expected.findings, "\(form)")
        }
        // The pcapng form of the same packets, through a pipe.
        let ng = dir.appendingPathComponent("demo.pcapng").path
        let converted = try CLI.runProgram(["/usr/bin/env", "editcap", "-F", "pcapng", file, ng])
        #expect(converted.status == 0)
        let r = try Self.shell("gzip -c '\(ng)' | '\(tool)' analyze - \(args)")
        #expect(try Self.essentials(r.stdout).findings == expected.findings)
    }

    /// Ctrl-C on `tcpdump -w - | egress-audit analyze -`: the tool stops reading, even while the
    /// pipe's writer is quiet, and writes the report of everything read, with a note.
    @Test(.requires(.tshark))
    func sigintOnAQuietPipeStopsReadingAndReportsEverythingRead() throws {
        let tshark = try #require(RealCaptures.tshark)
        let truth = String(decoding: try ToolOutput.run(tshark, ["-n", "-r", Self.demo, "-T", "fields", "-e", "frame.number"]).stdout,
                           as: UTF8.self).split(separator: "\n").count
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("report.json").path
        let fifo = dir.appendingPathComponent("tcpdump.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["analyze", fifo] + Self.audit + ["--output", report]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // The writer (this test, as tcpdump would be) sends the capture, then stays quiet with the pipe open.
        let writer = try #require(FileHandle(forWritingAtPath: fifo))
        writer.write(try Data(contentsOf: URL(fileURLWithPath: Self.demo)))
        usleep(1_500_000)
        p.interrupt()  // SIGINT
        let end = Date().addingTimeInterval(20)
        while p.isRunning && Date() < end { usleep(20_000) }
        try? writer.close()
        try #require(!p.isRunning, "analyze waited for the quiet writer")
        let messages = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0 || p.terminationStatus == 3, "\(messages)")
        #expect(messages.contains("SIGINT: stopped reading \(fifo) after \(truth) packets; the report covers what was read"), "\(messages)")
        let got = try Self.essentials(String(decoding: try Data(contentsOf: URL(fileURLWithPath: report)), as: UTF8.self))
        #expect(got.packets == truth)
        let direct = try Self.essentials(try CLI.run(["analyze", Self.demo] + Self.audit).stdout)
        #expect(got.findings == direct.findings)
    }

    @Test func inputThatIsNotACaptureOrCannotBeReadPrintsOneLineAndNoReport() throws {
        let r = try Self.shell("echo 'hello there' | '\(CLI.executable)' analyze -")
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty, "no report beside the error: \(r.stdout)")
        #expect(r.stderr == "egress-audit: -: not a pcap or pcapng capture (starts with 0x68656c6c, expected a pcap magic (a1b2c3d4, a1b23c4d, either byte order) or a pcapng section header (0a0d0d0a))\n")
        let gz = try Self.shell("echo 'hello there' | gzip -c | '\(CLI.executable)' analyze -")
        #expect(gz.stdout.isEmpty && gz.stderr.contains("starts with 0x68656c6c after gzip"), "\(gz.stderr)")
        let missing = try CLI.run(["analyze", "/nonexistent/capture.pcap"])
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr == "egress-audit: /nonexistent/capture.pcap: no such file\n")
        let cut = try Self.shell("head -c 20 '\(Self.demo)' | '\(CLI.executable)' analyze -")
        #expect(cut.status == 1 && cut.stdout.isEmpty && cut.stderr.split(separator: "\n").count == 1, "\(cut.stderr)")
    }
}
