import Foundation
import TestSupport
import Testing

/// `egress-audit service-tags`: what an init container runs before the
/// capture starts (check the file, say its age, copy it into the shared volume).
@Suite struct ServiceTagsCommandTests {
    static let azure = #"{"changeNumber": 7, "cloud": "Public", "values": [{"name": "AzureCloud", "id": "AzureCloud", "properties": {"addressPrefixes": ["20.0.0.0/11", "2603:1000::/24"]}}]}"#

    @Test func aFileIsCheckedDatedAndCopiedWithItsModificationTime() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Dated 2020: far past the 14 days, so it is warned about, and still used.
        let source = dir.appendingPathComponent("ServiceTags_Public_20200105.json").path
        try Self.azure.write(toFile: source, atomically: true, encoding: .utf8)
        let modified = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: source)
        let target = dir.appendingPathComponent("shared-volume-ServiceTags_Public.json").path
        let r = try CLI.run(["service-tags", source, "--copy-to", target])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("\(source): Azure Public, changeNumber 7, 1 tags, 2 prefixes, ") == true, "\(r.stdout)")
        #expect(lines.first?.hasSuffix(" days old (by the date in its name, 2020-01-05)") == true, "\(r.stdout)")
        #expect(lines.last == "copied to \(target)")
        #expect(r.stderr.hasPrefix("egress-audit: warning: \(source) is ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(Self.azure.utf8))
        let copied = try FileManager.default.attributesOfItem(atPath: target)[.modificationDate] as? Date
        #expect(copied.map { abs($0.timeIntervalSince(modified)) < 1 } == true, "mtime kept: \(String(describing: copied))")
        // The copy is dated by its modification time now (its name has no date): stale too, as the live run will say.
        let again = try CLI.run(["service-tags", target])
        #expect(again.stdout.contains("days old (by its modification time)"), "\(again.stdout)")
    }

    @Test func aFileThatDoesNotLoadIsOneLineAndExitOneAndNothingIsCopied() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("tags.json").path
        try #"{"items": []}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        let target = dir.appendingPathComponent("copy.json").path
        let r = try CLI.run(["service-tags", bad, "--copy-to", target])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("egress-audit: \(bad): (top level): expected an Azure Service Tags file"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
