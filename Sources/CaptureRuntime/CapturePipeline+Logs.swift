import EgressAudit
import EgressLogs
import FlowEngine
import PacketCapture

/// Logs as sources: Azure Firewall's records and VNet/NSG flow logs enter the
/// run as flows that left a tracker, after tracking (ARCHITECTURE: "logs enter
/// as flows"): the same `consume` a capture's flows take, so the same audit,
/// flow listing and flow log see them, with names interned in the tracker's table.
extension CapturePipeline {
    /// Reads every file in turn as the evidence it holds: each file's kind
    /// from its first bytes (`SourceSniffer`; pipes and standard input are
    /// captures) unless `format` says it for all. Consecutive captures go
    /// through one `CaptureFileSource`, logs through `LogSourceReader`. The
    /// one place `analyze` chooses a reader.
    public mutating func readToEnd(evidence paths: [String], format: SourceFormat? = nil) {
        let formats = paths.map { format ?? SourceSniffer.sniff(path: $0) }
        var i = 0
        while i < paths.count {
            guard formats[i] == .capture else {
                read(path: paths[i], as: formats[i])
                i += 1
                continue
            }
            var end = i
            while end < paths.count, formats[end] == .capture { end += 1 }
            readToEnd(CaptureFileSource(paths: Array(paths[i..<end])))
            i = end
        }
    }

    /// Reads `path` as the evidence `format` names: a capture the way
    /// `read(path:)` does, a log through `LogSourceReader`.
    public mutating func read(path: String, as format: SourceFormat) {
        guard format != .capture else { return read(path: path) }
        let result = LogSourceReader.read(path: path, format: format, flow: { logged in
            consume(logged.record(names: &tracker.names))
        }, dns: { query in
            if let o = query.observation(names: &tracker.names) { tracker.record(loggedDNS: o) }
        })
        if let error = result.error { errors.append(CaptureError(source: path, problem: .unreadable(error))) }
        files.append(FileSummary(log: result))
    }
}

extension FileSummary {
    /// A log file as a source of the report.
    init(log r: LogFileResult) {
        self.init(path: r.path, format: r.format.rawValue, gzip: r.gzip, packets: 0, bytes: 0, error: r.error)
        records = r.records
        rejectedRecords = r.rejected
        skippedRecords = r.skipped.values.reduce(0, +)
        rejections = r.rejections.isEmpty ? nil : r.rejections
        firstPacket = r.first.map { RFC3339.format(nanoseconds: $0) }
        lastPacket = r.last.map { RFC3339.format(nanoseconds: $0) }
    }
}
