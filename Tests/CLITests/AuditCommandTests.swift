import Foundation
import TestSupport
import Testing

/// `analyze --profile` as an operator and a pipeline run it.
@Suite struct AuditCommandTests {
    static let capture = CLI.repoRoot.appendingPathComponent("Captures/gateway-egress.pcap").path
    /// Validates `json` against a schema in `Schemas/` with python's jsonschema (an independent validator),
    /// python3 as PATH finds it (a pyenv or venv one may hold jsonschema where /usr/bin's does not).
    static func validate(_ json: String, schema: String) throws -> String {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = dir.appendingPathComponent("doc.json")
        try Data(json.utf8).write(to: doc)
        let schemaPath = CLI.repoRoot.appendingPathComponent("Schemas/\(schema)").path
        let script = "import json,jsonschema,sys; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('ok')"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, doc.path, schemaPath]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return o.trimmingCharacters(in: .whitespacesAndNewlines) + e.split(separator: "\n").suffix(2).joined(separator: " ")
    }

    @Test(.requires(.jsonschema))
    func reportsFollowTheirSchemas() throws {
        let audit = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso", "--json"])
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(try Self.validate(audit.stdout, schema: "audit-report.schema.json") == "ok")
        // Two profiles at once: the composed report follows the same schema.
        let composed = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--profile", "aks",
                                    "--param", "apim-name=contoso", "--param", "aks.region=westus", "--json"])
        #expect(composed.status == 0, "\(composed.stderr)")
        #expect(try Self.validate(composed.stdout, schema: "audit-report.schema.json") == "ok")
        let plain = try CLI.run(["analyze", Self.capture, "--flows", "--json"])
        #expect(try Self.validate(plain.stdout, schema: "analyze-report.schema.json") == "ok")
    }

    @Test func failOnGatesAPipeline() throws {
        // The bundled capture never reaches contoso's configuration endpoint, and talks to many undocumented hosts.
        let missing = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso", "--fail-on", "missing"])
        #expect(missing.status == 3)
        #expect(missing.stdout.contains("required-not-seen"))
        let blocked = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso", "--fail-on", "blocked"])
        #expect(blocked.status == 0, "no required rule of this profile was attempted and failed")
        let bad = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--fail-on", "sometimes"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("unknown kind \"sometimes\""))
    }

    @Test func markdownIsForTickets() throws {
        let r = try CLI.run(["analyze", Self.capture, "--profile", "cassandra-mi", "--markdown"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("# egress-audit: cassandra-mi\n"))
        #expect(r.stdout.contains("## Required rules"))
        #expect(!r.stdout.contains("\u{1B}["), "no terminal colour in Markdown")
    }

    @Test func suggestedRulesAreAValidProfile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("suggested.yaml").path
        let r = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso",
                             "--feature", "entra-id", "--suggest-rules", "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("login.microsoftonline.com"), "the allowed sign-in was seen")
        #expect(!text.contains("api.github.com"), "undocumented egress is not suggested")
        let validate = try CLI.run(["profiles", "validate", out])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        // Several profiles: the suggestion is a profile too.
        let composed = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--profile", "aks", "--param", "apim-name=contoso",
                                    "--param", "region=westus", "--feature", "entra-id", "--suggest-rules", "--output", out])
        #expect(composed.status == 0, "\(composed.stderr)")
        let again = try CLI.run(["profiles", "validate", out])
        #expect(again.status == 0 && again.stdout.contains("profile apim-self-hosted-gateway-aks-observed"), "\(again.stdout)\(again.stderr)")
    }

    /// merge reads composed reports back and refuses to mix them with a single profile's.
    @Test func mergeTakesComposedReportsOfTheSameProfiles() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let both = dir.appendingPathComponent("both.json").path, one = dir.appendingPathComponent("one.json").path
        let composed = ["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--profile", "aks", "--param", "apim-name=contoso",
                        "--param", "region=westus", "--json", "--output", both]
        #expect(try CLI.run(composed).status == 0)
        #expect(try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--param", "apim-name=contoso", "--json",
                             "--output", one]).status == 0)
        let merged = try CLI.run(["merge", both, both, "--json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any])
        #expect((report["profiles"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["apim-self-hosted-gateway", "aks"])
        let mixed = try CLI.run(["merge", both, one, "--json"])
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("different profile"), "\(mixed.stderr)")
    }

    @Test func severalProfilesNeedScopedNamesOnlyWhereTheyDiffer() throws {
        let unknown = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--profile", "aks", "--param", "aks.apim-name=contoso"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("aks.parameters.apim-name: expected a parameter of profile aks"), "\(unknown.stderr)")
        let text = try CLI.run(["analyze", Self.capture, "--profile", "apim-self-hosted-gateway", "--profile", "aks", "--param", "apim-name=contoso",
                                "--param", "aks.region=westus"])
        #expect(text.stdout.hasPrefix("egress-audit: apim-self-hosted-gateway+aks"), "\(text.stdout.prefix(200))")
        #expect(text.stdout.contains("aks/mcr") && text.stdout.contains("apim-self-hosted-gateway/configuration-endpoint"))
    }

    @Test func auditOptionsNeedAProfile() throws {
        let r = try CLI.run(["analyze", Self.capture, "--fail-on", "blocked"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("need --profile"))
    }

    @Test func aBadProfileFailsBeforeTheCaptureIsRead() throws {
        let r = try CLI.run(["analyze", Self.capture, "--profile", "no-such-profile"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("neither a built-in profile"))
        #expect(r.stdout.isEmpty)
    }
}
