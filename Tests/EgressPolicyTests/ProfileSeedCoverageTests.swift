import EgressPolicy
import Foundation
import TestSupport
import Testing

/// Completeness of the built-in profiles against the seed documents themselves.
///
/// A tiny table reader, independent of the profile code, finds every table row of the
/// documents; each must be cited by some rule's `source` (document + table + row), and
/// each citation must quote words that stand in that very row. Row counts are asserted
/// too (hand-counted from the documents) so the reader cannot silently miss rows.
@Suite(.requires(.shared))
struct ProfileSeedCoverageTests {
    /// Table names per document, by order of appearance; nil = not a network table.
    static let tableNames: [String: (seed: String, names: [String?], rows: [Int])] = [
        "cassandra-network-rules": ("000", ["service-tags", "global-fqdns", "internal-ports"], [8, 16, 5]),
        // 001: front matter, stv2 ports, stv1 ports, endpoints, monitoring endpoints (bullets), control-plane IPs.
        "apim-vnet-reference": (
            "001", [nil, "stv2-ports", "stv1-ports", "endpoints", "monitoring-endpoints", "control-plane-ips"], [9, 14, 15, 1, 32, 60]
        ),
    ]

    private var references: [SourceReference] {
        BuiltinProfiles.all.flatMap { $0.rules.flatMap(\.references) }
    }

    @Test func readerFindsTheHandCountedRows() throws {
        for (_, entry) in Self.tableNames {
            let tables = try SeedDocuments.tables(seed: entry.seed)
            #expect(tables.map(\.count) == entry.rows, "seed \(entry.seed)")
        }
    }

    @Test(arguments: ["cassandra-network-rules", "apim-vnet-reference"])
    func everyTableRowIsCited(document: String) throws {
        let entry = try #require(Self.tableNames[document])
        let tables = try SeedDocuments.tables(seed: entry.seed)
        var missing: [String] = []
        for (index, rows) in tables.enumerated() {
            guard let name = entry.names[index] else { continue }
            for row in 1...rows.count
            where !references.contains(where: { $0.document == document && $0.table == name && $0.row == row }) {
                missing.append("\(name) row \(row): \(rows[row - 1])")
            }
        }
        #expect(missing.isEmpty, "uncited rows:\n\(missing.joined(separator: "\n"))")
    }

    @Test func everyCitationQuotesItsRowOrDocument() throws {
        let seeds = ["cassandra-network-rules": "000", "apim-vnet-reference": "001", "shgw-egress-qna": "002"]
        var wrong: [String] = []
        // The profiles of other-services.md are checked by OtherServicesCoverageTests.
        for reference in references where !OtherServices.documentIDs.contains(reference.document) {
            let seed = try #require(seeds[reference.document], "unknown document \(reference.document)")
            let text = try #require(reference.text, "citation without text in \(reference.document)")
            let haystack: String
            if let table = reference.table, let row = reference.row {
                let entry = try #require(Self.tableNames[reference.document])
                let index = try #require(entry.names.firstIndex(of: table), "unknown table \(table)")
                let rows = try SeedDocuments.tables(seed: seed)[index]
                guard rows.indices.contains(row - 1) else {
                    wrong.append("\(table) row \(row) does not exist")
                    continue
                }
                haystack = rows[row - 1]
            } else {
                haystack = try SeedDocuments.text(seed: seed)
            }
            if !SeedDocuments.normalized(haystack).contains(SeedDocuments.normalized(text)) {
                wrong.append("\(reference.table ?? "-") \(reference.row ?? 0): \(text)")
            }
        }
        #expect(wrong.isEmpty, "citations not found where they point:\n\(wrong.joined(separator: "\n"))")
    }

    /// The Q&A has no tables: every host name either answer mentions must be a rule
    /// destination, and every citation must name the answer it quotes.
    @Test func everyHostInTheQAAnswersIsARuleDestination() throws {
        let document = try SeedDocuments.text(seed: "002")
        let accepted = try #require(SeedDocuments.section(of: document, from: "Answer accepted by question author", to: "1 additional answer"))
        let assist = try #require(SeedDocuments.section(of: document, from: "Q&A Assist", to: "Your answer"))
        let profile = try #require(BuiltinProfiles.profile(id: "apim-self-hosted-gateway"))
        let destinations = Set(profile.rules.flatMap(\.destinations).map { SeedDocuments.hostShape($0.value) })
        let hosts = SeedDocuments.hostNames(in: accepted) + SeedDocuments.hostNames(in: assist)
        #expect(hosts.count >= 15, "reader found too few hosts: \(hosts)")
        let uncovered = hosts.filter { !destinations.contains(SeedDocuments.hostShape($0)) }
        #expect(uncovered.isEmpty, "hosts in the answers with no rule: \(uncovered)")

        for reference in profile.rules.flatMap(\.references) where reference.document == "shgw-egress-qna" {
            let text = SeedDocuments.normalized(reference.text ?? "")
            switch reference.answer {
            case "accepted": #expect(SeedDocuments.normalized(accepted).contains(text), "\(text)")
            case "assist": #expect(SeedDocuments.normalized(assist).contains(text), "\(text)")
            default: Issue.record("citation without answer: \(text)")
            }
        }
    }
}

/// Reads the seed documents from `<repo>/../shared/seeds` (read-only, never copied into the repo).
enum SeedDocuments {
    static let directory: URL? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    static func text(seed: String) throws -> String {
        guard let directory else { throw CocoaError(.fileNoSuchFile) }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        guard let name = names.first(where: { $0.hasPrefix(seed + "_") }) else { throw CocoaError(.fileNoSuchFile) }
        return try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Tables in order of appearance, each as its data rows.
    /// A pipe table starts after a separator line (only `-`, `|`, `:`, spaces, with a `|`);
    /// its rows are the following lines holding a `|`. The flattened monitoring table
    /// of 001 has its separator inline (`|----|`) and its cells as `- ` bullet lines.
    static func tables(seed: String) throws -> [[String]] {
        let lines = try text(seed: seed).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var tables: [[String]] = []
        var index = 0
        func isSeparator(_ index: Int) -> Bool {
            guard lines.indices.contains(index) else { return false }
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            return trimmed.contains("|") && trimmed.contains("-") && trimmed.allSatisfy { "-|: ".contains($0) }
        }
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            let pipeTable = isSeparator(index)
            let bulletTable = !pipeTable && trimmed.hasPrefix("|") && trimmed.contains("|---")
            guard pipeTable || bulletTable else {
                index += 1
                continue
            }
            var rows: [String] = []
            index += 1
            while index < lines.count {
                let row = lines[index]
                // A header (one or two lines with pipes, as 001 wraps it) before a separator starts the next table.
                let startsNextTable = isSeparator(index) || isSeparator(index + 1) || isSeparator(index + 2)
                let isRow = pipeTable ? row.contains("|") && !startsNextTable : row.hasPrefix("- ")
                guard isRow else { break }
                rows.append(row)
                index += 1
            }
            tables.append(rows)
        }
        return tables
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func section(of text: String, from start: String, to end: String) -> String? {
        guard let lower = text.range(of: start), let upper = text.range(of: end, range: lower.upperBound..<text.endIndex) else { return nil }
        return String(text[lower.lowerBound..<upper.lowerBound])
    }

    /// Host names and patterns: dotted words ending in .com, .net, .cn, .us.
    static func hostNames(in text: String) -> [String] {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.*<>{}")
        var hosts: [String] = []
        var current = ""
        for character in text + " " {
            if allowed.contains(character) {
                current.append(character)
                continue
            }
            let token = current.trimmingCharacters(in: CharacterSet(charactersIn: "."))
            current = ""
            if token.contains("."), [".com", ".net", ".cn", ".us"].contains(where: { token.hasSuffix($0) }) {
                hosts.append(token)
            }
        }
        return hosts
    }

    /// A host with any placeholder (`<x>`, `{x}`) or bare placeholder word reduced to `*`, lower-cased.
    static func hostShape(_ host: String) -> String {
        var labels = host.lowercased().split(separator: ".").map(String.init)
        if let first = labels.first, first.contains("<") || first.contains("{") || first == "vault-name" {
            labels[0] = "*"
        }
        return labels.joined(separator: ".")
    }
}
