import Foundation
import TestSupport
import Testing

/// `--html`: the report as a page, opened in headless Chromium (Selenium) and
/// checked against the JSON report of the same run by
/// Tests/Browser/check_html_report.py, which reads the JSON itself.
@Suite struct HTMLReportTests {
    static let demos = ["apim-self-hosted-gateway", "apim-vnet", "cassandra-mi"]
    static let script = CLI.repoRoot.appendingPathComponent("Tests/Browser/check_html_report.py").path

    /// The audit options each demo was made for, from its findings file (profile, parameters, features, tag file).
    static func demoArguments(_ demo: String) throws -> [String] {
        let findings = CLI.repoRoot.appendingPathComponent("Captures/demo-\(demo).findings.json")
        let plants = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: findings)) as? [String: Any])
        var arguments = [CLI.repoRoot.appendingPathComponent("Captures/demo-\(demo).pcap").path, "--profile", try #require(plants["profile"] as? String)]
        for (name, value) in (plants["parameters"] as? [String: String] ?? [:]).sorted(by: { $0.key < $1.key }) { arguments += ["--param", "\(name)=\(value)"] }
        for feature in plants["features"] as? [String] ?? [] { arguments += ["--feature", feature] }
        let tags = SharedFolder.root.appendingPathComponent("data/azure/\(try #require(plants["serviceTagFile"] as? String))").path
        return arguments + ["--service-tags", tags]
    }

    /// One report in both forms: the JSON (the truth the browser check reads) and the page.
    static func both(_ command: [String], into dir: URL, name: String) throws -> String {
        let json = dir.appendingPathComponent("\(name).json").path, html = dir.appendingPathComponent("\(name).html").path
        for (flag, path) in [("--json", json), ("--html", html)] {
            let r = try CLI.run(command + [flag, "--output", path])
            #expect(r.status == 0, "\(command.prefix(3)) \(flag): \(r.stderr)")
        }
        return "\(name)=\(html),\(json)"
    }

    @Test(.requires(.browser, .shared))
    func everyDemoAndAMergedReportReadInABrowser() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var pages: [String] = []
        for demo in Self.demos { pages.append(try Self.both(["analyze"] + Self.demoArguments(demo), into: dir, name: demo)) }

        // A fleet: each node of the gateway demo audited alone, then merged.
        let gateway = try Self.demoArguments("apim-self-hosted-gateway")
        var halves: [String] = []
        for node in ["10.10.1.4", "10.10.1.5"] {
            let path = dir.appendingPathComponent("node-\(node).json").path
            let r = try CLI.run(["analyze"] + gateway + ["--node", node, "--json", "--output", path])
            #expect(r.status == 0, "\(r.stderr)")
            halves.append(path)
        }
        pages.append(try Self.both(["merge"] + halves, into: dir, name: "merged"))

        // Names from the network that look like markup: shown as the text they are, never run.
        let source = dir.appendingPathComponent("apim-self-hosted-gateway.json")
        var report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
        var undocumented = try #require(report["undocumented"] as? [[String: Any]])
        undocumented[0]["destination"] = #"<script>alert("pwned")</script>"#
        undocumented[0]["nodes"] = [#"10.10.1.4" onmouseover="alert(1)"#]
        undocumented[1]["serviceTags"] = ["<img src=x onerror=alert(2)>", "Tag & 'quoted'"]
        report["undocumented"] = undocumented
        let hostile = dir.appendingPathComponent("hostile-input.json")
        try JSONSerialization.data(withJSONObject: report).write(to: hostile)
        pages.append(try Self.both(["merge", hostile.path], into: dir, name: "hostile-names"))

        let screenshots = FileManager.default.temporaryDirectory.appendingPathComponent("egress-audit-html-screenshots").path
        let r = try CLI.runProgram(["/usr/bin/env", "python3", Self.script, "--screenshots", screenshots] + pages)
        let failed = r.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(r.status == 0 && failed.isEmpty, "\(failed.joined(separator: "\n"))\n\(r.stderr.suffix(2000))")
        #expect(r.stdout.contains("every check passed"), "\(r.stdout.suffix(1500))")
        print("note: screenshots of the HTML reports in \(screenshots)")
    }

    /// The page is a rendering of the audit: without a profile there is none, and one format at a time.
    @Test func htmlNeedsAnAuditAndIsOneFormatAmongOthers() throws {
        let capture = CLI.repoRoot.appendingPathComponent("Captures/gateway-egress.pcap").path
        let bare = try CLI.run(["analyze", capture, "--html"])
        #expect(bare.status == 64 && bare.stderr.contains("--html need --profile"), "\(bare.stderr)")
        let both = try CLI.run(["analyze", capture, "--profile", "cassandra-mi", "--html", "--json"])
        #expect(both.status == 64 && both.stderr.contains("--json and --html each choose what is printed: give one"), "\(both.stderr)")
        let page = try CLI.run(["analyze", capture, "--profile", "cassandra-mi", "--html"])
        #expect(page.status == 0)
        #expect(page.stdout.hasPrefix("<!DOCTYPE html>\n") && page.stdout.hasSuffix("</html>\n"))
    }
}
