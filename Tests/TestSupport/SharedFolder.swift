import Foundation

/// The workspace's read-only `shared/` folder beside this repository (seed
/// documents, real captures, cloud IP-range files). It is absent on some
/// machines: every test that reads it declares `.requires(.shared)`, so it is
/// skipped there and fails where CI requires the folder (see `Prerequisite`).
public enum SharedFolder {
    public static let root = RealCaptures.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// `shared/data/<relative>`, or nil when that file is absent.
    public static func dataFile(_ relative: String) -> String? {
        let path = root.appendingPathComponent("data").appendingPathComponent(relative).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Microsoft's Azure Public service tag file the tests use.
    public static let azurePublicServiceTagsName = "ServiceTags_Public_20251109.json"
    public static let azurePublicServiceTags = root.appendingPathComponent("data/azure/\(azurePublicServiceTagsName)").path
    /// Present, or required by CI (then the test runs and fails on the missing file).
    public static var azurePublicServiceTagsAvailable: Bool { Prerequisite.shared.isAvailable }
}
