import Foundation
import PacketWire
import TestSupport
import Testing
@testable import EgressPolicy

@Suite struct GCPRangesFileTests {
    @Test func acceptsAllThreePrefixKeysAndNamesTagsByScope() throws {
        let json = """
        {"syncToken": "1753409788780", "creationTime": "2025-07-24T19:16:28.780563",
         "prefixes": [
           {"ipv4Prefix": "34.1.208.0/20", "service": "Google Cloud", "scope": "africa-south1"},
           {"ipv6Prefix": "2600:1900:8000::/44", "service": "Google Cloud", "scope": "africa-south1"},
           {"ipPrefix": "34.80.0.0/15", "scope": "asia-east1", "service": "Google Cloud"},
           {"ipPrefix": "8.8.4.0/24"}]}
        """
        let file = try GCPRangesFile(data: Data(json.utf8), source: "cloud.json")
        #expect(file.syncToken == "1753409788780")
        let byName = Dictionary(uniqueKeysWithValues: file.tags.map { ($0.name, $0.prefixes.map(\.description)) })
        #expect(byName["GCP"] == ["34.1.208.0/20", "2600:1900:8000::/44", "34.80.0.0/15", "8.8.4.0/24"])
        #expect(byName["GCP.africa-south1"] == ["34.1.208.0/20", "2600:1900:8000::/44"])
        #expect(byName["GCP.asia-east1"] == ["34.80.0.0/15"])
        #expect(file.tags.count == 3)
        let google = try GCPRangesFile(data: Data(#"{"prefixes": [{"ipPrefix": "8.8.4.0/24"}]}"#.utf8), source: "goog.json", baseTag: "Google")
        #expect(google.tags.map(\.name) == ["Google"])
    }

    @Test func recordWithoutAPrefixIsNamed() {
        #expect(throws: PolicyLoadError(file: "cloud.json", path: "prefixes[1]", expected: "an object with \"ipv4Prefix\", \"ipv6Prefix\" or \"ipPrefix\"", found: "an object")) {
            try GCPRangesFile(data: Data(#"{"prefixes": [{"ipPrefix": "1.0.0.0/8"}, {"scope": "x"}]}"#.utf8), source: "cloud.json")
        }
        #expect(throws: PolicyLoadError(file: "cloud.json", path: "prefixes[0].ipv4Prefix", expected: "a CIDR like 10.0.0.0/8 or 2001:db8::/32",
                                        found: "\"34.1.208.0\" (no prefix length)")) {
            try GCPRangesFile(data: Data(#"{"prefixes": [{"ipv4Prefix": "34.1.208.0"}]}"#.utf8), source: "cloud.json")
        }
        #expect(throws: PolicyLoadError(file: "cloud.json", path: "prefixes[0].ipv6Prefix", expected: "a CIDR like 10.0.0.0/8 or 2001:db8::/32",
                                        found: "\"2600:1900::/129\" (\"2600:1900::/129\" has a prefix length beyond the family's (max 32 for IPv4, 128 for IPv6))")) {
            try GCPRangesFile(data: Data(#"{"prefixes": [{"ipv6Prefix": "2600:1900::/129"}]}"#.utf8), source: "cloud.json")
        }
    }

    /// Counts from the files by a separate reader (Python's json module, 2026-11-24).
    @Test(.requires(.shared))
    func realFilesInBothFormats() throws {
        let mirrored = try GCPRangesFile(contentsOf: try #require(SharedRangeData.file("gcp/cloud.json")))
        #expect(mirrored.tags.first { $0.name == "GCP" }?.prefixes.count == 1094)
        #expect(mirrored.tags.first { $0.name == "GCP.us-central1" }?.prefixes.count == 109)
        let upstream = try GCPRangesFile(contentsOf: try #require(SharedRangeData.file("gcp/cloud_upstream-format_20250724.json")))
        #expect(upstream.syncToken == "1753409788780")
        #expect(upstream.tags.first { $0.name == "GCP" }?.prefixes.count == 782)
        #expect(upstream.tags.first { $0.name == "GCP.us-central1" }?.prefixes.count == 88)
        let goog = try GCPRangesFile(contentsOf: try #require(SharedRangeData.file("gcp/goog.json")), baseTag: "Google")
        #expect(goog.tags.map(\.name) == ["Google"])
        #expect(goog.tags.first?.prefixes.count == 114)
    }
}
