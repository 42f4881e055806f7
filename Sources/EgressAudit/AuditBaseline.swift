import EgressPolicy
import Foundation
import Yams

/// What a CI run already knows about (`--baseline FILE`): a previous JSON
/// report (its findings are known), or a waivers file (YAML: which finding,
/// why, until when). Findings it covers are marked `known` in the report and
/// do not trip `--fail-on`; new ones do; a waiver past its expiry covers
/// nothing and the report warns about it.
///
/// Waivers file:
/// ```yaml
/// waivers:
///   - kind: undocumented            # a finding kind, or a --fail-on word (blocked, missing, …)
///     destination: api.github.com   # the finding's destination (name or address), or
///     rule: sql                     # the rule it concerns; at least one of the two
///     port: 443                     # optional
///     reason: CI pulls actions from GitHub (OPS-123)
///     expires: 2027-01-31           # the last day it covers (UTC)
/// ```
public struct AuditBaseline: Sendable {
    public struct Waiver: Sendable, Equatable {
        public var kind: AuditReport.Severity
        public var destination: String?
        public var rule: String?
        public var port: Int?
        public var reason: String
        /// YYYY-MM-DD, the last day covered.
        public var expires: String
        /// Where it was written, for messages (`waivers.yaml:12`).
        public var location: String
    }

    public enum Source: Sendable {
        case report(path: String, findings: [AuditReport.Finding])
        case waivers(path: String, [Waiver])
    }

    public let source: Source

    public init(_ source: Source) {
        self.source = source
    }

    /// What the baseline did to a report.
    public struct Outcome: Sendable, Equatable {
        public var known: Int
        public var new: Int
        /// Waivers past their date (they covered nothing).
        public var expired: [String]
    }

    /// Reads a JSON report (as `merge` does) or a waivers YAML file; errors are one line with file:line:column.
    public static func load(path: String) throws(ProfileValidationErrors) -> AuditBaseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProfileValidationErrors([ProfileValidationError(file: path, path: "", expected: "a readable baseline file (a JSON report or a waivers YAML file)",
                                                                  found: FileManager.default.fileExists(atPath: path) ? "an unreadable file" : "no such file")])
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).first == "{" {
            do {
                return AuditBaseline(.report(path: path, findings: try AuditReportFile.read(path).findings))
            } catch {
                throw ProfileValidationErrors([ProfileValidationError(file: path, path: "", expected: "an audit report (--json) or a waivers file", found: error.description)])
            }
        }
        return AuditBaseline(.waivers(path: path, try parseWaivers(text, file: path)))
    }

    /// Marks the report's findings that the baseline covers as `known`, and
    /// adds a warning per expired waiver. `today` is YYYY-MM-DD (UTC), injectable for tests.
    public func apply(to report: inout AuditReport, today: String) -> Outcome {
        var outcome = Outcome(known: 0, new: 0, expired: [])
        switch source {
        case .report(let path, let old):
            let name = (path as NSString).lastPathComponent
            for i in report.findings.indices {
                let f = report.findings[i]
                if old.contains(where: { $0.kind == f.kind && $0.destination == f.destination && $0.rule == f.rule && $0.port == f.port }) {
                    report.findings[i].known = "in baseline report \(name)"
                    outcome.known += 1
                } else {
                    outcome.new += 1
                }
            }
        case .waivers(_, let waivers):
            let live = waivers.filter { $0.expires >= today }
            for w in waivers where w.expires < today {
                let what = [w.destination, w.rule.map { "rule \($0)" }].compactMap { $0 }.joined(separator: ", ")
                let line = "waiver \(w.location) (\(w.kind.rawValue) \(what)) expired \(w.expires): it covers nothing"
                outcome.expired.append(line)
                report.warnings.append(line)
            }
            for i in report.findings.indices {
                if let w = live.first(where: { Self.covers($0, report.findings[i]) }) {
                    report.findings[i].known = "waived until \(w.expires): \(w.reason)"
                    outcome.known += 1
                } else {
                    outcome.new += 1
                }
            }
        }
        return outcome
    }

    static func covers(_ w: Waiver, _ f: AuditReport.Finding) -> Bool {
        guard w.kind == f.kind else { return false }
        if let rule = w.rule, rule != f.rule { return false }
        if let wanted = w.destination?.lowercased() {
            guard let d = f.destination?.lowercased(), d == wanted || d.hasPrefix(wanted + ":") else { return false }
        }
        if let port = w.port {
            let d = f.destination ?? ""
            guard f.port == port || d.hasSuffix(":\(port)") else { return false }
        }
        return true
    }

    /// Today's date, UTC, YYYY-MM-DD.
    public static func today(_ now: Date = Date()) -> String {
        String(RFC3339.format(nanoseconds: Int64(now.timeIntervalSince1970 * 1e9)).prefix(10))
    }

    // MARK: Waivers file

    static let kindWords: [String: AuditReport.Severity] = {
        var words: [String: AuditReport.Severity] = ["blocked": .blockedRequired, "missing": .requiredNotSeen]
        for s in AuditReport.Severity.allCases { words[s.rawValue] = s }
        return words
    }()

    static func parseWaivers(_ text: String, file: String) throws(ProfileValidationErrors) -> [Waiver] {
        var errors: [ProfileValidationError] = []
        func fail(_ node: Node?, _ path: String, _ expected: String, _ found: String? = nil) {
            errors.append(ProfileValidationError(file: file, line: node?.mark?.line, column: node?.mark?.column, path: path, expected: expected, found: found))
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ProfileValidationErrors([ProfileValidationError(file: file, path: "", expected: "well-formed YAML (a waivers file) or a JSON report",
                                                                  found: "\(error)".split(separator: "\n").first.map(String.init))])
        }
        guard let mapping = root?.mapping, let list = mapping["waivers"] else {
            throw ProfileValidationErrors([ProfileValidationError(file: file, line: root?.mark?.line, column: root?.mark?.column, path: "",
                                                                  expected: "a mapping with a `waivers` list", found: root == nil ? "an empty document" : nil)])
        }
        for key in mapping.keys where key.string != "waivers" { fail(key, key.string ?? "?", "only the key `waivers`", "unknown key") }
        guard let items = list.sequence else { throw ProfileValidationErrors([ProfileValidationError(file: file, line: list.mark?.line, column: list.mark?.column, path: "waivers", expected: "a list of waivers")]) }
        var waivers: [Waiver] = []
        let known: Set<String> = ["kind", "destination", "rule", "port", "reason", "expires"]
        for (i, item) in items.enumerated() {
            let path = "waivers[\(i)]"
            guard let m = item.mapping else { fail(item, path, "a mapping (kind, destination or rule, reason, expires)"); continue }
            for key in m.keys where !known.contains(key.string ?? "") {
                fail(key, path + "." + (key.string ?? "?"), "one of " + known.sorted().joined(separator: ", "), "unknown key")
            }
            let kindText = m["kind"]?.string
            let kind = kindText.flatMap { kindWords[$0] }
            if kind == nil {
                fail(m["kind"] ?? item, path + ".kind", "a finding kind (" + AuditReport.Severity.allCases.map(\.rawValue).joined(separator: ", ") + ", or blocked, missing)",
                     kindText.map { "\"\($0)\"" } ?? "nothing")
            }
            let destination = m["destination"]?.string, rule = m["rule"]?.string
            if destination == nil && rule == nil { fail(item, path, "a destination or a rule the waiver covers") }
            var port: Int?
            if let p = m["port"] {
                port = p.int
                if port == nil || !(0 ... 65535).contains(port!) { fail(p, path + ".port", "a port 0-65535", p.string.map { "\"\($0)\"" }) }
            }
            let reason = m["reason"]?.string ?? ""
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { fail(m["reason"] ?? item, path + ".reason", "why the finding is accepted") }
            let expiresText = m["expires"]?.string ?? ""
            let valid = expiresText.range(of: #"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"#, options: .regularExpression) != nil
            if !valid { fail(m["expires"] ?? item, path + ".expires", "a date YYYY-MM-DD (the last day it covers)", m["expires"] == nil ? "nothing" : "\"\(expiresText)\"") }
            if let kind, valid, destination != nil || rule != nil, !reason.isEmpty {
                waivers.append(Waiver(kind: kind, destination: destination, rule: rule, port: port, reason: reason, expires: expiresText,
                                      location: "\((file as NSString).lastPathComponent):\(item.mark?.line ?? 0)"))
            }
        }
        guard errors.isEmpty else { throw ProfileValidationErrors(errors) }
        return waivers
    }
}
