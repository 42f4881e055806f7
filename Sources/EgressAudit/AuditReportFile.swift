import Foundation

/// Reads a JSON audit report back (for `merge`), failing in one line that
/// says which file, where, and what was expected.
public enum AuditReportFile {
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Header: Decodable {
        var schemaVersion: Int?
        var tool: String?
        var verdict: String?
    }

    public static func read(_ path: String) throws(ReadError) -> AuditReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ReadError(description: "\(path): no such file") }
        guard !isDirectory.boolValue else { throw ReadError(description: "\(path): is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "\(path): cannot be read (permission denied?)")
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
            throw ReadError(description: "\(path): not a JSON document\(syntaxDetail(error)); expected a report written by --json")
        }
        guard header.tool == "egress-audit", header.verdict != nil else {
            throw ReadError(description: "\(path): not an egress-audit audit report (expected \"tool\": \"egress-audit\" and a \"verdict\": a report of analyze or live with --profile and --json)")
        }
        guard header.schemaVersion == 3 else {
            throw ReadError(description: "\(path): audit report schema version \(header.schemaVersion.map(String.init) ?? "missing"), expected 3: re-run the audit with this version of egress-audit")
        }
        do {
            return try JSONDecoder().decode(AuditReport.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ReadError(description: "\(path): \(pathText(context.codingPath + [key])): missing; expected an audit report of schema version 3")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ReadError(description: "\(path): \(pathText(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw ReadError(description: "\(path): \(pathText(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw ReadError(description: "\(path): \(error)")
        }
    }

    private static func pathText(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "(top level)" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }

    /// What Foundation says of a syntax error ("… around line 3, column 5"), in parentheses.
    private static func syntaxDetail(_ error: Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "" }
        let underlying = context.underlyingError.map { "\($0)" } ?? context.debugDescription
        return " (\(underlying.split(separator: "\n").first ?? ""))"
    }
}
