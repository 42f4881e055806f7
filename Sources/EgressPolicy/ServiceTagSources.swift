import Foundation

/// Where service tags come from: the files an operator names (`--service-tags
/// FILE`, repeatable), nothing else. No file is looked up by default, so a run
/// without one has only the built-in tags (`AzureLoadBalancer`,
/// `VirtualNetwork`, `Internet`) and CIDR rules to match addresses with, and
/// the compiled profile says so in a warning.
///
/// Each file's kind is recognised from its top-level keys: Azure's Service
/// Tags JSON has `values`, Amazon's `ip-ranges.json` has `ipv6_prefixes`,
/// Google's `cloud.json` / `goog.json` have `prefixes` alone.
public enum ServiceTagSources {
    public enum Kind: String, Sendable {
        case azure, aws, gcp
    }

    /// The file's kind, or an error naming the file and what was expected.
    public static func kind(of data: Data, file: String) throws(PolicyLoadError) -> Kind {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PolicyLoadError(file: file, path: "", expected: "a JSON service tag or IP range file", found: "text that is not JSON")
        }
        guard let root = object as? [String: Any] else {
            throw PolicyLoadError(file: file, path: "(top level)", expected: "a JSON object", found: "another JSON value")
        }
        if root["values"] != nil { return .azure }
        if root["ipv6_prefixes"] != nil { return .aws }
        if root["prefixes"] != nil { return .gcp }
        throw PolicyLoadError(
            file: file, path: "(top level)",
            expected: "an Azure Service Tags file (\"values\"), AWS ip-ranges.json (\"ipv6_prefixes\") or GCP cloud.json (\"prefixes\")",
            found: "none of those keys")
    }

    /// Reads every file into one catalog; `virtualNetwork` gives the
    /// `VirtualNetwork` keyword its prefixes.
    public static func catalog(files paths: [String], virtualNetwork: [CIDR] = []) throws(PolicyLoadError) -> ServiceTagCatalog {
        var tags: [ServiceTag] = []
        for path in paths {
            let data = try JSONCursor.read(path)
            switch try kind(of: data, file: path) {
            case .azure: tags += try AzureServiceTagFile(data: data, source: path).tags
            case .aws: tags += try AWSIPRangesFile(data: data, source: path).tags
            case .gcp: tags += try GCPRangesFile(data: data, source: path).tags
            }
        }
        return ServiceTagCatalog(tags: tags, sources: paths, virtualNetwork: virtualNetwork)
    }
}
