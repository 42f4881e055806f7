import Foundation
import TestSupport

/// tshark, the independent dissector the benchmark scenarios are checked against (tests that use it
/// declare `.requires(.tshark)`).
enum Tshark {
    static let path = Prerequisite.tshark.path

    struct Missing: Error, CustomStringConvertible { let description = "tshark is not installed" }

    /// Standard output of `tshark -n -r FILE …`, reassembling out-of-order segments and trying heuristic
    /// UDP dissectors first (QUIC from a client port that another dissector registered).
    static func run(_ file: String, _ arguments: [String]) throws -> String {
        guard let path else { throw Missing() }
        let arguments = ["-n", "-r", file, "-o", "tcp.reassemble_out_of_order:TRUE", "-o", "udp.try_heuristic_first:TRUE"] + arguments
        return String(decoding: try ToolOutput.run(path, arguments).stdout, as: UTF8.self)
    }

    /// One row per frame (matching `filter`), one column per field; repeated fields joined with ",".
    static func fields(_ file: String, filter: String? = nil, _ names: [String]) throws -> [[String]] {
        let arguments = (filter.map { ["-Y", $0] } ?? []) + ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
            + names.flatMap { ["-e", $0] }
        return try run(file, arguments).split(separator: "\n").map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return columns + Array(repeating: "", count: max(0, names.count - columns.count))
        }
    }

    /// Conversations `-z conv,tcp` lists (one per address/port pair).
    static func tcpConversationCount(_ file: String) throws -> Int {
        try run(file, ["-q", "-z", "conv,tcp"]).split(separator: "\n").count { $0.contains("<->") }
    }

    /// "a,b" → ["a", "b"]; "" → [].
    static func list(_ field: String) -> [String] { field.isEmpty ? [] : field.split(separator: ",").map(String.init) }
}

/// A fresh folder in the test run's temporary folder (`TestScratch`), removed by `remove()` (or with the run's folder).
struct TemporaryFolder {
    let url: URL

    init(_ prefix: String) throws {
        url = try TestScratch.directory(prefix)
    }

    func path(_ file: String) -> String { url.appendingPathComponent(file).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Records in a classic little-endian pcap, counted by walking incl_len (independent of the writer's own counter).
func countPcapRecords(_ bytes: [UInt8]) -> Int {
    var offset = 24, records = 0
    while offset + 16 <= bytes.count {
        let captured = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
        offset += 16 + captured
        guard offset <= bytes.count else { return -1 }
        records += 1
    }
    return offset == bytes.count ? records : -1
}
