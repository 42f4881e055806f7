import Foundation

/// A named set of prefixes: an Azure service tag, or a tag made from AWS or
/// GCP published ranges, or one of the special tags.
public struct ServiceTag: Hashable, Sendable {
    /// As spelled in its source (`Storage.WestUS`, `AzureCloud.westus`, `AWS.S3.us-east-1`).
    public var name: String
    /// Azure `properties.region` ("" for global tags), AWS region, GCP scope.
    public var region: String
    /// Azure `properties.systemService`, AWS service, GCP service ("" when absent).
    public var systemService: String
    public var prefixes: [CIDR]
    /// Azure `properties.networkFeatures` (`API`, `NSG`, `UDR`, `FW`, `VSE`); nil when null or absent.
    public var networkFeatures: [String]?
    /// Where the tag came from: a file path, or "built-in" for the special tags.
    public var source: String

    public init(name: String, region: String = "", systemService: String = "", prefixes: [CIDR],
                networkFeatures: [String]? = nil, source: String) {
        self.name = name
        self.region = region
        self.systemService = systemService
        self.prefixes = prefixes
        self.networkFeatures = networkFeatures
        self.source = source
    }
}

/// Microsoft's Service Tags JSON (the weekly `ServiceTags_<Cloud>_<date>.json`
/// download for Public, AzureGovernment and China):
///
/// ```
/// {"changeNumber": 376, "cloud": "Public",
///  "values": [{"name": "Storage.WestUS", "id": "Storage.WestUS",
///              "properties": {"changeNumber": 9, "region": "westus", "regionId": 2,
///                             "platform": "Azure", "systemService": "AzureStorage",
///                             "addressPrefixes": ["13.88.144.240/28", "2603:1030:a::/48", …],
///                             "networkFeatures": ["API", "NSG", …] | null}}, …]}
/// ```
///
/// Only `values[].name` and `properties.addressPrefixes` are required; the
/// other properties are kept when present. IPv4 and IPv6 prefixes share one list.
public struct AzureServiceTagFile: Sendable {
    public let source: String
    public let changeNumber: Int
    public let cloud: String
    public let tags: [ServiceTag]

    /// Reads and parses the file at `path` (gzip-compressed or not).
    public init(contentsOf path: String) throws(PolicyLoadError) {
        try self.init(data: ServiceTagSources.read(path), source: path)
    }

    /// Parses `data`; `source` names it in errors and in each tag's `source`.
    public init(data: Data, source: String) throws(PolicyLoadError) {
        try self.init(root: JSONCursor.root(data, file: source), source: source)
    }

    /// Reads the tags of a file already parsed (`ServiceTagSources.document`).
    public init(document: ServiceTagSources.Document, source: String) throws(PolicyLoadError) {
        try self.init(root: document.root, source: source)
    }

    private init(root: JSONCursor, source: String) throws(PolicyLoadError) {
        self.source = source
        changeNumber = try root.optionalField("changeNumber")?.int() ?? 0
        cloud = try root.optionalField("cloud")?.string() ?? ""
        var tags: [ServiceTag] = []
        for value in try root.field("values").array() {
            let name = try value.field("name").string()
            let properties = try value.field("properties")
            var prefixes: [CIDR] = []
            for p in try properties.field("addressPrefixes").array() { prefixes.append(try p.cidr()) }
            var features: [String]?
            if let list = try properties.optionalField("networkFeatures") {
                var out: [String] = []
                for f in try list.array() { out.append(try f.string()) }
                features = out
            }
            tags.append(ServiceTag(
                name: name,
                region: try properties.optionalField("region")?.string() ?? "",
                systemService: try properties.optionalField("systemService")?.string() ?? "",
                prefixes: prefixes,
                networkFeatures: features,
                source: source
            ))
        }
        self.tags = tags
    }
}
