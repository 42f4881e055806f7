import EgressPolicy
import Foundation
import TestSupport
import Testing

/// Tag files as a pod gets them: gzip-compressed (the 4.2 MB Azure file is too
/// big for a ConfigMap), and dated, so a stale one is warned about.
@Suite struct ServiceTagFileGzipAgeTests {
    static let azure = """
        {"changeNumber": 7, "cloud": "Public", "values": [
          {"name": "Storage.WestUS", "id": "Storage.WestUS", "properties": {"changeNumber": 1, "region": "westus",
            "systemService": "AzureStorage", "addressPrefixes": ["13.88.144.240/28", "2603:1030:a::/48"], "networkFeatures": null}},
          {"name": "AzureCloud", "id": "AzureCloud", "properties": {"addressPrefixes": ["20.0.0.0/11"]}}]}
        """

    static func folder() throws -> URL {
        try TestScratch.directory("egress-tags")
    }

    static func utc(_ y: Int, _ m: Int, _ d: Int) -> Date {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour) = (y, m, d, 12)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)!
    }

    @Test(.requires(.gzip))
    func aGzipFileLoadsAsTheSameTagsAsThePlainOne() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("ServiceTags_Public_20261130.json")
        try Self.azure.write(to: plain, atomically: true, encoding: .utf8)
        // gzip itself compresses (-k keeps the plain file): an independent writer of the format.
        try #require(try ToolOutput.run(try #require(Prerequisite.gzip.path), ["-k", plain.path]).status == 0)
        let compressed = plain.path + ".gz"
        #expect(try Data(contentsOf: URL(fileURLWithPath: compressed)).prefix(2) == Data([0x1f, 0x8b]))
        let fromPlain = try ServiceTagSources.catalog(files: [plain.path]).tags
        let fromGzip = try ServiceTagSources.catalog(files: [compressed]).tags
        #expect(fromGzip.map(\.name).prefix(2) == ["Storage.WestUS", "AzureCloud"], "the file's tags, then the built-in ones")
        #expect(fromGzip.map(\.prefixes) == fromPlain.map(\.prefixes))
        let file = try AzureServiceTagFile(contentsOf: compressed)
        #expect(file.changeNumber == 7 && file.cloud == "Public")
    }

    /// AWS's and GCP's range files are read as Azure's are: a gzip copy gives the same ranges.
    @Test(.requires(.gzip))
    func awsAndGCPRangeFilesReadGzipped() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let aws = dir.appendingPathComponent("ip-ranges.json"), gcp = dir.appendingPathComponent("cloud.json")
        try """
            {"syncToken": "1", "createDate": "2026-11-30-00-00-00", "prefixes": [
              {"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2", "service": "S3", "network_border_group": "ap-northeast-2"}],
             "ipv6_prefixes": [{"ipv6_prefix": "2600:1f18::/33", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"}]}
            """.write(to: aws, atomically: true, encoding: .utf8)
        try """
            {"syncToken": "2", "creationTime": "2026-11-30T00:00:00", "prefixes": [
              {"ipv4Prefix": "34.80.0.0/15", "service": "Google Cloud", "scope": "asia-east1"}]}
            """.write(to: gcp, atomically: true, encoding: .utf8)
        let gzip = try #require(Prerequisite.gzip.path)
        for file in [aws, gcp] { try #require(try ToolOutput.run(gzip, ["-k", file.path]).status == 0) }
        let awsPlain = try AWSIPRangesFile(contentsOf: aws.path), awsGzip = try AWSIPRangesFile(contentsOf: aws.path + ".gz")
        #expect(!awsPlain.tags.isEmpty)
        #expect(awsGzip.tags.map(\.name) == awsPlain.tags.map(\.name) && awsGzip.tags.map(\.prefixes) == awsPlain.tags.map(\.prefixes))
        let gcpPlain = try GCPRangesFile(contentsOf: gcp.path), gcpGzip = try GCPRangesFile(contentsOf: gcp.path + ".gz")
        #expect(!gcpPlain.tags.isEmpty)
        #expect(gcpGzip.tags.map(\.name) == gcpPlain.tags.map(\.name) && gcpGzip.tags.map(\.prefixes) == gcpPlain.tags.map(\.prefixes))
    }

    @Test func aCorruptGzipFileIsOneErrorNamingIt() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("tags.json.gz")
        // The gzip magic, then bytes no inflater accepts.
        try Data([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3] + [UInt8](repeating: 0xff, count: 64)).write(to: bad)
        do {
            _ = try ServiceTagSources.catalog(files: [bad.path])
            Issue.record("a corrupt gzip file was accepted")
        } catch {
            #expect(error.file == bad.path)
            #expect(!error.description.contains("\n"), "\(error.description)")
        }
    }

    /// A stale file's warning says where the current one is published, by the cloud its name names
    /// (Microsoft's download pages: Public 56519, US Government 57063, China 57062).
    @Test func aStaleFileNamesWhereToDownloadTheCurrentOne() throws {
        let now = Self.utc(2026, 12, 20)
        let cases = [("ServiceTags_Public_20250105.json", "https://www.microsoft.com/download/details.aspx?id=56519"),
                     ("ServiceTags_AzureGovernment_20250105.json.gz", "https://www.microsoft.com/download/details.aspx?id=57063"),
                     ("ServiceTags_China_20250105.json", "https://www.microsoft.com/download/details.aspx?id=57062")]
        for (name, page) in cases {
            let stale = try #require(ServiceTagSources.staleness(of: "/etc/egress-audit/\(name)", now: now))
            #expect(stale.contains(page), "\(stale)")
        }
        #expect(ServiceTagSources.downloadPage(for: "/tmp/ip-ranges.json").hasSuffix("https://ip-ranges.amazonaws.com/ip-ranges.json"))
        #expect(ServiceTagSources.downloadPage(for: "cloud.json").hasSuffix("https://www.gstatic.com/ipranges/cloud.json"))
    }

    @Test func theAgeComesFromTheDateInTheNameElseTheModificationTime() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dated = dir.appendingPathComponent("ServiceTags_Public_20261130.json.gz").path
        let now = Self.utc(2026, 12, 20)
        #expect(ServiceTagSources.age(of: dated, now: now)?.days == 20)
        #expect(ServiceTagSources.age(of: dated, now: now)?.basis == "the date in its name, 2026-11-30")
        let stale = try #require(ServiceTagSources.staleness(of: dated, now: now))
        #expect(stale.hasPrefix("\(dated) is 20 days old (by the date in its name, 2026-11-30)"), "\(stale)")
        #expect(ServiceTagSources.staleness(of: dated, now: Self.utc(2026, 12, 6)) == nil, "6 days: fresh")
        #expect(ServiceTagSources.staleness(of: dated, limitDays: 30, now: now) == nil)
        // No date in the name: the modification time (which the image build and --copy-to keep).
        let undated = dir.appendingPathComponent("ServiceTags_Public.json.gz")
        try Data().write(to: undated)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-30 * 86_400)], ofItemAtPath: undated.path)
        #expect(ServiceTagSources.age(of: undated.path, now: now)?.days == 30)
        #expect(ServiceTagSources.age(of: undated.path, now: now)?.basis == "its modification time")
        // Not dates: a month 13, 31 November, digits that are not eight.
        for name in ["ServiceTags_Public_20261301.json", "ServiceTags_Public_20261131.json", "ServiceTags_Public_2026113.json"] {
            #expect(ServiceTagSources.age(of: dir.appendingPathComponent(name).path, now: now) == nil, "\(name)")
        }
    }
}
