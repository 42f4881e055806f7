import Foundation
import TestSupport
import Testing

/// What a new operator meets in the first hour, tried as one would: the
/// version, colour and width on a terminal, --fail-on with the words the
/// report prints, flags that contradict each other, explain without a profile,
/// files that cannot be written or read, and the README's first command.
@Suite struct FirstHourTests {
    static let demo = CLI.repoRoot.appendingPathComponent("Captures/demo-apim-self-hosted-gateway.pcap").path
    /// The parameters the demo was made for (Captures/demo-apim-self-hosted-gateway.findings.json).
    static let demoAudit = [demo, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso", "--param", "vault-name=contoso-kv",
                            "--param", "region=westus", "--feature", "entra-id", "--feature", "key-vault"]

    static func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Runs the tool with standard output on a pseudo-terminal of `columns`
    /// columns (TIOCSWINSZ), the way a shell runs it; returns what it printed there.
    static func runOnTerminal(_ arguments: [String], columns: UInt16, environment: [String: String]) throws -> (status: Int32, output: String) {
        // posix_openpt, unlockpt and ptsname as their ioctls (Glibc's module leaves the X/Open calls out):
        // TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned int) (asm-generic/ioctls.h).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        #expect(master >= 0, "no /dev/ptmx")
        defer { close(master) }
        var unlock: Int32 = 0, number: UInt32 = 0
        #expect(ioctl(master, UInt(0x4004_5431), &unlock) == 0 && ioctl(master, UInt(0x8004_5430), &number) == 0)
        let name = "/dev/pts/\(number)"
        var size = winsize(ws_row: 50, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let terminal = try #require(FileHandle(forWritingAtPath: name))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = arguments
        p.environment = environment
        p.standardOutput = terminal
        p.standardError = FileHandle.nullDevice
        try p.run()
        try terminal.close()
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(master, &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }  // EIO: the child closed its side
        }
        p.waitUntilExit()
        // The terminal turns each \n into \r\n (ONLCR).
        return (p.terminationStatus, String(decoding: output, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n"))
    }

    /// What the terminal shows of a line: ANSI sequences take no room.
    static func shown(_ line: Substring) -> String {
        line.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    @Test func theVersionIsTheSameEverywhere() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        let v = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(v.split(separator: ".").count == 3 && v.allSatisfy { $0.isNumber || $0 == "." }, "\(v)")
        let audit = try Self.jsonObject(try CLI.run(["analyze"] + Self.demoAudit + ["--json"]).stdout)
        #expect(audit["tool"] as? String == "egress-audit" && audit["toolVersion"] as? String == v)
        let plain = try Self.jsonObject(try CLI.run(["analyze", Self.demo, "--json"]).stdout)
        #expect(plain["toolVersion"] as? String == v)
    }

    /// no-color.org: a non-empty NO_COLOR means no colour, even on a terminal.
    @Test func noColorIsHonouredOnATerminal() throws {
        let base = ["PATH": "/usr/bin:/bin", "TERM": "xterm"]
        let coloured = try Self.runOnTerminal(["analyze"] + Self.demoAudit, columns: 200, environment: base)
        #expect(coloured.output.contains("\u{1B}[31m"), "a terminal gets colour: the FAIL verdict in red")
        let plain = try Self.runOnTerminal(["analyze"] + Self.demoAudit, columns: 200, environment: base.merging(["NO_COLOR": "1"]) { $1 })
        #expect(plain.output.contains("FAIL: 1 required rule blocked"))
        #expect(!plain.output.contains("\u{1B}["), "NO_COLOR=1: no escape sequence at all")
    }

    /// Never wider than the terminal: its width from the terminal itself, or COLUMNS; every
    /// finding still readable whole (wrapped), every destination named whole.
    @Test(arguments: [60, 80, 120])
    func theReportFitsTheTerminal(columns: Int) throws {
        let json = try Self.jsonObject(try CLI.run(["analyze"] + Self.demoAudit + ["--json"]).stdout)
        let onTerminal = try Self.runOnTerminal(["analyze"] + Self.demoAudit, columns: UInt16(columns), environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm"])
        let piped = try CLI.run(["analyze"] + Self.demoAudit, environment: ["COLUMNS": String(columns)])
        for (how, text) in [("terminal", onTerminal.output), ("COLUMNS", piped.stdout)] {
            let lines = text.split(separator: "\n")
            let wide = lines.map(Self.shown).filter { $0.count > columns }
            #expect(wide.isEmpty, "\(how), \(columns) columns: \(wide.count) wider lines, e.g. \(wide.first ?? "")")
            // Joined back, the wrapped lines still hold every finding's words and every destination's name.
            let words = Set(lines.flatMap { Self.shown($0).split(separator: " ").map(String.init) })
            for finding in json["findings"] as? [[String: Any]] ?? [] {
                let summary = finding["summary"] as? String ?? ""
                for word in summary.split(separator: " ") where word.count < columns / 3 {
                    #expect(words.contains(String(word)) || text.contains(word), "\(how): \"\(word)\" of \"\(summary)\"")
                }
            }
            for key in ["undocumented", "allowed", "wrongPort"] {
                for d in json[key] as? [[String: Any]] ?? [] {
                    let name = d["destination"] as? String ?? ""
                    #expect(words.contains(name), "\(how), \(columns) columns: \(name) shown whole")
                }
            }
        }
        // A pipe without COLUMNS takes whole lines, as before.
        let whole = try CLI.run(["analyze"] + Self.demoAudit, environment: ["PATH": "/usr/bin:/bin"])
        #expect(whole.stdout.split(separator: "\n").contains { $0.count > 120 })
    }

    /// --fail-on takes the kinds the report itself prints (`findings[].kind`), and `fail` for the verdict:
    /// exit 3 exactly when the JSON report has a finding of that kind.
    @Test func failOnTakesTheReportsOwnWords() throws {
        let json = try Self.jsonObject(try CLI.run(["analyze"] + Self.demoAudit + ["--json"]).stdout)
        let present = Set((json["findings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
        let kinds = ["blocked-required", "failing-dns", "undocumented", "wrong-port", "name-mismatch", "required-not-seen", "optional-unused"]
        #expect(present.contains("optional-unused") && !present.contains("required-not-seen"), "the demo has both cases: \(present)")
        for kind in kinds {
            let r = try CLI.run(["analyze"] + Self.demoAudit + ["--json", "--fail-on", kind])
            #expect(r.status == (present.contains(kind) ? 3 : 0), "--fail-on \(kind): \(r.stderr)")
        }
        let verdict = try #require(json["verdict"] as? String)
        let fail = try CLI.run(["analyze"] + Self.demoAudit + ["--fail-on", "fail"])
        #expect(fail.status == (verdict.hasPrefix("FAIL") ? 3 : 0))
        let bad = try CLI.run(["analyze"] + Self.demoAudit + ["--fail-on", "blocked-requried"])
        #expect(bad.status == 64 && bad.stderr.contains("unknown kind \"blocked-requried\"") && bad.stderr.contains("blocked-required"))
    }

    /// Two flags that each choose what is printed are refused, in one line naming both.
    @Test(arguments: [["--json", "--markdown"], ["--suggest-rules", "--json"], ["--html", "--markdown"], ["--suggest-rules", "--html"]])
    func contradictoryFormatsAreRefused(flags: [String]) throws {
        let r = try CLI.run(["analyze"] + Self.demoAudit + flags)
        #expect(r.status == 64)
        let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains(flags[0]) && first.contains(flags[1]) && first.contains("give one"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "nothing printed")
    }

    @Test func mergeRefusesTwoFormatsToo() throws {
        let r = try CLI.run(["merge", "a.json", "--json", "--html"])
        #expect(r.status == 64 && r.stderr.contains("--json and --html each choose what is printed: give one"), "\(r.stderr)")
    }

    /// An address and a tag file, no profile: the answer is which tags contain it, read here from the file itself.
    @Test(.requires(.shared))
    func explainAnAddressWithoutAProfile() throws {
        let file = SharedFolder.root.appendingPathComponent("data/azure/\(SharedFolder.azurePublicServiceTagsName)").path
        let address = "13.107.213.40"
        let r = try CLI.run(["explain", address, "--service-tags", file])
        #expect(r.status == 0, "\(r.stderr)")
        // The truth: every tag whose addressPrefixes hold an IPv4 prefix containing the address.
        let tags = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        func value(_ a: String) -> UInt32 { a.split(separator: ".").reduce(0) { $0 << 8 | (UInt32($1) ?? 0) } }
        var containing: [String] = []
        for tag in tags["values"] as? [[String: Any]] ?? [] {
            let prefixes = (tag["properties"] as? [String: Any])?["addressPrefixes"] as? [String] ?? []
            let inside = prefixes.contains { prefix in
                let parts = prefix.split(separator: "/")
                guard parts.count == 2, !parts[0].contains(":"), let bits = UInt32(parts[1]) else { return false }
                let mask: UInt32 = bits == 0 ? 0 : ~0 << (32 - bits)
                return value(address) & mask == value(String(parts[0])) & mask
            }
            if inside, let name = tag["name"] as? String { containing.append(name) }
        }
        #expect(!containing.isEmpty)
        for name in containing { #expect(r.stdout.contains(name), "\(name) missing from: \(r.stdout)") }
        #expect(r.stdout.hasPrefix("\(address) is in "))
        let none = try CLI.run(["explain", "10.99.0.1", "--service-tags", file])
        #expect(none.status == 0 && none.stdout.hasPrefix("10.99.0.1 is in no service tag of \(file)"), "\(none.stdout)")
        let name = try CLI.run(["explain", "example.com", "--service-tags", file])
        #expect(name.status == 1 && name.stderr.contains("--profile is required"), "a host name needs a profile to be judged")
    }

    /// What could not be written or read is said in the operator's words, never Foundation's.
    @Test func fileErrorsAreSaidPlainly() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let toFolder = try CLI.run(["analyze"] + Self.demoAudit + ["--output", dir.path])
        #expect(toFolder.status == 1)
        #expect(toFolder.stderr.contains("\(dir.path): cannot write the report: is a directory: name a file, e.g. \(dir.path)/report.json"), "\(toFolder.stderr)")
        let missing = dir.appendingPathComponent("no/such/folder/report.json").path
        let json = dir.appendingPathComponent("r.json").path
        #expect(try CLI.run(["analyze"] + Self.demoAudit + ["--json", "--output", json]).status == 0)
        let merged = try CLI.run(["merge", json, "--output", missing])
        #expect(merged.status == 1 && merged.stderr.contains("does not exist: create it first"), "\(merged.stderr)")
        let builtin = try CLI.run(["profiles", "validate", "cassandra-mi"])
        #expect(builtin.status == 0 && builtin.stdout.hasPrefix("cassandra-mi: ok — built-in profile cassandra-mi"), "\(builtin.stdout)\(builtin.stderr)")
        let absent = try CLI.run(["profiles", "validate", dir.appendingPathComponent("nope.yaml").path])
        #expect(absent.status == 1 && absent.stderr.contains("nope.yaml: no such file; give a profile file"), "\(absent.stderr)")
        let folder = try CLI.run(["profiles", "validate", dir.path])
        #expect(folder.status == 1 && folder.stderr.contains("is a directory"), "\(folder.stderr)")
        for r in [toFolder, merged, builtin, absent, folder] {
            for foundation in ["NSCocoaErrorDomain", "could not be completed", "couldn’t be completed", "Error Domain="] {
                #expect(!r.stderr.contains(foundation) && !r.stdout.contains(foundation), "\(r.stderr)")
            }
        }
    }

    /// Shell completions from swift-argument-parser: the bash script parses (bash -n) and completes every subcommand.
    @Test func theBashCompletionScriptParsesAndKnowsTheSubcommands() throws {
        let r = try CLI.run(["--generate-completion-script", "bash"])
        #expect(r.status == 0)
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("egress-audit.bash")
        try Data(r.stdout.utf8).write(to: script)
        let check = try CLI.runProgram(["/bin/bash", "-n", script.path])
        #expect(check.status == 0, "\(check.stderr)")
        for command in ["analyze", "live", "merge", "profiles", "explain", "service-tags", "bench"] {
            #expect(r.stdout.contains(command), "\(command)")
        }
        #expect(r.stdout.contains("--html") && r.stdout.contains("--fail-on"))
    }

    /// README's first command, as written there: the demo's own parameters, quiet (its warnings
    /// once, in the report, none on standard error), and exit status 3 for its FAIL verdict.
    @Test func theReadmesFirstCommandIsQuietAndSaysFail() throws {
        let readme = try String(contentsOf: CLI.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```sh\n").dropFirst().first)
        let command = try #require(block.split(separator: "\n").first.map(String.init))
        #expect(command.hasPrefix("swift run egress-audit analyze "), "\(command)")
        let arguments = command.dropFirst("swift run egress-audit ".count).split(separator: " ").map(String.init)
        let r = try CLI.run(arguments, environment: ["PATH": "/usr/bin:/bin"])
        #expect(r.status == 3, "FAIL verdict with --fail-on: exit 3")
        #expect(r.stderr.isEmpty, "warnings once, in the report: \(r.stderr)")
        let warnings = r.stdout.components(separatedBy: "\nwarnings\n").last ?? ""
        #expect(r.stdout.contains("FAIL: ") && !warnings.isEmpty)
        #expect(readme.contains("## Exit status"), "README says how exit codes work")
    }
}
