import CPcapShim
import Foundation

/// What kind of evidence a file holds, told from its first bytes, never its
/// name: a `.json` may be a capture renamed, a `PT1H.json` a firewall log or
/// a flow log.
public enum SourceFormat: String, Sendable, CaseIterable {
    /// pcap or pcapng (gzip-compressed or not): read by the capture path.
    case capture
    /// Azure Firewall's log records: JSON (storage account or Log Analytics) or CSV (Log Analytics).
    case azureFirewall = "azure-firewall"
    /// VNet (version 4) or NSG (version 2) flow logs.
    case flowLog = "flow-log"
}

public enum SourceSniffer {
    /// Bytes looked at: enough for the first record of any log read here.
    public static let prefixLength = 64 * 1024

    /// The kind of the file at `path`, from its first bytes (inflated first when gzip).
    /// Anything not recognised as a log is left to the capture path, which says what it expected.
    public static func sniff(path: String) -> SourceFormat {
        // Only a regular file can be looked at and read again: a pipe, standard input or a
        // device would lose the bytes looked at, so those are captures (the capture reader
        // sniffs its own magic without losing them).
        var info = stat()
        guard path != "-", stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return .capture }
        guard let prefix = firstBytes(path) else { return .capture }
        return sniff(prefix)
    }

    /// The captures and the logs among `paths`, each in the order given: each
    /// file's kind from its first bytes unless `format` says it for all.
    public static func partition(_ paths: [String], format: SourceFormat? = nil)
        -> (captures: [String], logs: [(path: String, format: SourceFormat)])
    {
        var captures: [String] = [], logs: [(path: String, format: SourceFormat)] = []
        for path in paths {
            let kind = format ?? sniff(path: path)
            if kind == .capture { captures.append(path) } else { logs.append((path, kind)) }
        }
        return (captures, logs)
    }

    /// The kind of a file starting with `prefix` (already inflated).
    public static func sniff(_ prefix: [UInt8]) -> SourceFormat {
        if prefix.count >= 4 {
            let m = UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3])
            // pcap (µs, ns; both byte orders) and pcapng's Section Header Block.
            if [0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0x0a0d_0d0a].contains(m) { return .capture }
        }
        var start = 0
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < prefix.count, [0x20, 0x09, 0x0A, 0x0D].contains(prefix[start]) { start += 1 }
        guard start < prefix.count else { return .capture }
        let text = String(decoding: prefix[start...], as: UTF8.self)
        let lower = text.lowercased()
        if prefix[start] == UInt8(ascii: "{") || prefix[start] == UInt8(ascii: "[") {
            if lower.contains("\"flowrecords\"") || lower.contains("\"flowtuples\"") { return .flowLog }
            if lower.contains("azfw") || lower.contains("azurefirewall") { return .azureFirewall }
            return .capture
        }
        // A Log Analytics CSV export: a header of the firewall tables' columns.
        let header = lower.prefix { $0 != "\n" }
        if header.contains(","), header.contains("sourceip") || header.contains("msg_s") || header.contains("fqdn") { return .azureFirewall }
        return .capture
    }

    static func isGzip(_ path: String) -> Bool {
        var facts = egress_stream_facts()
        var errbuf = [CChar](repeating: 0, count: 256)
        guard let file = egress_stream_open(path, &facts, &errbuf, errbuf.count) else { return false }
        fclose(file)
        return facts.gzip == 1
    }

    /// Up to `prefixLength` bytes of the file, inflated when it starts with the gzip magic.
    static func firstBytes(_ path: String) -> [UInt8]? {
        var facts = egress_stream_facts()
        var errbuf = [CChar](repeating: 0, count: 256)
        guard let file = egress_stream_open(path, &facts, &errbuf, errbuf.count) else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: prefixLength)
        let n = fread(&buffer, 1, buffer.count, file)
        return Array(buffer[0..<n])
    }
}
