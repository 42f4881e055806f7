import ArgumentParser
import EgressPolicy
import Foundation
import Yams

/// `--config FILE` for `analyze` and `live`: the command's options as a YAML
/// mapping, each key an option's long name without the dashes, for a service
/// manager to start the tool without a shell word-splitting its arguments
/// (`region: West US` stays one value):
///
/// ```yaml
/// interface: eth0                 # a value
/// profile: apim-self-hosted-gateway
/// param: {apim-name: contoso, region: West US}   # a mapping: one --param name=value each
/// feature: [entra-id]             # a list: the option repeated
/// json: true                      # a flag: true gives it, false leaves it out
/// ```
///
/// The file becomes argument words placed before the command line's own, so
/// an option given on the command line as well wins (a repeatable one adds up).
/// Keys are checked against the command's own options (its help), so a typo
/// fails in one line naming the file, line and column.
enum RunConfiguration {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static let commands: [String: ParsableCommand.Type] = ["analyze": AnalyzeCommand.self, "live": LiveCommand.self]

    /// The arguments with each `--config FILE` of `analyze`/`live` expanded into the file's options, inserted after
    /// the subcommand; other commands' arguments unchanged.
    static func expand(_ arguments: [String]) throws(Invalid) -> [String] {
        guard let command = arguments.first, let type = commands[command] else { return arguments }
        var inserted: [String] = []
        var i = 1
        while i < arguments.count {
            let a = arguments[i]
            var path: String?
            if a == "--config" { path = i + 1 < arguments.count ? arguments[i + 1] : nil }
            if a.hasPrefix("--config=") { path = String(a.dropFirst("--config=".count)) }
            if let path { inserted += try words(path, options: options(of: type)) }
            i += 1
        }
        return [command] + inserted + arguments.dropFirst()
    }

    /// The command's long options from its help, and whether each takes a value.
    static func options(of type: ParsableCommand.Type) -> [String: Bool] {
        var options: [String: Bool] = [:]
        for line in type.helpMessage(columns: 400).split(separator: "\n") {
            // An option's line starts with it: "--output <output>  …", "-i, --interface <iface>  …".
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("-") else { continue }
            let words = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            for (k, word) in words.enumerated() where word.hasPrefix("--") {
                let name = String(word.dropFirst(2).trimmingCharacters(in: CharacterSet(charactersIn: ",")))
                guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }), options[name] == nil else { break }
                options[name] = k + 1 < words.count && words[k + 1].hasPrefix("<")
                break
            }
        }
        for builtin in ["help", "version", "config", "generate-completion-script"] { options[builtin] = nil }
        return options
    }

    static func words(_ path: String, options: [String: Bool]) throws(Invalid) -> [String] {
        if let problem = FileProblem.reading(path) { throw Invalid(description: "--config \(path): \(problem)") }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Invalid(description: "--config \(path): not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return [] }
            root = node
        } catch {
            throw Invalid(description: "\(path): not YAML (\(error))")
        }
        guard let mapping = root.mapping else {
            throw Invalid(description: "\(at(path, root)): expected a mapping of option names to values (e.g. profile: cassandra-mi)")
        }
        var words: [String] = []
        for (key, value) in mapping {
            guard let name = key.string, let takesValue = options[name] else {
                let known = options.keys.sorted().joined(separator: ", ")
                throw Invalid(description: "\(at(path, key)): unknown option \"\(key.string ?? "?")\"; expected one of \(known)")
            }
            if !takesValue {
                guard let scalar = value.scalar, let on = Bool(scalar.string.lowercased()) else {
                    throw Invalid(description: "\(at(path, value)): \(name) is a flag: expected true or false")
                }
                if on { words.append("--\(name)") }
                continue
            }
            switch value {
            case .scalar(let s):
                words += ["--\(name)", s.string]
            case .sequence(let items):
                for item in items {
                    guard let s = item.scalar else { throw Invalid(description: "\(at(path, item)): \(name): expected a value in the list") }
                    words += ["--\(name)", s.string]
                }
            case .mapping(let pairs):
                // name=value options (--param) as a mapping.
                guard name == "param" else {
                    throw Invalid(description: "\(at(path, value)): \(name): expected a value or a list of values, found a mapping")
                }
                for (k, v) in pairs {
                    guard let k = k.scalar?.string, let v = v.scalar?.string else {
                        throw Invalid(description: "\(at(path, v)): param: expected name: value")
                    }
                    words += ["--param", "\(k)=\(v)"]
                }
            case .alias:
                throw Invalid(description: "\(at(path, value)): \(name): aliases are not supported here")
            }
        }
        return words
    }

    /// FILE:LINE:COLUMN of a node (1-based, as editors count).
    static func at(_ path: String, _ node: Node) -> String {
        guard let mark = node.mark else { return path }
        return "\(path):\(mark.line):\(mark.column)"
    }
}
