import Foundation

/// Amazon's published ranges (`https://ip-ranges.amazonaws.com/ip-ranges.json`):
///
/// ```
/// {"syncToken": "1787411825", "createDate": "2026-08-22-15-17-05",
///  "prefixes":      [{"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2",
///                     "service": "AMAZON", "network_border_group": "ap-northeast-2"}, …],
///  "ipv6_prefixes": [{"ipv6_prefix": "2600:1f14::/35", "region": "us-west-2", "service": "EC2", …}, …]}
/// ```
///
/// Tag naming (catalog lookups are case-insensitive):
/// - `AWS.<service>`: every prefix of that service in every region (`AWS.AMAZON`, `AWS.S3`);
/// - `AWS.<service>.<region>`: one service in one region (`AWS.S3.us-east-1`,
///   `AWS.CLOUDFRONT.GLOBAL`), names kept as Amazon spells them.
/// A prefix is listed once per service, so `AWS.AMAZON` overlaps `AWS.EC2`,
/// `AWS.S3`, …, exactly as in the file.
public struct AWSIPRangesFile: Sendable {
    public let source: String
    public let syncToken: String
    public let createDate: String
    public let tags: [ServiceTag]

    /// Reads and parses the file at `path` (gzip-compressed or not), as `AzureServiceTagFile` does.
    public init(contentsOf path: String) throws(PolicyLoadError) {
        try self.init(data: ServiceTagSources.read(path), source: path)
    }

    public init(data: Data, source: String) throws(PolicyLoadError) {
        try self.init(root: JSONCursor.root(data, file: source), source: source)
    }

    /// Reads the ranges of a file already parsed (`ServiceTagSources.document`).
    public init(document: ServiceTagSources.Document, source: String) throws(PolicyLoadError) {
        try self.init(root: document.root, source: source)
    }

    private init(root: JSONCursor, source: String) throws(PolicyLoadError) {
        self.source = source
        syncToken = try root.optionalField("syncToken")?.string() ?? ""
        createDate = try root.optionalField("createDate")?.string() ?? ""
        var grouper = TagGrouper(source: source)
        for (list, key) in [("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")] {
            guard let records = try root.optionalField(list) else { continue }
            for record in try records.array() {
                let cidr = try record.field(key).cidr()
                let service = try record.field("service").string()
                let region = try record.field("region").string()
                grouper.add(cidr, to: "AWS.\(service)", region: "", service: service)
                grouper.add(cidr, to: "AWS.\(service).\(region)", region: region, service: service)
            }
        }
        tags = grouper.tags
    }
}

/// Collects prefixes into tags by name, keeping first-seen order.
struct TagGrouper {
    let source: String
    private(set) var tags: [ServiceTag] = []
    private var index: [String: Int] = [:]

    init(source: String) { self.source = source }

    mutating func add(_ cidr: CIDR, to name: String, region: String, service: String) {
        if let i = index[name] {
            tags[i].prefixes.append(cidr)
        } else {
            index[name] = tags.count
            tags.append(ServiceTag(name: name, region: region, systemService: service, prefixes: [cidr], source: source))
        }
    }
}
