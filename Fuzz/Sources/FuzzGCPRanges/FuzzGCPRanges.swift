import EgressPolicy
import Foundation
import FuzzSupport

/// A `GCPRangesFile` document as downloaded (JSON), and the detection that tells the
/// three tag-file kinds apart. Bad input must end in `PolicyLoadError`, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    // The way `ServiceTagSources.catalog` reads a file: parsed once, its kind told, its tags read from the tree.
    if let document = try? ServiceTagSources.document(bytes, file: "fuzz.json"), document.kind == .gcp {
        _ = try? GCPRangesFile(document: document, source: "fuzz.json")
    }
    do {
        let file = try GCPRangesFile(data: bytes, source: "fuzz.json")
        _ = file
    } catch {
        _ = error.description
    }
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
