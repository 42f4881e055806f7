import EgressAudit
import EgressLogs
import FlowEngine
import PacketCapture

/// Logs as sources: Azure Firewall's records and VNet/NSG flow logs enter the
/// run as flows that left a tracker, after tracking (ARCHITECTURE: "logs enter
/// as flows"): the same `consume` a capture's flows take, so the same audit,
/// flow listing and flow log see them, with names interned in the tracker's table.
extension CapturePipeline {
    /// Reads the log at `path` (`analyze` reads its captures through one
    /// `CaptureFileSource`, then its logs through here; `SourceSniffer.partition`
    /// tells them apart): each record through `LogSourceReader`, into the same
    /// audit. A capture named here is read the way `read(path:)` reads it.
    public mutating func read(log path: String, as format: SourceFormat) {
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
