import EgressPolicy
import Foundation
import TestSupport
import Testing

/// `Schemas/profile.schema.json` against the built-in profiles, checked by an independent
/// toolchain: PyYAML reads each built-in YAML, `jsonschema` validates it (draft 2020-12),
/// and the JSON PyYAML emits is read back by our loader and must give the same profile.
@Suite struct ProfileSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schemaPath = repository.appendingPathComponent("Schemas/profile.schema.json").path

    static func python(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func schemaIsJSON() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.schemaPath))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    /// Reads YAML from stdin, validates against the schema, prints the JSON on success.
    private static let validator = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        document = yaml.safe_load(sys.stdin)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.path))
        for e in errors:
            print("/".join(map(str, e.path)), e.message)
        if not errors:
            print(json.dumps(document, indent=2, ensure_ascii=False))
        sys.exit(1 if errors else 0)
        """

    /// The files themselves (not the embedded copies) against the schema, and their JSON
    /// form (PyYAML's, and `ProfileJSON`'s for `profiles show --format json`) loads to the same profile.
    @Test(.requires(.jsonschema, .pyyaml), arguments: BuiltinProfiles.texts.map(\.id))
    func builtinFileValidatesAndRoundTripsThroughJSON(id: String) throws {
        let text = try #require(BuiltinProfiles.text(id: id))
        let file = try String(contentsOf: Self.repository.appendingPathComponent(text.packagePath), encoding: .utf8)
        let result = try Self.python(["-c", Self.validator, Self.schemaPath], input: file)
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }
        let profile = try ProfileLoader.load(text: file, file: "\(id).yaml")
        let fromJSON = try ProfileLoader.load(text: result.output, file: "\(id).json")
        #expect(fromJSON == profile)
        let ours = try #require(ProfileJSON.json(fromYAML: file))
        let check = try Self.python(["-c", Self.validator, Self.schemaPath], input: ours)
        #expect(check.status == 0, "\(check.output)")
        // Python's json module reads ours as the same document PyYAML read from the YAML.
        #expect(check.output == result.output)
        #expect(try ProfileLoader.load(text: ours, file: "\(id).json") == profile)
    }

    @Test(.requires(.jsonschema, .pyyaml))
    func schemaRejectsWhatTheLoaderRejects() throws {
        // Bad port, unknown key, optional rule without feature: the schema must fail too.
        let bad = """
            id: demo
            title: Demo
            source: https://example.invalid/doc
            dialect: azure-firewall
            rules:
              - {id: a, direction: outbound, destinations: [{fqdn: a.example.com}], ports: http, transport: tcp, required: true, purpose: p}
              - {id: b, direction: outbound, destinations: [{fqdn: a.example.com}], portz: 443, ports: 443, transport: tcp, required: true, purpose: p}
              - {id: c, direction: outbound, destinations: [{fqdn: a.example.com}], ports: 443, transport: tcp, required: false, purpose: p}
            """
        let result = try Self.python(["-c", Self.validator, Self.schemaPath], input: bad)
        #expect(result.status == 1)
        let paths = Set(result.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(paths.isSuperset(of: ["rules/0/ports", "rules/1", "rules/2"]), "\(result.output)")
    }
}
