import ArgumentParser
import EgressPolicy
import Foundation

/// `egress-audit profiles`: the built-in profiles and profile files, listed, expanded and checked.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List, show and validate egress profiles.",
        discussion: """
            A profile is a service's documented network needs (allowed FQDNs, service tags, \
            addresses, ports), each rule citing the document row it came from. The format is \
            described in docs/profile-format.md.
            """,
        subcommands: [List.self, Show.self, Validate.self],
        defaultSubcommand: List.self
    )
}

extension ProfilesCommand {
    struct List: ParsableCommand {
        // Named here, not from the type: ArgumentParser builds every command's name at start-up, and
        // a name from the type (`String(describing:)`, demangled) cost 1.5 ms of every run's start.
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the built-in profiles.")

        func run() throws {
            var rows: [[[String]]] = [[["ID"], ["RULES"], ["TRANSCRIBED"], ["SOURCE DATE"], ["SOURCE"]]]
            for text in BuiltinProfiles.texts {
                let profile: Profile
                do {
                    profile = try text.load()
                } catch {
                    rows.append([[text.id], ["-"], ["-"], ["-"], ["does not load: \(error.errors.count) error(s)"]])
                    continue
                }
                // One line per document: its date and where it is (URL, else its title).
                let documents = profile.documents.map { ($0.date ?? "-", $0.url ?? $0.title ?? $0.id) }
                rows.append([
                    [profile.id], ["\(profile.rules.count)"], [profile.transcribed ?? "-"], documents.map(\.0), documents.map(\.1),
                ])
            }
            print(renderTable(rows), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a profile's rules expanded for given parameters and features.",
            discussion: """
                Rules whose conditions do not hold are left out. Placeholders are filled from the \
                parameters: a region fills <region> as "westus" in host names and <Region> as \
                "WestUS" in service tags. An unset parameter leaves its placeholder and a warning.
                """
        )

        @Argument(help: "A built-in profile id (see `profiles list`) or a profile file (.yaml, .yml, .json).")
        var profile: String

        @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value, e.g. --param region=\"West US\".", valueName: "name=value"))
        var parameters: [String] = []

        @Option(name: .customLong("feature"), help: ArgumentHelp("Enable an optional feature (repeatable).", valueName: "name"))
        var features: [String] = []

        @Option(
            help: ArgumentHelp(
                "table: the rules expanded for the parameters and features; yaml or json: the profile as written (parameters and features do not apply).",
                valueName: "table|yaml|json"))
        var format: ShowFormat = .table

        enum ShowFormat: String, ExpressibleByArgument, CaseIterable {
            case table, yaml, json
        }

        func validate() throws {
            if format != .table, !parameters.isEmpty || !features.isEmpty {
                throw ValidationError("--param and --feature expand the rules for --format table; --format \(format.rawValue) shows the profile as written")
            }
            for parameter in parameters where !parameter.contains("=") || parameter.hasPrefix("=") {
                throw ValidationError("--param expects name=value, found \"\(parameter)\"")
            }
        }

        func run() throws {
            let loaded = try loadProfile(profile)
            switch format {
            case .table: break
            case .yaml:
                print(try profileText(profile), terminator: "")
                return
            case .json:
                guard let json = ProfileJSON.json(fromYAML: try profileText(profile)) else {
                    throw ValidationError("\(profile) uses YAML aliases, which JSON cannot express; show it with --format yaml")
                }
                print(json, terminator: "")
                return
            }
            var values: [String: String] = [:]
            for parameter in parameters {
                let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            let expanded: ExpandedProfile
            do {
                expanded = try loaded.expand(parameters: values, features: Set(features))
            } catch {
                printErrors(error)
                throw ExitCode(1)
            }
            print(describe(loaded, expanded))
        }

        private func describe(_ profile: Profile, _ expanded: ExpandedProfile) -> String {
            var lines: [String] = []
            lines.append("\(profile.id): \(profile.title)")
            for document in profile.documents {
                let date = document.date.map { "(\($0))" }
                lines.append("  source: " + [document.title, document.section.map { "§ " + $0 }, document.url, date].compactMap { $0 }.joined(separator: " — "))
            }
            if let transcribed = profile.transcribed { lines.append("  transcribed: \(transcribed)") }
            lines.append("  dialect: \(profile.dialect.rawValue)")
            let parameterText = profile.parameters.map { "\($0.name)=\(expanded.parameters[$0.name] ?? "(unset)")" }
            lines.append("  parameters: " + parameterText.joined(separator: " "))
            let featureText = profile.features.map { expanded.enabledFeatures.contains($0.name) ? "+\($0.name)" : $0.name }
            lines.append("  features: " + (featureText.isEmpty ? "(none)" : featureText.joined(separator: " ")))
            lines.append("")

            var rows: [[[String]]] = [[["RULE"], ["DIR"], ["PROTO/PORTS"], ["SOURCES"], ["DESTINATIONS"], ["NEED"], ["PURPOSE"]]]
            for rule in expanded.rules {
                let need: String
                switch rule.requirement {
                case .required: need = "required"
                case .optional(let feature, let enabled): need = (enabled ? "on: " : "off: ") + feature
                }
                rows.append([
                    [rule.id], [rule.direction.rawValue], ["\(rule.transport.rawValue)/\(rule.ports)"],
                    rule.sources.isEmpty ? ["-"] : rule.sources.map(\.description),
                    rule.destinations.isEmpty ? ["any"] : rule.destinations.map(\.description), [need],
                    [rule.purpose],
                ])
            }
            lines.append(renderTable(rows))
            let required = expanded.rules.filter { $0.requirement.isRequired }.count
            lines.append("\(expanded.rules.count) rules (\(required) required, \(expanded.rules.count - required) optional)")
            lines += warningLines(expanded.warnings)
            return lines.joined(separator: "\n")
        }

        /// Widening warnings one per line; undecided conditions grouped per parameter (one region
        /// left unset keeps every region's control-plane row, which would be dozens of lines).
        private func warningLines(_ warnings: [ExpansionWarning]) -> [String] {
            var lines: [String] = []
            var undecided: [String: [String]] = [:]
            for warning in warnings {
                switch warning {
                case .widened:
                    lines.append("warning: \(warning)")
                case .conditionUndetermined(let rule, let parameter):
                    undecided[parameter, default: []].append(rule)
                }
            }
            for (parameter, rules) in undecided.sorted(by: { $0.key < $1.key }) {
                let shown = rules.prefix(4).joined(separator: ", ") + (rules.count > 4 ? ", …" : "")
                lines.append("warning: \(parameter) unset: \(rules.count) rule(s) conditioned on it kept (\(shown))")
            }
            return lines
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check a profile file; prints every error as FILE:LINE:COLUMN: path: expected …, found ….")

        @Argument(help: "A profile file (.yaml, .yml or .json), or a built-in profile id.")
        var file: String

        func run() throws {
            if BuiltinProfiles.text(id: file) != nil && !FileManager.default.fileExists(atPath: file) {
                // A built-in id: check the built-in (it is YAML like any profile file).
                let profile = try loadProfile(file)
                print("\(file): ok — built-in profile \(profile.id), \(profile.rules.count) rules (\(profile.rules.filter { !$0.required }.count) optional), "
                      + "\(profile.parameters.count) parameters, \(profile.features.count) features (`profiles show \(file)` prints it)")
                return
            }
            if let problem = FileProblem.reading(file) {
                let ids = BuiltinProfiles.texts.map(\.id).joined(separator: ", ")
                FileHandle.standardError.write(Data("egress-audit: \(file): \(problem); give a profile file (.yaml, .yml, .json) or a built-in id (\(ids))\n".utf8))
                throw ExitCode(1)
            }
            do {
                let profile = try ProfileLoader.load(path: file)
                let optional = profile.rules.filter { !$0.required }.count
                print(
                    "\(file): ok — profile \(profile.id), \(profile.rules.count) rules (\(optional) optional), "
                        + "\(profile.parameters.count) parameters, \(profile.features.count) features")
            } catch {
                printErrors(error)
                throw ExitCode(1)
            }
        }
    }
}

/// The text of a built-in profile, else of the file (`loadProfile` has checked it exists).
private func profileText(_ name: String) throws -> String {
    if let text = BuiltinProfiles.text(id: name) { return text.yaml }
    do {
        return try String(contentsOfFile: name, encoding: .utf8)
    } catch {
        throw ValidationError("\(name): not readable as UTF-8 text")
    }
}

/// A built-in id, else a file path.
private func loadProfile(_ name: String) throws -> Profile {
    if let text = BuiltinProfiles.text(id: name) {
        do {
            return try text.load()
        } catch {
            printErrors(error)
            throw ExitCode(1)
        }
    }
    guard FileManager.default.fileExists(atPath: name) else {
        let ids = BuiltinProfiles.texts.map(\.id).joined(separator: ", ")
        throw ValidationError("\"\(name)\" is neither a built-in profile (\(ids)) nor an existing file")
    }
    do {
        return try ProfileLoader.load(path: name)
    } catch {
        printErrors(error)
        throw ExitCode(1)
    }
}

private func printErrors(_ errors: ProfileValidationErrors) {
    FileHandle.standardError.write(Data((errors.description + "\n").utf8))
}

/// Left-aligned columns; a cell may span several lines. The first row is the header.
private func renderTable(_ rows: [[[String]]]) -> String {
    guard let columns = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows {
        for (index, cell) in row.enumerated() {
            widths[index] = max(widths[index], cell.map(\.count).max() ?? 0)
        }
    }
    var output = ""
    for row in rows {
        let height = row.map(\.count).max() ?? 1
        for line in 0..<max(height, 1) {
            var text = ""
            for (index, cell) in row.enumerated() {
                let value = line < cell.count ? cell[line] : ""
                text += index == row.count - 1 ? value : value.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            output += text + "\n"
        }
    }
    return output
}
