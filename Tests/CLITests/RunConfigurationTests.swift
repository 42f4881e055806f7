import Foundation
import TestSupport
import Testing

/// `--config FILE`: options from YAML, for service managers that would word-split them.
@Suite struct RunConfigurationTests {
    static let demo = CLI.repoRoot.appendingPathComponent("Captures/demo-apim-self-hosted-gateway.pcap").path

    static func write(_ text: String, in dir: URL, name: String = "config.yaml") throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The file says what the command line says, a value with a space included: the same report, byte for byte.
    @Test func aConfigFileIsTheCommandLineWithoutTheShell() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.write("""
            profile: apim-self-hosted-gateway
            param:
              apim-name: contoso
              vault-name: contoso-kv
              region: West US
            feature: [entra-id, key-vault]
            node:
              - 10.10.1.4
              - 10.10.1.5
            json: true
            no-color: false
            fail-on: blocked-required
            """, in: dir)
        let fromFile = try CLI.run(["analyze", Self.demo, "--config", config])
        let fromFlags = try CLI.run(["analyze", Self.demo, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso",
                                     "--param", "vault-name=contoso-kv", "--param", "region=West US", "--feature", "entra-id",
                                     "--feature", "key-vault", "--node", "10.10.1.4", "--node", "10.10.1.5", "--json", "--fail-on", "blocked-required"])
        #expect(fromFlags.status == 3, "\(fromFlags.stderr)")
        #expect(fromFile.status == fromFlags.status, "\(fromFile.stderr)")
        #expect(!fromFile.stdout.isEmpty && fromFile.stdout == fromFlags.stdout)
    }

    /// The file's options come first: one given on the command line as well wins.
    @Test func theCommandLineWins() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inFile = dir.appendingPathComponent("from-file.json").path, onLine = dir.appendingPathComponent("from-line.json").path
        let config = try Self.write("profile: cassandra-mi\njson: true\noutput: \(inFile)\n", in: dir)
        let r = try CLI.run(["analyze", Self.demo, "--config", config, "--output", onLine])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: onLine) && !FileManager.default.fileExists(atPath: inFile))
    }

    /// A mistake in the file is one line: file, line, column, what was expected.
    @Test func aBadFileSaysWhereAndWhat() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String)] = [
            ("profile: cassandra-mi\njsn: true\n", ":2:1: unknown option \"jsn\"; expected one of "),
            ("profile: cassandra-mi\njson: maybe\n", ":2:7: json is a flag: expected true or false"),
            ("- profile\n", ":1:1: expected a mapping of option names to values"),
            ("profile: cassandra-mi\nnode: {a: b}\n", ":2:7: node: expected a value or a list of values, found a mapping"),
            ("interface: lo\n", ":1:1: unknown option \"interface\""),  // a live option, not analyze's
        ]
        for (i, (text, message)) in cases.enumerated() {
            let path = try Self.write(text, in: dir, name: "bad-\(i).yaml")
            let r = try CLI.run(["analyze", Self.demo, "--config", path])
            #expect(r.status == 1 && r.stderr.hasPrefix("egress-audit: \(path)\(message)"), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stdout.isEmpty)
        }
        let missing = try CLI.run(["analyze", Self.demo, "--config", dir.appendingPathComponent("none.yaml").path])
        #expect(missing.status == 1 && missing.stderr.contains("none.yaml: no such file"), "\(missing.stderr)")
    }

    /// The systemd unit as installed: its ExecStart with deploy/systemd/config.yaml, on loopback,
    /// a region with a space in it. (The unit's hardening is DeployFilesTests'.)
    @Test(.requires(.root))
    func theSystemdUnitStartsFromItsConfigFile() throws {
        let deploy = CLI.repoRoot.appendingPathComponent("deploy/systemd")
        let unit = try String(contentsOf: deploy.appendingPathComponent("egress-audit.service"), encoding: .utf8)
        #expect(!unit.contains("EnvironmentFile=") && !unit.contains("$EXTRA_ARGS"), "nothing word-split")
        let exec = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let words = exec.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(words.first == "/usr/local/bin/egress-audit" && words.contains("/etc/egress-audit/config.yaml"))
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = try String(contentsOf: deploy.appendingPathComponent("config.yaml"), encoding: .utf8)
        #expect(config.contains("\ninterface: eth0\n") && config.contains("\nprofile: /etc/egress-audit/profile.yaml\n"))
        config = config.replacingOccurrences(of: "\ninterface: eth0\n", with: "\ninterface: lo\n")
            .replacingOccurrences(of: "\nprofile: /etc/egress-audit/profile.yaml\n", with: "\nprofile: cassandra-mi\n")
            + "param:\n  region: West US\nduration: 1\n"
        let configPath = try Self.write(config, in: dir)
        let report = dir.appendingPathComponent("report.json").path
        let arguments = words.dropFirst().map {
            $0 == "/etc/egress-audit/config.yaml" ? configPath : ($0 == "/var/lib/egress-audit/report.json" ? report : $0)
        }
        let r = try CLI.run(Array(arguments))
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
        let profile = try #require(doc["profile"] as? [String: Any])
        #expect(profile["id"] as? String == "cassandra-mi")
        // "West US" arrived as one value: the profile took it as its region (spelled as its tags spell it).
        #expect((profile["parameters"] as? [String: String])?["region"] == "westus", "\(profile)")
    }
}
