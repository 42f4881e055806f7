import EgressPolicy
import Foundation
import TestSupport
import Testing

/// Which parser a tag file gets, from its top-level keys, and the errors for files that are none of them.
@Suite struct ServiceTagSourcesTests {
    static let shared = SharedFolder.root.appendingPathComponent("data")
    static func path(_ relative: String) -> String { shared.appendingPathComponent(relative).path }

    @Test func kindComesFromTheTopLevelKeys() throws {
        #expect(try ServiceTagSources.document(Data(#"{"changeNumber": 1, "values": []}"#.utf8), file: "a.json").kind == .azure)
        #expect(try ServiceTagSources.document(Data(#"{"syncToken": "1", "prefixes": [], "ipv6_prefixes": []}"#.utf8), file: "b.json").kind == .aws)
        #expect(try ServiceTagSources.document(Data(#"{"syncToken": "1", "prefixes": []}"#.utf8), file: "c.json").kind == .gcp)
    }

    @Test func otherFilesAreErrorsNamingTheFile() {
        #expect(throws: PolicyLoadError.self) { try ServiceTagSources.document(Data("not json".utf8), file: "x.json").kind }
        do {
            _ = try ServiceTagSources.document(Data(#"{"items": []}"#.utf8), file: "/tmp/x.json").kind
            Issue.record("a JSON object without values/prefixes was accepted")
        } catch {
            #expect(error.file == "/tmp/x.json")
            #expect(error.found == "none of those keys")
        }
        do {
            _ = try ServiceTagSources.catalog(files: ["/nonexistent/tags.json"])
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.file == "/nonexistent/tags.json")
        }
    }

    @Test(.requires(.shared))
    func realFilesOfAllThreeKindsMakeOneCatalog() throws {
        let files = ["azure/ServiceTags_Public_20251109.json", "aws/ip-ranges.json", "gcp/cloud.json"].map(Self.path)
        let catalog = try ServiceTagSources.catalog(files: files)
        #expect(catalog.sources == files)
        #expect(catalog.tag(named: "Storage.WestUS") != nil)
        #expect(catalog.tag(named: "AWS.S3") != nil)
        #expect(catalog.tag(named: "GCP") != nil)
        // Special tags are always there.
        #expect(catalog.tag(named: "AzureLoadBalancer")?.prefixes.map(\.description) == ["168.63.129.16/32"])
    }
}
