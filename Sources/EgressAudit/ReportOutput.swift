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
        var writer = JSONTextWriter(reservingCapacity: 4096 + 640 * (report.allowed.count + report.undocumented.count + report.wrongPort.count))
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

    /// Writes `text` to `path` through a temporary file in the same folder and a rename.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// As `writeAtomically(_:to:)`, for bytes.
    public static func writeAtomically(bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// `analyze`'s JSON document (schema version 1: Schemas/analyze-report.schema.json).
public struct AnalysisDocument: Codable, Sendable {
    public var schemaVersion = 1
    public var tool = "egress-audit"
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
