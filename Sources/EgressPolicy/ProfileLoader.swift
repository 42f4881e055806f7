import Foundation
public import Yams

/// Reads a profile from YAML or JSON text into a validated `Profile`.
///
/// JSON goes through the same Yams node API as YAML (JSON is YAML's flow style), so
/// both report every error with line:column. All errors of a document are collected
/// before throwing.
public enum ProfileLoader {
    /// Parses and validates `text`; `file` names it in error messages.
    public static func load(text: String, file: String) throws(ProfileValidationErrors) -> Profile {
        let root: Node
        do {
            // The reader takes every scalar as text, by its style, never by a resolved tag: Yams's
            // default resolver matched each one against its regular expressions (and compiled them),
            // a third of a profile's loading (callgrind: 19 of 38 M instructions, every run).
            guard let composed = try Yams.compose(yaml: text, Resolver.basic) else {
                throw ProfileValidationErrors([
                    ProfileValidationError(file: file, line: 1, column: 1, path: "", expected: "a profile mapping", found: "an empty document")
                ])
            }
            root = composed
        } catch let errors as ProfileValidationErrors {
            throw errors
        } catch {
            throw ProfileValidationErrors([syntaxError(error, file: file)])
        }
        return try load(node: root, file: file)
    }

    /// Validates a document already composed into YAML nodes (what `load(text:file:)` does
    /// after parsing). Public so a fuzz target can hand the reader node trees carved from
    /// its bytes without paying for YAML text on every input.
    public static func load(node root: Node, file: String) throws(ProfileValidationErrors) -> Profile {
        if nodeCount(root, cap: maximumNodes) > maximumNodes {
            throw ProfileValidationErrors([
                ProfileValidationError(
                    file: file, line: 1, column: 1, path: "",
                    expected: "at most \(maximumNodes) YAML nodes with aliases expanded",
                    found: "more (an alias repeated inside aliased nodes?)")
            ])
        }
        var reader = ProfileReader(file: file)
        let profile = reader.readProfile(root)
        guard reader.errors.isEmpty, let profile else {
            throw ProfileValidationErrors(reader.errors)
        }
        return profile
    }

    /// The largest tree a profile may stand for (the biggest built-in one is about a
    /// tenth of it). Each YAML alias repeats its anchor's whole node, so without a cap
    /// 57 KB of `rules: [*r, *r, …]` over a rule with `destinations: *d` stood for
    /// 9 million destinations and kept the reader busy for most of an hour (issue 16).
    static let maximumNodes = 100_000

    /// Nodes of `root` with aliases expanded, counted up to just past `cap`.
    static func nodeCount(_ root: Node, cap: Int) -> Int {
        var pending = [root]
        var count = 0
        while let node = pending.popLast(), count <= cap {
            count += 1
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping { pending.append(key); pending.append(value) }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
        return count
    }

    /// Reads `path` from disk and loads it; the path is the file name in messages.
    public static func load(path: String) throws(ProfileValidationErrors) -> Profile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ProfileValidationErrors([
                ProfileValidationError(file: path, path: "", expected: "a readable UTF-8 profile file",
                                       found: FileProblem.reading(path) ?? "text that is not UTF-8 (\(FileProblem.describe(error, path: path, writing: false)))")
            ])
        }
        return try load(text: text, file: path)
    }

    private static func syntaxError(_ error: any Error, file: String) -> ProfileValidationError {
        guard let yamlError = error as? YamlError else {
            return ProfileValidationError(file: file, path: "", expected: "well-formed YAML or JSON", found: "\(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var found = problem
            if let context { found += " (\(context.text) at \(context.mark.line):\(context.mark.column))" }
            return ProfileValidationError(
                file: file, line: mark.line, column: mark.column, path: "", expected: "well-formed YAML or JSON", found: found)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ProfileValidationError(
                file: file, line: context.mark.line, column: context.mark.column, path: "",
                expected: "each key once per mapping",
                found: "duplicate key " + duplicates.map { "\"\($0)\"" }.joined(separator: ", "))
        case .reader(let problem, _, _, _):
            return ProfileValidationError(file: file, path: "", expected: "readable text", found: problem)
        default:
            return ProfileValidationError(file: file, path: "", expected: "well-formed YAML or JSON", found: "\(yamlError)")
        }
    }
}

/// `<name>` and `{name}` placeholders in a pattern, in order, with their delimiters.
func placeholders(in text: String) -> [(token: String, name: String)] {
    var found: [(String, String)] = []
    var scalars = Array(text.unicodeScalars)[...]
    while let open = scalars.firstIndex(where: { $0 == "<" || $0 == "{" }) {
        let closer: Unicode.Scalar = scalars[open] == "<" ? ">" : "}"
        guard let close = scalars[open...].firstIndex(of: closer) else { break }
        let name = String(String.UnicodeScalarView(scalars[(open + 1)..<close]))
        let token = String(String.UnicodeScalarView(scalars[open...close]))
        found.append((token, name))
        scalars = scalars[(close + 1)...]
    }
    return found
}

private struct ProfileReader {
    let file: String
    var errors: [ProfileValidationError] = []

    init(file: String) {
        self.file = file
    }

    // MARK: Profile

    private static let profileKeys = [
        "id", "title", "source", "dialect", "description", "transcribed", "parameters", "features", "rules", "unmodelled",
    ]

    mutating func readProfile(_ root: Node) -> Profile? {
        guard let map = mapping(root, path: "", keys: Self.profileKeys, required: ["id", "title", "source", "dialect", "rules"])
        else { return nil }
        let id = map["id"].flatMap { identifier($0.value, path: "id") }
        let title = map["title"].flatMap { string($0.value, path: "title") }
        let documents = map["source"].map { readDocuments($0.value) } ?? []
        let dialect = map["dialect"].flatMap { enumeration($0.value, path: "dialect", FQDNDialect.self) }
        let summary = map["description"].flatMap { string($0.value, path: "description") }
        let parameters = map["parameters"].map { readParameters($0.value) } ?? []
        let features = map["features"].map { readFeatures($0.value) } ?? []
        let context = RuleContext(parameters: parameters, features: features, documents: documents)
        let rules = map["rules"].map { readRules($0.value, context: context) } ?? []
        let transcribed = map["transcribed"].flatMap { date($0.value, path: "transcribed") }
        let unmodelled = map["unmodelled"].map { readUnmodelled($0.value, context: context) } ?? []
        guard let id, let title, let dialect else { return nil }
        return Profile(
            id: id, title: title, documents: documents, dialect: dialect, summary: summary,
            parameters: parameters, features: features, rules: rules, transcribed: transcribed, unmodelled: unmodelled)
    }

    /// `unmodelled:` — rows of a source table left out on purpose, each with its reason.
    private mutating func readUnmodelled(_ node: Node, context: RuleContext) -> [UnmodelledRow] {
        var rows: [UnmodelledRow] = []
        for (index, item) in list(node, path: "unmodelled").enumerated() {
            let path = "unmodelled[\(index)]"
            guard
                let map = mapping(
                    item, path: path, keys: ["document", "table", "row", "reason", "text"], required: ["document", "table", "row", "reason"])
            else { continue }
            let document = map["document"].flatMap { string($0.value, path: path + ".document") }
            if let entry = map["document"], let document, !context.documents.map(\.id).contains(document) {
                let ids = context.documents.map(\.id)
                fail(entry.value, path + ".document", expected: "the id of a document under source (" + ids.joined(separator: ", ") + ")",
                    found: quoted(document), suggestion: nearestSpelling(to: document, among: ids))
            }
            let table = map["table"].flatMap { string($0.value, path: path + ".table") }
            let row = map["row"].flatMap { integer($0.value, path: path + ".row", expected: "a row number 1 or more", range: 1...100_000) }
            let reason = map["reason"].flatMap { string($0.value, path: path + ".reason") }
            let text = map["text"].flatMap { string($0.value, path: path + ".text") }
            guard let document, let table, let row, let reason else { continue }
            rows.append(UnmodelledRow(document: document, table: table, row: row, reason: reason, text: text))
        }
        return rows
    }

    /// A calendar date written `YYYY-MM-DD` (quoted or not: YAML reads both as text here).
    private mutating func date(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path, expected: "a date YYYY-MM-DD") else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let valid =
            parts.count == 3 && parts.map(\.count) == [4, 2, 2] && parts.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            && (1...12).contains(Int(parts[1]) ?? 0) && (1...31).contains(Int(parts[2]) ?? 0)
        guard valid else {
            fail(node, path, expected: "a date YYYY-MM-DD", found: quoted(text))
            return nil
        }
        return text
    }

    private mutating func readDocuments(_ node: Node) -> [ProfileDocument] {
        let items: [(Node, String)]
        if node.sequence != nil {
            items = list(node, path: "source").enumerated().map { ($0.element, "source[\($0.offset)]") }
        } else {
            items = [(node, "source")]
        }
        var documents: [ProfileDocument] = []
        for (item, path) in items {
            if item.mapping != nil {
                guard let map = mapping(item, path: path, keys: ["id", "url", "title", "date", "section"], required: ["id"]) else { continue }
                guard let id = map["id"].flatMap({ string($0.value, path: path + ".id") }) else { continue }
                let url = map["url"].flatMap { string($0.value, path: path + ".url") }
                let title = map["title"].flatMap { string($0.value, path: path + ".title") }
                let documentDate = map["date"].flatMap { self.date($0.value, path: path + ".date") }
                let section = map["section"].flatMap { string($0.value, path: path + ".section") }
                documents.append(ProfileDocument(id: id, url: url, title: title, date: documentDate, section: section))
            } else if let url = string(item, path: path, expected: "a URL, a mapping {id, url, title} or a list of them") {
                documents.append(ProfileDocument(id: url, url: url))
            }
        }
        if documents.isEmpty, node.sequence != nil {
            fail(node, "source", expected: "at least one document")
        }
        return documents
    }

    // MARK: Parameters and features

    private mutating func readParameters(_ node: Node) -> [ProfileParameter] {
        var parameters: [ProfileParameter] = []
        var seen: [String: Node] = [:]
        for (index, item) in list(node, path: "parameters").enumerated() {
            let path = "parameters[\(index)]"
            guard
                let map = mapping(
                    item, path: path, keys: ["name", "description", "kind", "values", "default", "placeholders"],
                    required: ["name", "description"])
            else { continue }
            guard let nameEntry = map["name"], let name = identifier(nameEntry.value, path: path + ".name") else { continue }
            if let first = seen[name] {
                fail(nameEntry.value, path + ".name", expected: "a parameter name not used before (first at \(position(first)))", found: quoted(name))
                continue
            }
            seen[name] = nameEntry.value
            let description = map["description"].flatMap { string($0.value, path: path + ".description") } ?? ""
            let values = map["values"].map { stringList($0.value, path: path + ".values") }
            var kind: ParameterKind = values.map { .choice($0) } ?? .text
            if let kindEntry = map["kind"], let kindName = string(kindEntry.value, path: path + ".kind") {
                switch kindName {
                case "choice":
                    if values == nil { fail(kindEntry.value, path + ".kind", expected: "a \"values\" list with kind choice", found: quoted(kindName)) }
                case "region": kind = .region
                case "cidr-list": kind = .cidrList
                case "dns-label": kind = .dnsLabel
                case "text": kind = .text
                default:
                    fail(kindEntry.value, path + ".kind", expected: "one of " + ParameterKind.formatNames.joined(separator: ", "),
                        found: quoted(kindName), suggestion: nearestSpelling(to: kindName, among: ParameterKind.formatNames))
                }
                if kindName != "choice", let valuesEntry = map["values"] {
                    fail(valuesEntry.key, path + ".values", expected: "values only with kind choice", found: "kind \(kindName)")
                }
            }
            var defaultValue: String?
            if let defaultEntry = map["default"], let text = string(defaultEntry.value, path: path + ".default") {
                defaultValue = kind.validate(text)
                if defaultValue == nil { fail(defaultEntry.value, path + ".default", expected: kind.expectation, found: quoted(text)) }
            }
            let aliases = map["placeholders"].map { stringList($0.value, path: path + ".placeholders") } ?? []
            parameters.append(ProfileParameter(name: name, description: description, kind: kind, defaultValue: defaultValue, placeholders: aliases))
        }
        return parameters
    }

    private mutating func readFeatures(_ node: Node) -> [ProfileFeature] {
        var features: [ProfileFeature] = []
        var seen: [String: Node] = [:]
        for (index, item) in list(node, path: "features").enumerated() {
            let path = "features[\(index)]"
            guard let map = mapping(item, path: path, keys: ["name", "description", "default"], required: ["name", "description"])
            else { continue }
            guard let nameEntry = map["name"], let name = identifier(nameEntry.value, path: path + ".name") else { continue }
            if let first = seen[name] {
                fail(nameEntry.value, path + ".name", expected: "a feature name not used before (first at \(position(first)))", found: quoted(name))
                continue
            }
            seen[name] = nameEntry.value
            let description = map["description"].flatMap { string($0.value, path: path + ".description") } ?? ""
            let enabled = map["default"].flatMap { bool($0.value, path: path + ".default") } ?? false
            features.append(ProfileFeature(name: name, description: description, enabledByDefault: enabled))
        }
        return features
    }

    // MARK: Rules

    struct RuleContext {
        let parameters: [ProfileParameter]
        let features: [ProfileFeature]
        let documents: [ProfileDocument]
    }

    private static let ruleKeys = [
        "id", "direction", "sources", "destinations", "ports", "transport", "required", "feature", "when", "purpose", "note", "source",
    ]

    private mutating func readRules(_ node: Node, context: RuleContext) -> [ProfileRule] {
        var rules: [ProfileRule] = []
        var seen: [String: Node] = [:]
        let items = list(node, path: "rules")
        if items.isEmpty, node.sequence != nil { fail(node, "rules", expected: "at least one rule") }
        for (index, item) in items.enumerated() {
            let path = "rules[\(index)]"
            guard
                let map = mapping(
                    item, path: path, keys: Self.ruleKeys,
                    required: ["id", "direction", "destinations", "ports", "transport", "required", "purpose"])
            else { continue }
            var id: String?
            if let entry = map["id"], let text = identifier(entry.value, path: path + ".id") {
                if let first = seen[text] {
                    fail(entry.value, path + ".id", expected: "a rule id not used before (first at \(position(first)))", found: quoted(text))
                } else {
                    seen[text] = entry.value
                    id = text
                }
            }
            let direction = map["direction"].flatMap { enumeration($0.value, path: path + ".direction", RuleDirection.self) }
            // `destinations: any` is the documents' "*": the rule names no peer and allows any destination on its ports
            // (never making another destination "wrong port", as 0.0.0.0/0 would).
            let anyDestination = map["destinations"]?.value.scalar?.string == "any"
            let destinations =
                anyDestination ? [] : map["destinations"].map { endpoints($0.value, path: path + ".destinations", context: context) } ?? []
            let sources = map["sources"].map { endpoints($0.value, path: path + ".sources", context: context) } ?? []
            if let direction, direction != .outbound, map["sources"] == nil {
                fail(item, path, expected: "key \"sources\" on a rule with direction \(direction.rawValue)")
            }
            let ports = map["ports"].flatMap { portSpec($0.value, path: path + ".ports") }
            let transport = map["transport"].flatMap { enumeration($0.value, path: path + ".transport", RuleTransport.self) }
            let required = map["required"].flatMap { bool($0.value, path: path + ".required") }
            var feature: String?
            if let entry = map["feature"], let name = string(entry.value, path: path + ".feature") {
                let names = context.features.map(\.name)
                if names.contains(name) {
                    feature = name
                } else {
                    fail(entry.value, path + ".feature", expected: "a feature declared under features (" + names.joined(separator: ", ") + ")",
                        found: quoted(name), suggestion: nearestSpelling(to: name, among: names))
                }
            }
            if required == false, map["feature"] == nil {
                fail(item, path, expected: "key \"feature\" on a rule with required: false")
            }
            if required == true, let entry = map["feature"] {
                fail(entry.key, path + ".feature", expected: "no feature on a rule with required: true", found: "a feature")
            }
            let conditions = map["when"].map { readConditions($0.value, path: path + ".when", context: context) } ?? []
            let purpose = map["purpose"].flatMap { string($0.value, path: path + ".purpose") }
            let note = map["note"].flatMap { string($0.value, path: path + ".note") }
            let references = map["source"].map { readReferences($0.value, path: path + ".source", context: context) } ?? []
            guard let id, let direction, let ports, let transport, let required, let purpose, anyDestination || !destinations.isEmpty else { continue }
            rules.append(
                ProfileRule(
                    id: id, direction: direction, sources: sources, destinations: destinations, ports: ports, transport: transport,
                    required: required, feature: feature, conditions: conditions, purpose: purpose, note: note, references: references))
        }
        return rules
    }

    private mutating func endpoints(_ node: Node, path: String, context: RuleContext) -> [ProfileEndpoint] {
        let items = list(node, path: path)
        if items.isEmpty, node.sequence != nil { fail(node, path, expected: "at least one endpoint") }
        var result: [ProfileEndpoint] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let map = mapping(item, path: itemPath, keys: ["fqdn", "serviceTag", "cidr", "fqdnTag"], required: []) else { continue }
            guard map.count == 1, let (kind, entry) = map.first.map({ ($0.key, $0.value) }) else {
                fail(item, itemPath, expected: "exactly one of fqdn, serviceTag, cidr, fqdnTag", found: map.isEmpty ? "none" : "\(map.count) keys")
                continue
            }
            guard let text = string(entry.value, path: "\(itemPath).\(kind)") else { continue }
            switch kind {
            case "fqdn":
                if let problem = fqdnProblem(text) {
                    fail(entry.value, "\(itemPath).fqdn", expected: "a host name or *.pattern (\(problem))", found: quoted(text))
                    continue
                }
                guard placeholdersResolve(text, node: entry.value, path: "\(itemPath).fqdn", context: context) else { continue }
                result.append(.fqdn(text))
            case "serviceTag":
                if !isServiceTagText(text) {
                    fail(entry.value, "\(itemPath).serviceTag", expected: "a service tag name (letters, digits, dots, hyphens)", found: quoted(text))
                    continue
                }
                guard placeholdersResolve(text, node: entry.value, path: "\(itemPath).serviceTag", context: context) else { continue }
                result.append(.serviceTag(text))
            case "fqdnTag":
                // Azure Firewall FQDN tag names are plain words (AzureKubernetesService, WindowsUpdate).
                guard !text.isEmpty, text.count <= 100, text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) else {
                    fail(entry.value, "\(itemPath).fqdnTag", expected: "an Azure Firewall FQDN tag name (letters and digits)", found: quoted(text))
                    continue
                }
                result.append(.fqdnTag(text))
            default:
                guard isCIDRText(text) else {
                    fail(entry.value, "\(itemPath).cidr", expected: "an IP address or prefix (e.g. 10.0.0.0/16)", found: quoted(text))
                    continue
                }
                result.append(.cidr(text))
            }
        }
        return result
    }

    private mutating func placeholdersResolve(_ text: String, node: Node, path: String, context: RuleContext) -> Bool {
        var ok = true
        for (token, name) in placeholders(in: text) where !context.parameters.contains(where: { $0.answers(to: name) }) {
            let names = context.parameters.flatMap { [$0.name] + $0.placeholders }
            fail(node, path, expected: "placeholders naming a parameter (" + names.joined(separator: ", ") + ")",
                found: quoted(token), suggestion: nearestSpelling(to: name, among: names))
            ok = false
        }
        return ok
    }

    private mutating func readConditions(_ node: Node, path: String, context: RuleContext) -> [RuleCondition] {
        guard let map = node.mapping else {
            fail(node, path, expected: "a mapping of parameter: value(s)", found: describe(node))
            return []
        }
        var conditions: [RuleCondition] = []
        for (keyNode, valueNode) in map {
            guard let name = string(keyNode, path: path) else { continue }
            let keyPath = path + "." + name
            guard let parameter = context.parameters.first(where: { $0.name == name }) else {
                let names = context.parameters.map(\.name)
                fail(keyNode, keyPath, expected: "a declared parameter (" + names.joined(separator: ", ") + ")",
                    found: quoted(name), suggestion: nearestSpelling(to: name, among: names))
                continue
            }
            let raw = valueNode.sequence != nil ? stringList(valueNode, path: keyPath) : string(valueNode, path: keyPath).map { [$0] } ?? []
            var values: [String] = []
            for value in raw {
                if let normalized = parameter.kind.validate(value) {
                    values.append(normalized)
                } else {
                    fail(valueNode, keyPath, expected: parameter.kind.expectation, found: quoted(value))
                }
            }
            if !values.isEmpty { conditions.append(RuleCondition(parameter: name, values: values)) }
        }
        return conditions
    }

    private mutating func readReferences(_ node: Node, path: String, context: RuleContext) -> [SourceReference] {
        let items: [(Node, String)] =
            node.sequence != nil
            ? list(node, path: path).enumerated().map { ($0.element, "\(path)[\($0.offset)]") } : [(node, path)]
        var references: [SourceReference] = []
        for (item, itemPath) in items {
            guard
                let map = mapping(item, path: itemPath, keys: ["document", "table", "row", "answer", "text"], required: ["document"])
            else { continue }
            guard let entry = map["document"], let document = string(entry.value, path: itemPath + ".document") else { continue }
            let ids = context.documents.map(\.id)
            if !ids.contains(document) {
                fail(entry.value, itemPath + ".document", expected: "the id of a document under source (" + ids.joined(separator: ", ") + ")",
                    found: quoted(document), suggestion: nearestSpelling(to: document, among: ids))
            }
            let table = map["table"].flatMap { string($0.value, path: itemPath + ".table") }
            var row: Int?
            if let rowEntry = map["row"] {
                row = integer(rowEntry.value, path: itemPath + ".row", expected: "a row number 1 or more", range: 1...100_000)
                if table == nil { fail(rowEntry.key, itemPath + ".row", expected: "a table for the row", found: "no table") }
            }
            let answer = map["answer"].flatMap { string($0.value, path: itemPath + ".answer") }
            let text = map["text"].flatMap { string($0.value, path: itemPath + ".text") }
            references.append(SourceReference(document: document, table: table, row: row, answer: answer, text: text))
        }
        return references
    }

    // MARK: Ports

    private static let portExpectation = "a port 1-65535, a list, a range \"A-B\" or \"any\""

    private mutating func portSpec(_ node: Node, path: String) -> PortSpec? {
        if let items = node.sequence {
            if items.count == 0 {
                fail(node, path, expected: Self.portExpectation, found: "an empty list")
                return nil
            }
            var ranges: [PortRange] = []
            var ok = true
            for (index, item) in items.enumerated() {
                if let range = portRange(item) {
                    ranges.append(range)
                } else {
                    fail(item, "\(path)[\(index)]", expected: "a port 1-65535 or a range \"A-B\"", found: describe(item))
                    ok = false
                }
            }
            return ok ? .ranges(ranges) : nil
        }
        if let scalar = node.scalar, scalar.string.lowercased() == "any" { return .any }
        if let range = portRange(node) { return .ranges([range]) }
        fail(node, path, expected: Self.portExpectation, found: describe(node))
        return nil
    }

    private func portRange(_ node: Node) -> PortRange? {
        guard let scalar = node.scalar else { return nil }
        let parts = scalar.string.split(separator: "-", omittingEmptySubsequences: false).map { trimmedSpaces(String($0)) }
        func number(_ text: String) -> Int? {
            guard !text.isEmpty, text.count <= 5, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
            return Int(text)
        }
        switch parts.count {
        case 1: return number(parts[0]).flatMap { PortRange($0) }
        case 2:
            guard let lower = number(parts[0]), let upper = number(parts[1]) else { return nil }
            return PortRange(lower: lower, upper: upper)
        default: return nil
        }
    }

    // MARK: Node helpers

    /// The mapping's entries by key; unknown keys and missing required keys are errors.
    private mutating func mapping(_ node: Node, path: String, keys: [String], required: [String]) -> [String: (key: Node, value: Node)]? {
        guard let map = node.mapping else {
            fail(node, path, expected: "a mapping", found: describe(node))
            return nil
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (keyNode, valueNode) in map {
            guard let key = keyNode.scalar?.string else {
                fail(keyNode, path, expected: "a text key", found: describe(keyNode))
                continue
            }
            let keyPath = path.isEmpty ? key : path + "." + key
            guard keys.contains(key) else {
                fail(keyNode, keyPath, expected: "one of the keys " + keys.joined(separator: ", "),
                    found: "unknown key " + quoted(key), suggestion: nearestSpelling(to: key, among: keys))
                continue
            }
            if entries[key] != nil {
                fail(keyNode, keyPath, expected: "each key once", found: "a second " + quoted(key))
                continue
            }
            entries[key] = (keyNode, valueNode)
        }
        for key in required where entries[key] == nil {
            fail(node, path, expected: "key " + quoted(key))
        }
        return entries
    }

    private mutating func list(_ node: Node, path: String) -> [Node] {
        guard let items = node.sequence else {
            fail(node, path, expected: "a list", found: describe(node))
            return []
        }
        return Array(items)
    }

    private mutating func string(_ node: Node, path: String, expected: String = "text") -> String? {
        guard let scalar = node.scalar, !isNull(scalar) else {
            fail(node, path, expected: expected, found: describe(node))
            return nil
        }
        return scalar.string
    }

    private mutating func stringList(_ node: Node, path: String) -> [String] {
        list(node, path: path).enumerated().compactMap { string($0.element, path: "\(path)[\($0.offset)]") }
    }

    private mutating func identifier(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        let scalars = text.unicodeScalars
        let valid =
            !scalars.isEmpty && scalars.count <= 100 && scalars.first != "-"
            && scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }
        guard valid else {
            fail(node, path, expected: "an identifier (lower-case letters, digits, hyphens, dots)", found: quoted(text))
            return nil
        }
        return text
    }

    private mutating func bool(_ node: Node, path: String) -> Bool? {
        if let scalar = node.scalar, scalar.style == .plain {
            switch scalar.string {
            case "true": return true
            case "false": return false
            default: break
            }
        }
        fail(node, path, expected: "true or false", found: describe(node))
        return nil
    }

    private mutating func integer(_ node: Node, path: String, expected: String, range: ClosedRange<Int>) -> Int? {
        if let scalar = node.scalar, scalar.style == .plain, scalar.string.count <= 9,
            scalar.string.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }), let value = Int(scalar.string), range.contains(value)
        {
            return value
        }
        fail(node, path, expected: expected, found: describe(node))
        return nil
    }

    private mutating func enumeration<Value: RawRepresentable & CaseIterable>(_ node: Node, path: String, _ type: Value.Type) -> Value?
    where Value.RawValue == String {
        let names = Value.allCases.map(\.rawValue)
        guard let text = string(node, path: path, expected: "one of " + names.joined(separator: ", ")) else { return nil }
        if let value = Value(rawValue: text) { return value }
        fail(node, path, expected: "one of " + names.joined(separator: ", "), found: quoted(text), suggestion: nearestSpelling(to: text, among: names))
        return nil
    }

    private func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return isNull(scalar) ? "nothing" : quoted(scalar.string)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func position(_ node: Node) -> String {
        node.mark.map { "\($0.line):\($0.column)" } ?? "?"
    }

    private mutating func fail(_ node: Node, _ path: String, expected: String, found: String? = nil, suggestion: String? = nil) {
        errors.append(
            ProfileValidationError(
                file: file, line: node.mark?.line, column: node.mark?.column, path: path, expected: expected, found: found,
                suggestion: suggestion))
    }
}

/// A value as a message quotes it: in double quotes, with quotes, backslashes, newlines and tabs escaped.
func quoted(_ text: String) -> String {
    let escaped = text.escapingScalars { scalar in
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\t": return "\\t"
        default: return nil
        }
    }
    return "\"" + escaped + "\""
}

/// Why `text` is not a host name or Azure Firewall pattern, or nil when it is one.
/// Labels are letters, digits, hyphens and underscores (RFC 1123 plus service names);
/// a lone `*` may only be the leftmost label, a `*` inside a label matches within it;
/// placeholders may sit inside labels.
func fqdnProblem(_ text: String) -> String? {
    var stripped = text
    for (token, _) in placeholders(in: text) {
        stripped = stripped.replacingOccurrences(of: token, with: "x")
    }
    let labels = stripped.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count >= 2 else { return "at least two labels" }
    guard stripped.utf8.count <= 253 else { return "at most 253 characters" }
    for (index, label) in labels.enumerated() {
        if label == "*" {
            if index != 0 { return "\"*\" only as the leftmost label" }
            continue
        }
        guard !label.isEmpty, label.utf8.count <= 63 else { return "labels of 1-63 characters" }
        // A `*` inside a label (md-*, *eh, collector*) matches within that label (FQDNPattern).
        let valid = label.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "*"
        }
        if !valid { return "letters, digits, hyphens in labels" }
        if label.contains("**") { return "no \"**\": one \"*\" already matches any run within a label" }
    }
    return nil
}

func isServiceTagText(_ text: String) -> Bool {
    var stripped = text
    for (token, _) in placeholders(in: text) {
        stripped = stripped.replacingOccurrences(of: token, with: "X")
    }
    return !stripped.isEmpty && stripped.count <= 100
        && stripped.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-"
        }
}
