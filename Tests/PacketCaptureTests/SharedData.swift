import Foundation
import TestSupport
import Testing

/// The workspace's read-only shared data (`<repo>/../shared`), absent on some
/// machines (tests declare `.requires(.shared)`), and the tools tests read it with.
enum SharedData {
    static let realCaptures = RealCaptures.folder

    struct Entry: Decodable {
        let file: String
        let packet_count: Int
        let link_types: [Int]
        let link_type_names: [String]
        let file_format: String
        let byte_order: String?
        let tcp_dst_ports: [Int]
        let truncated_frames: Int?
    }

    static func manifest() throws -> [Entry] {
        struct M: Decodable { let captures: [Entry] }
        let data = try Data(contentsOf: realCaptures.appendingPathComponent("manifest.json"))
        let captures = try JSONDecoder().decode(M.self, from: data).captures
        try RealCaptures.requireFullManifest(captures.count)
        return captures
    }

    /// A tool for an optional cross-check inside a test: its path, or nil after
    /// saying it was left out (a failure where CI requires the tool).
    static func crossCheckTool(_ tool: Prerequisite, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        tool.check(what, sourceLocation: sourceLocation) ? tool.path : nil
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, stdout: Data) {
        try ToolOutput.run(tool, args)
    }

    static func temporaryDirectory() throws -> URL {
        try TestScratch.directory("egress-audit-tests")
    }
}

extension SharedData {
    /// Writes `bytes` as the file `name` in `dir` and returns its path.
    static func write(_ name: String, _ bytes: [UInt8], in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
