import EgressPolicy
import Foundation

/// Writes reports: JSON with stable key order (two reports diff cleanly), and
/// files replaced atomically (a reader never sees half a report).
public enum ReportOutput {
    public static func json<T: Encodable>(_ value: T) throws -> String {
        try encoderJSON(value)
    }

    /// An audit report, by its hand-written writer: the same text as `encoderJSON`, faster.
    public static func json(_ report: AuditReport) throws -> String {
        String(decoding: try jsonBytes(report), as: UTF8.self)
    }

    /// The same text as UTF-8 bytes, for writing out without a `String` in between.
    public static func jsonBytes(_ report: AuditReport) throws -> [UInt8] {
        var writer = JSONTextWriter(reservingCapacity: 4096 + 1024 * (report.allowed.count + report.undocumented.count + report.wrongPort.count))
        try report.writeJSON(to: &writer)
        writer.newline()
        return writer.bytes
    }

    /// Any report through Foundation's JSONEncoder: the reference layout.
    public static func encoderJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// A report that could not be written: one line naming the file, why, and what to do.
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `text` to `path` through a temporary file in the same folder and a rename.
    public static func writeAtomically(_ text: String, to path: String) throws(WriteError) {
        try writeAtomically(data: Data(text.utf8), to: path)
    }

    /// As `writeAtomically(_:to:)`, for bytes.
    public static func writeAtomically(bytes: [UInt8], to path: String) throws(WriteError) {
        try writeAtomically(data: Data(bytes), to: path)
    }

    private static func writeAtomically(data: Data, to path: String) throws(WriteError) {
        if let problem = FileProblem.writing(path) { throw WriteError(description: "\(path): cannot write the report: \(problem)") }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw WriteError(description: "\(path): cannot write the report: \(FileProblem.describe(error, path: path, writing: true))")
        }
    }
}

/// `analyze`'s JSON document (schema version 1: Schemas/analyze-report.schema.json).
public struct AnalysisDocument: Codable, Sendable {
    public var schemaVersion = 1
    public var tool = "egress-audit"
    /// `egress-audit --version` of the writer.
    public var toolVersion: String? = ToolVersion.current
    public var summary: CaptureSummary
    public var files: [FileSummary]
    public var errors: [String]
    /// With `--flows`: every flow, and every distinct DNS answer.
    public var flows: [FlowEntry]?
    public var dns: [DNSEntry]?

    public init(summary: CaptureSummary, files: [FileSummary], errors: [String], flows: [FlowEntry]? = nil, dns: [DNSEntry]? = nil) {
        self.summary = summary
        self.files = files
        self.errors = errors
        self.flows = flows
        self.dns = dns
    }
}
