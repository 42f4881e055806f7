import EgressPolicy
import Foundation
import TestSupport
import Testing

/// Completeness of the nine profiles transcribed from `../shared/data/azure/other-services.md`,
/// judged against that file itself: a small reader (independent of the profile code) finds
/// its sections and the data rows of every table; each row must be cited by a rule
/// (document + table + row, quoting words of that row) or listed under `unmodelled` with a
/// reason, and every host name written in a cited row must be a destination of a rule
/// citing it. Row counts are hand-counted from the file so the reader cannot miss rows.
@Suite(.requires(.shared))
struct OtherServicesCoverageTests {
    @Test func readerFindsTheHandCountedRows() throws {
        let sections = try OtherServices.sections()
        for entry in OtherServices.expected {
            let section = try #require(sections[entry.number], "section \(entry.number)")
            #expect(section.tables.map(\.count) == entry.rows, "section \(entry.number) (\(entry.profile))")
        }
    }

    @Test(arguments: OtherServices.expected.map(\.profile))
    func everyRowIsCitedOrDeliberatelyNotModelled(profileID: String) throws {
        let (entry, section, profile) = try OtherServices.load(profileID)
        var missing: [String] = []
        for (index, rows) in section.tables.enumerated() {
            let table = entry.tables[index]
            for row in 1...rows.count {
                let cited = profile.rules.contains { $0.references.contains { $0.document == entry.document && $0.table == table && $0.row == row } }
                let unmodelled = profile.unmodelled.first { $0.document == entry.document && $0.table == table && $0.row == row }
                if cited && unmodelled != nil { missing.append("\(table) row \(row) is both cited and listed as not modelled") }
                if !cited && unmodelled == nil { missing.append("\(table) row \(row): \(rows[row - 1])") }
                if let unmodelled, unmodelled.reason.count < 20 { missing.append("\(table) row \(row): reason too thin: \(unmodelled.reason)") }
            }
        }
        #expect(missing.isEmpty, "rows neither cited nor listed as not modelled:\n\(missing.joined(separator: "\n"))")
    }

    @Test(arguments: OtherServices.expected.map(\.profile))
    func everyCitationQuotesItsRowOrSection(profileID: String) throws {
        let (entry, section, profile) = try OtherServices.load(profileID)
        var wrong: [String] = []
        let quotes = profile.rules.flatMap(\.references).map { ($0.table, $0.row, $0.text) }
            + profile.unmodelled.map { ($0.table, $0.row, $0.text) }
        for (table, row, text) in quotes {
            guard let text else {
                wrong.append("\(table ?? "-") \(row ?? 0): no quoted text")
                continue
            }
            let haystack: String
            if let table, let row {
                guard let t = entry.tables.firstIndex(of: table), section.tables[t].indices.contains(row - 1) else {
                    wrong.append("\(table) row \(row) does not exist")
                    continue
                }
                haystack = section.tables[t][row - 1]
            } else {
                haystack = section.text
            }
            if !SeedDocuments.normalized(haystack).contains(SeedDocuments.normalized(text)) {
                wrong.append("\(table ?? "-") \(row ?? 0): \(text)")
            }
        }
        #expect(wrong.isEmpty, "citations not found where they point:\n\(wrong.joined(separator: "\n"))")
    }

    /// Every host (and IPv4 address) written in backticks in a table row is a destination of a
    /// rule citing that row; a partial-label wildcard (`md-*.blob…`) that the dialect cannot say
    /// must be widened to `*.rest` by a rule whose note quotes the written pattern.
    @Test(arguments: OtherServices.expected.map(\.profile))
    func everyHostOfACitedRowIsADestination(profileID: String) throws {
        let (entry, section, profile) = try OtherServices.load(profileID)
        var missing: [String] = []
        for (index, rows) in section.tables.enumerated() {
            let table = entry.tables[index]
            for (offset, text) in rows.enumerated() {
                let citing = profile.rules.filter { $0.references.contains { $0.document == entry.document && $0.table == table && $0.row == offset + 1 } }
                guard !citing.isEmpty else { continue }
                for host in OtherServices.hosts(in: text) where !OtherServices.covers(citing, host) {
                    missing.append("\(table) row \(offset + 1): \(host)")
                }
            }
        }
        for host in section.substitutionHosts where !OtherServices.covers(profile.rules, host) {
            missing.append("substitution list: \(host)")
        }
        #expect(missing.isEmpty, "hosts of the document with no rule:\n\(missing.joined(separator: "\n"))")
    }

    @Test(arguments: OtherServices.expected.map(\.profile))
    func sourceCitesThePageAndItsDate(profileID: String) throws {
        let (entry, section, profile) = try OtherServices.load(profileID)
        let document = try #require(profile.documents.first { $0.id == entry.document })
        #expect(document.url == section.url)
        #expect(document.date == section.msDate, "ms.date of the page as other-services.md gives it")
        #expect(profile.transcribed != nil)
    }
}

/// Reads `../shared/data/azure/other-services.md`.
enum OtherServices {
    struct Entry {
        var number: Int
        var profile: String
        var document: String
        var tables: [String]
        var rows: [Int]
    }

    /// Hand-counted from the file: section number, profile, document id, table names in order, data rows per table.
    static let expected: [Entry] = [
        Entry(number: 1, profile: "aks", document: "aks-egress", tables: ["network-rules", "fqdn-rules", "add-ons", "sovereign"], rows: [7, 14, 18, 8]),
        Entry(number: 2, profile: "spring-apps", document: "spring-apps-vnet", tables: ["customer-responsibilities"], rows: [15]),
        Entry(number: 3, profile: "container-apps", document: "container-apps-firewall", tables: ["workload-profiles", "consumption"], rows: [6, 7]),
        Entry(number: 4, profile: "avd-session-host", document: "avd-required-fqdn", tables: ["session-hosts", "end-user-clients"], rows: [19, 6]),
        Entry(number: 5, profile: "arc-servers", document: "arc-servers-network", tables: ["service-tags", "urls"], rows: [7, 14]),
        Entry(number: 6, profile: "azure-ml", document: "aml-firewall", tables: ["basic-outbound", "scenarios"], rows: [10, 11]),
        Entry(number: 7, profile: "hdinsight", document: "hdinsight-outbound", tables: ["outbound"], rows: [15]),
        Entry(number: 8, profile: "databricks", document: "databricks-udr", tables: ["routes"], rows: [6]),
        Entry(number: 9, profile: "app-service-environment-v3", document: "asev3-networking", tables: ["networking"], rows: [6]),
    ]

    static let documentIDs = Set(expected.map(\.document))

    struct Section {
        var text: String
        var tables: [[String]]
        /// The `- URL:` line's first URL.
        var url: String?
        /// `ms.date MM/DD/YYYY` of the "Source read" line, as YYYY-MM-DD.
        var msDate: String?
        /// Backticked hosts of the "Gov…:" and "21Vianet…:" paragraphs.
        var substitutionHosts: [String]
    }

    static func load(_ profileID: String) throws -> (Entry, Section, Profile) {
        let entry = try #require(expected.first { $0.profile == profileID })
        let section = try #require(try sections()[entry.number])
        let profile = try #require(BuiltinProfiles.profile(id: profileID))
        return (entry, section, profile)
    }

    static func sections() throws -> [Int: Section] {
        let path = SharedFolder.root.appendingPathComponent("data/azure/other-services.md").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [Int: Section] = [:]
        var number: Int?
        var body: [String] = []
        func flush() {
            if let number { result[number] = section(body) }
        }
        for line in lines {
            if line.hasPrefix("## ") {
                flush()
                let head = line.dropFirst(3).prefix { $0 != "." }
                number = Int(head)
                body = []
            }
            body.append(line)
        }
        flush()
        return result
    }

    private static func section(_ lines: [String]) -> Section {
        var tables: [[String]] = []
        var index = 0
        func isSeparator(_ line: String) -> Bool {
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("|") && t.contains("---") && t.allSatisfy { "-|: ".contains($0) }
        }
        while index < lines.count {
            guard isSeparator(lines[index]) else { index += 1; continue }
            index += 1
            var rows: [String] = []
            while index < lines.count, lines[index].hasPrefix("|") {
                rows.append(lines[index])
                index += 1
            }
            tables.append(rows)
        }
        let text = lines.joined(separator: "\n")
        let url = lines.first { $0.hasPrefix("- URL: ") }.flatMap { $0.dropFirst("- URL: ".count).split(separator: " ").first.map(String.init) }
        var msDate: String?
        if let range = text.range(of: "ms.date ") {
            let parts = text[range.upperBound...].prefix(10).split(separator: "/")
            if parts.count == 3 { msDate = "\(parts[2])-\(parts[0])-\(parts[1])" }
        }
        // Paragraphs that start "Gov" or "21Vianet" and list substitute names.
        var substitution: [String] = []
        var inParagraph = false
        for line in lines {
            if line.hasPrefix("Gov") || line.hasPrefix("21Vianet") { inParagraph = true }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { inParagraph = false }
            if inParagraph { substitution.append(line) }
        }
        return Section(text: text, tables: tables, url: url, msDate: msDate, substitutionHosts: hosts(in: substitution.joined(separator: " ")))
    }

    /// Backticked host names and IPv4 addresses: lower-case or `*`/`<` first, a dot, no spaces;
    /// a path after the host is dropped (`www.microsoft.com/pkiops/certs`).
    static func hosts(in text: String) -> [String] {
        let pieces = text.split(separator: "`", omittingEmptySubsequences: false)
        var hosts: [String] = []
        for (index, piece) in pieces.enumerated() where index % 2 == 1 {
            let token = String(piece.split(separator: "/").first ?? "")
            guard let first = token.first, token.contains("."), !token.contains(" ") else { continue }
            guard first.isLowercase || first == "*" || first == "<" || first.isNumber else { continue }
            if token.hasSuffix(".md") || token.hasSuffix(".json") || token.contains("_") { continue }
            // Host names are written lower-case; camelCase words are JSON paths (networkProfile.requiredTraffics).
            let pieces = token.split(separator: "<", omittingEmptySubsequences: false)
            let outsidePlaceholders = ([pieces[0]] + pieces.dropFirst().map { $0.drop { $0 != ">" } }).joined()
            if outsidePlaceholders.contains(where: \.isUppercase) { continue }
            hosts.append(token)
        }
        return hosts
    }

    /// A rule names `host` as a destination (any case), or widens a partial-label wildcard
    /// (`umsa*.blob.core.windows.net` → `*.blob.core.windows.net`) and says so in its note.
    static func covers(_ rules: [ProfileRule], _ host: String) -> Bool {
        let wanted = host.lowercased()
        for rule in rules {
            // `destinations: any` (the table's "*", or "* or a name") allows every host.
            if rule.destinations.isEmpty && rule.direction == .outbound { return true }
            let values = rule.destinations.map { $0.value.lowercased() }
            if values.contains(wanted) { return true }
            if let star = wanted.firstIndex(of: "*"), wanted.first != "*" || wanted.dropFirst().first != "." {
                let rest = wanted[wanted.index(after: star)...].drop { $0 != "." }
                if values.contains("*" + rest), rule.note?.lowercased().contains(wanted) == true { return true }
            }
        }
        return false
    }
}
