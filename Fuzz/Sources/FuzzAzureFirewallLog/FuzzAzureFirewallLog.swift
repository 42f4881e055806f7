import EgressLogs
import FlowEngine
import FuzzSupport

/// An Azure Firewall log as a diagnostic setting or a Log Analytics export
/// writes it (JSON per line, `{"records": […]}`, a JSON array, or CSV), read
/// the way `analyze` reads it: every record becomes a flow, a DNS query, a
/// skip or a rejection with its line, never a trap; and the sniffer's verdict.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = SourceSniffer.sniff(bytes)
    var names = NameTable(capacity: 1024, seed: 1)
    var result = LogFileResult(path: "fuzz.json", format: .azureFirewall)
    LogSourceReader.read(bytes: bytes, into: &result, flow: { f in _ = f.record(names: &names) },
                         dns: { q in _ = q.observation(names: &names) })
    // Every record is a flow, a DNS query, a skip or a rejection; a flow tuple is never a firewall record.
    let skipped: Int = result.skipped.values.reduce(0, +)
    let accounted: Int = result.flows + result.dnsQueries + skipped + result.rejected
    precondition(accounted == result.records)
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
