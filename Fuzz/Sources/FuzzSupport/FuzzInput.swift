/// Carves structured values (selectors, lengths, timestamps, chunks) out of the
/// fuzzer's bytes, front to back. Past the end every read returns zero or an
/// empty chunk, so a target never has to special-case short inputs.
public struct FuzzInput {
    public let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var offset = 0

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: size)
    }

    public var remaining: Int { bytes.count - offset }
    public var isEmpty: Bool { remaining == 0 }

    public mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() -> UInt16 { UInt16(u8()) << 8 | UInt16(u8()) }

    public mutating func u32() -> UInt32 { UInt32(u16()) << 16 | UInt32(u16()) }

    /// The next `count` bytes, or fewer at the end.
    public mutating func chunk(_ count: Int) -> UnsafeRawBufferPointer {
        let n = Swift.max(0, Swift.min(count, remaining))
        defer { offset += n }
        return UnsafeRawBufferPointer(start: bytes.baseAddress.map { $0 + offset }, count: n)
    }

    /// Everything not read yet.
    public mutating func rest() -> UnsafeRawBufferPointer { chunk(remaining) }
}

/// Makes a fuzzer-visible failure: the harness found a broken invariant that is not a crash by itself.
public func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("fuzz invariant: \(message())", file: file, line: line) }
}

#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Hands the process to libFuzzer with `target` as the test function. Each target's
/// `@main` calls this: SwiftPM links an executable's entry point by the module's name,
/// so the targets cannot rely on libFuzzer's own `main`.
public func runFuzzer(_ target: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}
