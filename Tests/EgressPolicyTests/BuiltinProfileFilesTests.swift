import EgressPolicy
import Foundation
import Testing

/// The built-in profiles are the YAML files of `Sources/EgressPolicy/BuiltinProfiles/Profiles/`:
/// every file is registered (in Package.swift's embed list and in `BuiltinProfiles.texts`),
/// and what the binary carries is the file byte for byte.
@Suite struct BuiltinProfileFilesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let folder = repository.appendingPathComponent("Sources/EgressPolicy/BuiltinProfiles/Profiles")

    static func fileIDs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
            .map { String($0.dropLast(".yaml".count)) }.sorted()
    }

    @Test func everyFileIsRegisteredAndNothingElse() throws {
        #expect(try Self.fileIDs() == BuiltinProfiles.texts.map(\.id).sorted())
        // Package.swift's `let builtinProfiles = [...]` embeds them; same ids, same order as the registry.
        let manifest = try String(contentsOf: Self.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        let start = try #require(manifest.range(of: "let builtinProfiles = ["))
        let end = try #require(manifest.range(of: "]", range: start.upperBound..<manifest.endIndex))
        let list = manifest[start.upperBound..<end.lowerBound]
        let ids = list.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(ids == BuiltinProfiles.texts.map(\.id))
    }

    @Test func embeddedTextIsTheFile() throws {
        for text in BuiltinProfiles.texts {
            let file = try String(contentsOf: Self.repository.appendingPathComponent(text.packagePath), encoding: .utf8)
            #expect(text.yaml == file, "\(text.id)")
        }
    }

    @Test func eachFileLoadsUnderItsFileNameAndNamesItsSourceDates() throws {
        for id in try Self.fileIDs() {
            let profile = try ProfileLoader.load(path: Self.folder.appendingPathComponent("\(id).yaml").path)
            #expect(profile.id == id)
            #expect(profile.transcribed != nil, "\(id): transcribed date")
            // Databricks' page was read in excerpts without its ms.date (other-services.md §8).
            #expect(profile.documents.contains { $0.date != nil } || id == "databricks", "\(id): a dated source document")
        }
    }

    /// README's table of built-in profiles names each one with its source URL, dates and rule count.
    @Test func readmeTableListsEveryBuiltinProfile() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        for profile in BuiltinProfiles.all {
            let row = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| `\(profile.id)` |") }, "README has no row for \(profile.id)")
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 5, "\(row)")
            guard cells.count == 5 else { continue }
            if let url = profile.documents.first(where: { $0.url != nil })?.url { #expect(cells[1].contains(url), "\(profile.id)") }
            #expect(cells[2] == (profile.documents.compactMap(\.date).first ?? "—"), "\(profile.id)")
            #expect(cells[3] == profile.transcribed, "\(profile.id)")
            #expect(cells[4] == "\(profile.rules.count)", "\(profile.id)")
        }
    }

    @Test func datesAreCheckedOnLoad() {
        let text = """
            id: demo
            title: Demo
            source: [{id: d, url: "https://example.invalid", date: "2023-13-01"}]
            transcribed: yesterday
            dialect: azure-firewall
            rules:
              - {id: a, direction: outbound, destinations: [{fqdn: a.example.com}], ports: 443, transport: tcp, required: true, purpose: p}
            """
        do {
            _ = try ProfileLoader.load(text: text, file: "d.yaml")
            Issue.record("bad dates accepted")
        } catch {
            let lines = error.errors.map(\.description)
            #expect(lines.contains { $0.hasPrefix("d.yaml:3:") && $0.contains("source[0].date: expected a date YYYY-MM-DD, found \"2023-13-01\"") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("d.yaml:4:") && $0.contains("transcribed: expected a date YYYY-MM-DD, found \"yesterday\"") }, "\(lines)")
        }
    }
}
