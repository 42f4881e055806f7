import Foundation

/// The workspace's real public captures (`<repo>/../shared/captures/real`,
/// read-only) with tshark's ground truth in `manifest.json`, and tshark itself
/// for extracting fields. Both may be absent: tests declare them,
/// `@Test(.requires(.shared, .tshark))`, and are skipped, or fail where CI
/// requires them (see `Prerequisite`).
public enum RealCaptures {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let folder = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/real")
    /// tshark as PATH finds it (so a run with it off PATH shows what needs it).
    public static let tshark = Prerequisite.tshark.path

    /// The captures are here, or CI requires them (then the test runs and fails on the missing file).
    public static var available: Bool { Prerequisite.shared.isAvailable }
    public static var availableWithTshark: Bool { available && Prerequisite.tshark.isAvailable }

    /// Entries in `manifest.json` today. Every loop over the manifest reads at
    /// least this many, so an emptied or truncated manifest cannot pass as "all agree".
    public static let manifestEntryCount = 28

    /// Throws unless `count` manifest entries are at least `manifestEntryCount`.
    public static func requireFullManifest(_ count: Int) throws {
        guard count >= manifestEntryCount else {
            throw Missing(description: "manifest.json lists \(count) captures, expected at least \(manifestEntryCount)")
        }
    }

    public static func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    /// The manifest's per-capture entries as JSON objects (at least `manifestEntryCount`).
    public static func manifest() throws -> [[String: Any]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let captures = root["captures"] as? [[String: Any]] else {
            throw Missing(description: "manifest.json has no \"captures\" list")
        }
        try requireFullManifest(captures.count)
        return captures
    }

    /// Tab-separated field rows of `tshark -n -r FILE -Y FILTER -T fields -e …`.
    /// With `allOccurrences`, repeated fields are joined with ",".
    public static func fields(_ file: String, filter: String, _ names: [String], allOccurrences: Bool = false) throws -> [[String]] {
        guard let tshark else { throw Missing(description: "tshark is not installed") }
        let data = try ToolOutput.run(tshark, ["-n", "-r", path(file), "-Y", filter, "-T", "fields",
                                               "-E", allOccurrences ? "occurrence=a" : "occurrence=f", "-E", "aggregator=,"]
                                          + names.flatMap { ["-e", $0] }).stdout
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
