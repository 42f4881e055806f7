import EgressLogs
import FlowEngine
import FuzzSupport

/// A VNet (version 4) or NSG (version 2) flow log blob: records, flow tuples
/// joined by 5-tuple across B/C/E states, each bad tuple rejected with its line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var names = NameTable(capacity: 1024, seed: 1)
    var result = LogFileResult(path: "fuzz.json", format: .flowLog)
    var flows = 0
    LogSourceReader.read(bytes: bytes, into: &result, flow: { f in flows += 1; _ = f.record(names: &names) }, dns: { _ in })
    // Every flow handed on is counted in the result.
    precondition(flows == result.flows)
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
