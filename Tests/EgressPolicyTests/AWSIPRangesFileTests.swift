import Foundation
import PacketWire
import TestSupport
import Testing
@testable import EgressPolicy

@Suite struct AWSIPRangesFileTests {
    @Test func groupsPrefixesByServiceAndByServiceAndRegion() throws {
        let json = """
        {"syncToken": "1787411825", "createDate": "2026-08-22-15-17-05",
         "prefixes": [
           {"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2", "service": "AMAZON", "network_border_group": "ap-northeast-2"},
           {"ip_prefix": "16.15.156.0/22", "region": "us-east-1", "service": "S3", "network_border_group": "us-east-1"},
           {"ip_prefix": "16.15.156.0/22", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"}],
         "ipv6_prefixes": [
           {"ipv6_prefix": "2406:daba:f000::/40", "region": "ap-southeast-4", "service": "AMAZON", "network_border_group": "ap-southeast-4"}]}
        """
        let file = try AWSIPRangesFile(data: Data(json.utf8), source: "ip-ranges.json")
        #expect(file.syncToken == "1787411825")
        #expect(file.createDate == "2026-08-22-15-17-05")
        let byName = Dictionary(uniqueKeysWithValues: file.tags.map { ($0.name, $0.prefixes.map(\.description)) })
        #expect(byName["AWS.AMAZON"] == ["3.5.140.0/22", "16.15.156.0/22", "2406:daba:f000::/40"])
        #expect(byName["AWS.AMAZON.ap-northeast-2"] == ["3.5.140.0/22"])
        #expect(byName["AWS.S3"] == ["16.15.156.0/22"])
        #expect(byName["AWS.S3.us-east-1"] == ["16.15.156.0/22"])
        #expect(byName["AWS.AMAZON.ap-southeast-4"] == ["2406:daba:f000::/40"])
        #expect(file.tags.count == 6)

        let catalog = ServiceTagCatalog(tags: file.tags, sources: [file.source])
        #expect(try catalog.regionalTag("aws.s3", region: "US-EAST-1").get().name == "AWS.S3.us-east-1")
        let names = Set(catalog.tags(containing: try #require(IPAddress("16.15.157.1"))))
        #expect(names == ["AWS.AMAZON", "AWS.AMAZON.us-east-1", "AWS.S3", "AWS.S3.us-east-1", "Internet"])
    }

    @Test func errorsNameTheRecord() {
        #expect(throws: PolicyLoadError(file: "ip.json", path: "ipv6_prefixes[0].ipv6_prefix", expected: "a member \"ipv6_prefix\"", found: "none")) {
            try AWSIPRangesFile(data: Data(#"{"prefixes": [], "ipv6_prefixes": [{"ip_prefix": "::/0", "region": "x", "service": "y"}]}"#.utf8), source: "ip.json")
        }
        #expect(throws: PolicyLoadError(file: "ip.json", path: "prefixes[0].service", expected: "a string", found: "null")) {
            try AWSIPRangesFile(data: Data(#"{"prefixes": [{"ip_prefix": "1.0.0.0/8", "region": "x", "service": null}]}"#.utf8), source: "ip.json")
        }
    }

    /// Counts from the file by a separate reader (Python's json module, 2026-11-24).
    @Test(.requires(.shared))
    func realFile() throws {
        let file = try AWSIPRangesFile(contentsOf: try #require(SharedRangeData.file("aws/ip-ranges.json")))
        let tags = Dictionary(uniqueKeysWithValues: file.tags.map { ($0.name, $0) })
        #expect(tags["AWS.S3.us-east-1"]?.prefixes.filter(\.isIPv4).count == 21)
        #expect(tags["AWS.AMAZON"]?.prefixes.filter(\.isIPv4).count == 6084)
        #expect(tags["AWS.AMAZON"]?.prefixes.filter { !$0.isIPv4 }.count == 2901)
        #expect(file.tags.filter { $0.name.split(separator: ".").count == 2 }.reduce(0) { $0 + $1.prefixes.count } == 10668 + 6160)
    }
}
