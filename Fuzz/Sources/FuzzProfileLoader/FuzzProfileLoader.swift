import EgressPolicy
import FuzzSupport

/// A profile document (YAML or JSON: the loader reads both through one YAML parser),
/// loaded, validated and expanded with its defaults. Bad input must end in
/// `ProfileValidationErrors`, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let profile = try ProfileLoader.load(text: text, file: "fuzz.yaml")
        _ = try? profile.expand()
    } catch {
        fuzzCheck(!error.errors.isEmpty, "load failed without an error")
        _ = error.description
    }
    return 0
}

@main enum Main {
    static func main() { runFuzzer(fuzz) }
}
