import Foundation

/// Google's published ranges: `cloud.json` (customer-usable Google Cloud
/// ranges) and `goog.json` (all Google-owned ranges):
///
/// ```
/// {"syncToken": "1753409788780", "creationTime": "2025-07-24T19:16:28.780563",
///  "prefixes": [{"ipv4Prefix": "34.1.208.0/20", "service": "Google Cloud", "scope": "africa-south1"},
///               {"ipv6Prefix": "2600:1900:8000::/44", "service": "Google Cloud", "scope": "africa-south1"}, …]}
/// ```
///
/// Mirrors that rewrite the file use one `ipPrefix` key instead; all three
/// keys are accepted.
///
/// Tag naming (catalog lookups are case-insensitive): every prefix goes into
/// the file's base tag (`GCP` by default; pass e.g. `Google` for `goog.json`),
/// and a prefix with a `scope` also into `<base>.<scope>` (`GCP.us-central1`,
/// `GCP.global`).
public struct GCPRangesFile: Sendable {
    public let source: String
    public let syncToken: String
    public let tags: [ServiceTag]

    /// Reads and parses the file at `path` (gzip-compressed or not), as `AzureServiceTagFile` does.
    public init(contentsOf path: String, baseTag: String = "GCP") throws(PolicyLoadError) {
        try self.init(data: ServiceTagSources.read(path), source: path, baseTag: baseTag)
    }

    public init(data: Data, source: String, baseTag: String = "GCP") throws(PolicyLoadError) {
        try self.init(root: JSONCursor.root(data, file: source), source: source, baseTag: baseTag)
    }

    /// Reads the ranges of a file already parsed (`ServiceTagSources.document`).
    public init(document: ServiceTagSources.Document, source: String, baseTag: String = "GCP") throws(PolicyLoadError) {
        try self.init(root: document.root, source: source, baseTag: baseTag)
    }

    private init(root: JSONCursor, source: String, baseTag: String) throws(PolicyLoadError) {
        self.source = source
        syncToken = try root.optionalField("syncToken")?.string() ?? ""
        var grouper = TagGrouper(source: source)
        for record in try root.field("prefixes").array() {
            var found: JSONCursor?
            for key in ["ipv4Prefix", "ipv6Prefix", "ipPrefix"] where found == nil {
                found = try record.optionalField(key)
            }
            guard let prefix = found else {
                throw record.fail("an object with \"ipv4Prefix\", \"ipv6Prefix\" or \"ipPrefix\"")
            }
            let cidr = try prefix.cidr()
            let service = try record.optionalField("service")?.string() ?? ""
            grouper.add(cidr, to: baseTag, region: "", service: service)
            if let scope = try record.optionalField("scope")?.string() {
                grouper.add(cidr, to: "\(baseTag).\(scope)", region: scope, service: service)
            }
        }
        tags = grouper.tags
    }
}
