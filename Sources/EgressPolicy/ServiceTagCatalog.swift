import PacketWire

/// Service tag name → prefixes, for every loaded source plus the special tags,
/// and the reverse question "which tags contain this address?".
///
/// Names are matched **ASCII case-insensitively**: Microsoft's documents and
/// the JSON disagree (`GuestandHybridManagement` vs `GuestAndHybridManagement`,
/// `SQL` vs `Sql`, regional `AzureCloud.westus` lower-case while
/// `Storage.WestUS` is CamelCase). Tags of the same name from several sources
/// (e.g. `Storage` in the Public and Government files) are merged: their
/// prefixes are united and `ServiceTag.source` lists the sources joined by ", ".
///
/// Special tags (Azure NSG keywords, not in the JSON), always present:
/// - `AzureLoadBalancer`: 168.63.129.16/32, the platform's virtual IP for
///   health probes, DHCP, DNS (IPv6 probes are out of scope).
/// - `VirtualNetwork`: the operator's address space, given to `init` (may be empty).
/// - `Internet`: globally routable unicast space minus `VirtualNetwork`.
///   Precisely: IPv4 0.0.0.0/0 minus the non-global RFC 6890 special-purpose
///   blocks `ServiceTagCatalog.nonInternetIPv4` (this-network, RFC 1918,
///   shared CGN, loopback, link-local, IETF protocol assignments,
///   documentation, 6to4 relay anycast, benchmarking, multicast, reserved and
///   broadcast); IPv6 2000::/3 (global unicast) minus
///   `ServiceTagCatalog.nonInternetIPv6` (IETF protocol assignments 2001::/23,
///   documentation 2001:db8::/32 and 3fff::/20). Cloud providers' public
///   ranges are therefore also `Internet`, as with Azure's NSG tag.
public struct ServiceTagCatalog: Sendable {
    public static let azureLoadBalancer = "AzureLoadBalancer"
    public static let virtualNetwork = "VirtualNetwork"
    public static let internet = "Internet"

    /// RFC 6890 (as updated by RFC 8190) blocks that are not globally reachable.
    public static let nonInternetIPv4: [String] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ]
    /// Inside 2000::/3, the blocks that are not ordinary global unicast (RFC 6890, RFC 3849, RFC 9637).
    public static let nonInternetIPv6: [String] = ["2001::/23", "2001:db8::/32", "3fff::/20"]

    /// All tags, in load order (sources first, then the special tags).
    public let tags: [ServiceTag]
    /// The file(s) the catalog was built from, for warnings.
    public let sources: [String]
    /// Prefix matcher over all tags; its ids are indices into `tags`.
    public let prefixMatcher: PrefixMatcher

    private let indexByFoldedName: [String: Int]
    /// (folded base name, folded region) → tag index, for `regionalTag`.
    private let indexByRegion: [RegionKey: Int]

    struct RegionKey: Hashable {
        var base: String
        var region: String
    }

    /// - Parameters:
    ///   - tags: tags from the loaded files (`AzureServiceTagFile.tags`, …).
    ///   - sources: the files they came from, named in warnings.
    ///   - virtualNetwork: the operator's address space for `VirtualNetwork`.
    public init(tags loaded: [ServiceTag], sources: [String], virtualNetwork: [CIDR] = []) {
        var tags: [ServiceTag] = []
        var index: [String: Int] = [:]
        for tag in loaded {
            let key = ServiceTagCatalog.fold(tag.name)
            if let i = index[key] {
                tags[i].prefixes.append(contentsOf: tag.prefixes)
                if !tags[i].source.split(separator: ",").contains(where: { $0.trimmingSpaces == tag.source }) {
                    tags[i].source += ", " + tag.source
                }
            } else {
                index[key] = tags.count
                tags.append(tag)
            }
        }
        for special in ServiceTagCatalog.specialTags(virtualNetwork: virtualNetwork) {
            let key = ServiceTagCatalog.fold(special.name)
            // A file that defines a special tag wins over the built-in one.
            guard index[key] == nil else { continue }
            index[key] = tags.count
            tags.append(special)
        }
        var regions: [RegionKey: Int] = [:]
        for (i, tag) in tags.enumerated() {
            guard let dot = tag.name.lastIndex(of: ".") else { continue }
            let base = ServiceTagCatalog.fold(String(tag.name[..<dot]))
            let suffix = ServiceTagCatalog.foldRegion(String(tag.name[tag.name.index(after: dot)...]))
            if regions[RegionKey(base: base, region: suffix)] == nil { regions[RegionKey(base: base, region: suffix)] = i }
            if !tag.region.isEmpty {
                let byProperty = RegionKey(base: base, region: ServiceTagCatalog.foldRegion(tag.region))
                if regions[byProperty] == nil { regions[byProperty] = i }
            }
        }
        var entries: [(CIDR, Int32)] = []
        for (i, tag) in tags.enumerated() {
            for p in tag.prefixes { entries.append((p, Int32(i))) }
        }
        self.tags = tags
        self.sources = sources
        self.indexByFoldedName = index
        self.indexByRegion = regions
        self.prefixMatcher = PrefixMatcher(entries)
    }

    /// A catalog over one or more Azure service tag files.
    public init(azure files: [AzureServiceTagFile], virtualNetwork: [CIDR] = []) {
        self.init(tags: files.flatMap(\.tags), sources: files.map(\.source), virtualNetwork: virtualNetwork)
    }

    /// Tag names as spelled in their sources, in load order.
    public var tagNames: [String] { tags.map(\.name) }

    /// The tag called `name`, ignoring ASCII case.
    public func tag(named name: String) -> ServiceTag? {
        indexByFoldedName[ServiceTagCatalog.fold(name)].map { tags[$0] }
    }

    /// The tag called `name` (ignoring case), or a warning naming the tag and
    /// the files searched.
    public func lookup(_ name: String) -> Result<ServiceTag, ServiceTagWarning> {
        if let t = tag(named: name) { return .success(t) }
        return .failure(ServiceTagWarning(tag: name, sources: sources, kind: .notFound))
    }

    /// Resolves a regional tag from its base name and a region spelled any of
    /// the ways operators write it: `("Storage", "West US")`, `"westus"`,
    /// `"WestUS"` or `"west-us"` all give `Storage.WestUS`; `("AzureCloud",
    /// "West US")` gives `AzureCloud.westus`. Region spellings are compared
    /// with case, spaces, `-` and `_` ignored, against both the tag name's
    /// suffix and its `region` property.
    public func regionalTag(_ base: String, region: String) -> Result<ServiceTag, ServiceTagWarning> {
        let key = RegionKey(base: ServiceTagCatalog.fold(base), region: ServiceTagCatalog.foldRegion(region))
        if let i = indexByRegion[key] { return .success(tags[i]) }
        return .failure(ServiceTagWarning(tag: "\(base).\(region)", sources: sources, kind: .noRegionalTag(base: base, region: region)))
    }

    /// Indices (into `tags`) of every tag containing `address`; no allocation.
    public func tagIndices(containing address: IPAddress) -> PrefixMatchSet {
        prefixMatcher.lookup(address)
    }

    /// `tagIndices(containing:).setIndex` without the ids (per-flow memo keys).
    @inlinable
    public func tagSetIndex(containing address: IPAddress) -> UInt32 {
        prefixMatcher.setIndex(of: address)
    }

    /// The tags of a set index from `tagSetIndex(containing:)`.
    public func tagIndices(ofSet index: UInt32) -> PrefixMatchSet {
        prefixMatcher.matchSet(index: index)
    }

    /// Names of every tag containing `address`, in load order (allocates; for reports and the CLI).
    public func tags(containing address: IPAddress) -> [String] {
        tagIndices(containing: address).map { tags[Int($0)].name }
    }

    // MARK: Names

    static func fold(_ name: String) -> String {
        String(decoding: name.utf8.map(asciiLowerByte), as: UTF8.self)
    }

    static func foldRegion(_ region: String) -> String {
        String(decoding: region.utf8.filter { $0 != 0x20 && $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") }.map(asciiLowerByte), as: UTF8.self)
    }

    // MARK: Special tags

    static func specialTags(virtualNetwork: [CIDR]) -> [ServiceTag] {
        let loadBalancer = CIDR("168.63.129.16/32").map { [$0] } ?? []
        var excluded = nonInternetIPv4.compactMap(CIDR.init) + nonInternetIPv6.compactMap(CIDR.init)
        excluded += virtualNetwork
        var internet: [CIDR] = []
        if let all4 = CIDR("0.0.0.0/0") { internet += all4.subtracting(excluded) }
        if let global6 = CIDR("2000::/3") { internet += global6.subtracting(excluded) }
        return [
            ServiceTag(name: Self.azureLoadBalancer, prefixes: loadBalancer, source: "built-in"),
            ServiceTag(name: Self.virtualNetwork, prefixes: virtualNetwork, source: "built-in (operator address space)"),
            ServiceTag(name: Self.internet, prefixes: internet, source: "built-in"),
        ]
    }
}

/// A service tag a profile asked for that no loaded source defines: a warning
/// to report, never a crash.
public struct ServiceTagWarning: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case notFound
        case noRegionalTag(base: String, region: String)
    }
    public let tag: String
    public let sources: [String]
    public let kind: Kind

    public var description: String {
        let files = sources.isEmpty ? "no service tag file loaded" : sources.joined(separator: ", ")
        switch kind {
        case .notFound:
            return "service tag \"\(tag)\" is not defined in \(files) nor a built-in tag; its rule matches nothing"
        case .noRegionalTag(let base, let region):
            return "no regional service tag for \"\(base)\" in region \"\(region)\" in \(files); its rule matches nothing"
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
