import CPcapShim
import Foundation

/// Where service tags come from: the files an operator names (`--service-tags
/// FILE`, repeatable), nothing else. No file is looked up by default, so a run
/// without one has only the built-in tags (`AzureLoadBalancer`,
/// `VirtualNetwork`, `Internet`) and CIDR rules to match addresses with, and
/// the compiled profile says so in a warning.
///
/// Each file's kind is recognised from its top-level keys: Azure's Service
/// Tags JSON has `values`, Amazon's `ip-ranges.json` has `ipv6_prefixes`,
/// Google's `cloud.json` / `goog.json` have `prefixes` alone. A file that
/// starts with the gzip magic (`ServiceTags_Public_20261130.json.gz`: 4.2 MB
/// becomes ~0.5 MB, small enough for an image layer or an init container) is
/// inflated as it is read.
public enum ServiceTagSources {
    public enum Kind: String, Sendable {
        case azure, aws, gcp
    }

    /// A tag file parsed once: its kind, and the tree its tags are read from (the file types'
    /// `init(document:)`). Parsing it a second time only to tell its kind was a fifth of loading
    /// Azure's 4 MB public file.
    public struct Document {
        public let kind: Kind
        let root: JSONCursor
    }

    /// Parses `data` and tells its kind, or throws an error naming the file and what was expected
    /// (for text that is not JSON, where: its line and column).
    public static func document(_ data: Data, file: String) throws(PolicyLoadError) -> Document {
        let root = try JSONCursor.root(data, file: file, expected: "a JSON service tag or IP range file")
        return Document(kind: try kind(of: root), root: root)
    }

    private static func kind(of root: JSONCursor) throws(PolicyLoadError) -> Kind {
        if try root.hasMember("values") { return .azure }
        if try root.hasMember("ipv6_prefixes") { return .aws }
        if try root.hasMember("prefixes") { return .gcp }
        throw PolicyLoadError(
            file: root.file, path: "(top level)",
            expected: "an Azure Service Tags file (\"values\"), AWS ip-ranges.json (\"ipv6_prefixes\") or GCP cloud.json (\"prefixes\")",
            found: "none of those keys")
    }

    /// The file's bytes, inflated when it is gzip-compressed (by its magic, not its name).
    public static func read(_ path: String) throws(PolicyLoadError) -> Data {
        var errbuf = [CChar](repeating: 0, count: 256)
        var facts = egress_stream_facts()
        guard let file = egress_stream_open(path, &facts, &errbuf, errbuf.count) else {
            throw PolicyLoadError(file: path, path: "", expected: "a readable file",
                                  found: "an error opening it (\(errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))")
        }
        if facts.gzip == 0 {
            fclose(file)
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw PolicyLoadError(file: path, path: "", expected: "a readable file",
                                      found: FileProblem.describe(error, path: path, writing: false))
            }
        }
        defer { fclose(file) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n > 0 { data.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        if ferror(file) != 0 {
            throw PolicyLoadError(file: path, path: "", expected: "a gzip stream", found: "a corrupt one (inflating failed after \(data.count) bytes)")
        }
        return data
    }

    /// Reads every file into one catalog; `virtualNetwork` gives the
    /// `VirtualNetwork` keyword its prefixes.
    public static func catalog(files paths: [String], virtualNetwork: [CIDR] = []) throws(PolicyLoadError) -> ServiceTagCatalog {
        var tags: [ServiceTag] = []
        for path in paths {
            let document = try document(read(path), file: path)
            switch document.kind {
            case .azure: tags += try AzureServiceTagFile(document: document, source: path).tags
            case .aws: tags += try AWSIPRangesFile(document: document, source: path).tags
            case .gcp: tags += try GCPRangesFile(document: document, source: path).tags
            }
        }
        return ServiceTagCatalog(tags: tags, sources: paths, virtualNetwork: virtualNetwork)
    }

    /// Microsoft publishes the Service Tags files weekly; past two weeks a file
    /// misses prefixes the services have moved to (addresses then show as undocumented).
    public static let staleAfterDays = 14

    /// How old a tag file is, and how that was told: the date in its name
    /// (Microsoft's `ServiceTags_<Cloud>_YYYYMMDD.json`, kept by the image
    /// build), else its modification time. The JSON itself carries no date
    /// (`changeNumber` only counts). Nil when neither can be read.
    public static func age(of path: String, now: Date = Date()) -> (days: Int, basis: String)? {
        let name = URL(fileURLWithPath: path).lastPathComponent
        if let stamp = nameDate(name) {
            return (Int(now.timeIntervalSince(stamp.date) / 86_400), "the date in its name, \(stamp.text)")
        }
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
        return (Int(now.timeIntervalSince(modified) / 86_400), "its modification time")
    }

    /// One warning line when the file is older than `limitDays`, else nil.
    public static func staleness(of path: String, limitDays: Int = staleAfterDays, now: Date = Date()) -> String? {
        guard let (days, basis) = age(of: path, now: now), days > limitDays else { return nil }
        return "\(path) is \(days) days old (by \(basis)); service tags change weekly: "
            + "fetch the current file (\(downloadPage(for: path))) or rebuild the service-tags image"
    }

    /// Where the current edition of a tag file is published, told by its name.
    public static func downloadPage(for path: String) -> String {
        let name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        if name.contains("ip-ranges") { return "AWS: https://ip-ranges.amazonaws.com/ip-ranges.json" }
        if name.hasPrefix("cloud") || name.hasPrefix("goog") { return "Google Cloud: https://www.gstatic.com/ipranges/cloud.json" }
        let azure = "Microsoft's \"Azure IP Ranges and Service Tags\" download, "
        if name.contains("azuregovernment") { return azure + "https://www.microsoft.com/download/details.aspx?id=57063" }
        if name.contains("china") { return azure + "https://www.microsoft.com/download/details.aspx?id=57062" }
        return azure + "https://www.microsoft.com/download/details.aspx?id=56519"
    }

    /// `_YYYYMMDD` followed by `.` in a file name: the publication date (UTC midnight).
    static func nameDate(_ name: String) -> (date: Date, text: String)? {
        let bytes = Array(name.utf8)
        guard bytes.count >= 10 else { return nil }
        for start in 0...(bytes.count - 10) where bytes[start] == UInt8(ascii: "_") && bytes[start + 9] == UInt8(ascii: ".") {
            let digits = bytes[(start + 1)...(start + 8)]
            guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { continue }
            let n = digits.map { Int($0 - 48) }
            let year = n[0...3].reduce(0) { $0 * 10 + $1 }, month = n[4] * 10 + n[5], day = n[6] * 10 + n[7]
            var parts = DateComponents()
            (parts.year, parts.month, parts.day) = (year, month, day)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard (1...12).contains(month), (1...31).contains(day), let date = calendar.date(from: parts),
                  calendar.component(.day, from: date) == day else { continue }
            return (date, String(format: "%04d-%02d-%02d", year, month, day))
        }
        return nil
    }
}
