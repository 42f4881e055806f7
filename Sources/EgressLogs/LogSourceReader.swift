import EgressPolicy
import Foundation

/// What was read from one log file: records, the flows and DNS queries they
/// gave, and the records that did not parse, each with its line.
public struct LogFileResult: Sendable, Equatable {
    public var path: String
    public var format: SourceFormat
    /// "json" or "csv".
    public var container = "json"
    public var gzip = false
    public var records = 0
    public var flows = 0
    public var dnsQueries = 0
    /// Records of categories or protocols the audit does not use (NAT rules, ICMP…), by what they were.
    public var skipped: [String: Int] = [:]
    /// Records (or flow tuples) that did not parse.
    public var rejected = 0
    /// The first `rejectionSample` of them: "FILE:LINE: expected …".
    public var rejections: [String] = []
    public var first: Int64?
    public var last: Int64?
    /// Set when the file could not be read at all.
    public var error: String?

    public static let rejectionSample = 20

    public init(path: String, format: SourceFormat) {
        self.path = path
        self.format = format
    }

    mutating func reject(line: Int, column: Int? = nil, _ expected: String) {
        rejected += 1
        if rejections.count < Self.rejectionSample {
            rejections.append("\(path):\(line)\(column.map { ":\($0)" } ?? ""): expected \(expected)")
        }
    }

    mutating func saw(_ time: Int64) {
        first = Swift.min(first ?? time, time)
        last = Swift.max(last ?? time, time)
    }
}

/// Reads a log file (gzip or not, chosen by its magic) of the given format and
/// hands each flow and DNS query on. Never throws: an unreadable file is the
/// result's `error`, a record that does not parse is counted and sampled with
/// its line, and everything else is still read.
public enum LogSourceReader {
    public static func read(path: String, format: SourceFormat, flow: (LoggedFlow) -> Void, dns: (LoggedDNSQuery) -> Void) -> LogFileResult {
        var result = LogFileResult(path: path, format: format)
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try ServiceTagSources.read(path))
        } catch {
            result.error = "cannot be read: expected \(error.expected), found \(error.found)"
            return result
        }
        result.gzip = SourceSniffer.isGzip(path)
        read(bytes: bytes, into: &result, flow: flow, dns: dns)
        return result
    }

    /// The same, over bytes already in memory (tests, fuzzing).
    public static func read(bytes: [UInt8], into result: inout LogFileResult, flow: (LoggedFlow) -> Void, dns: (LoggedDNSQuery) -> Void) {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        let json = start < bytes.count && (bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "["))
        result.container = json ? "json" : "csv"
        var flowLog = NetworkFlowLog()
        let format = result.format
        func item(_ i: LogRecordStream.Item) {
            switch i {
            case .malformed(let line, let column, let expected):
                result.records += 1
                result.reject(line: line, column: column, expected)
            case .record(let record):
                result.records += 1
                switch format {
                case .azureFirewall:
                    do {
                        switch try AzureFirewallLog.interpret(record) {
                        case .flow(let f):
                            result.flows += 1; result.saw(f.time); flow(f)
                        case .dns(let q):
                            result.dnsQueries += 1; result.saw(q.time); dns(q)
                        case .skipped(let what):
                            result.skipped[what, default: 0] += 1
                        }
                    } catch {
                        result.reject(line: error.line, error.expected)
                    }
                case .flowLog:
                    flowLog.read(record, emit: { f in result.flows += 1; result.saw(f.time); result.saw(f.lastTime); flow(f) },
                                 reject: { e in result.reject(line: e.line, e.expected) },
                                 skip: { what in result.skipped[what, default: 0] += 1 })
                case .capture:
                    break
                }
            }
        }
        if json { LogRecordStream.jsonRecords(bytes, item) } else { LogRecordStream.csvRecords(bytes, item) }
        flowLog.flushAll { f in result.flows += 1; result.saw(f.time); result.saw(f.lastTime); flow(f) }
    }
}
