#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a writer's bytes go. Writers hand over each record as soon as it is built, so memory
/// stays constant however many packets are written.
public protocol CaptureOutput: AnyObject {
    func write(_ bytes: [UInt8]) throws
    func close() throws
}

public struct CaptureOutputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let errno: Int32
    public var description: String { "\(operation) \(path): errno \(errno)" }
}

/// Keeps everything in memory: for tests and small captures.
public final class MemoryOutput: CaptureOutput {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: [UInt8]) throws { self.bytes.append(contentsOf: bytes) }
    public func close() throws {}
}

/// Streams to a file through a large stdio buffer.
public final class FileOutput: CaptureOutput {
    private var file: UnsafeMutablePointer<FILE>?
    public let path: String

    /// `path` "-" is standard output (for a pipe, e.g. `| gzip -1`).
    public init(path: String) throws {
        self.path = path
        guard let f = path == "-" ? fdopen(STDOUT_FILENO, "wb") : fopen(path, "wb") else {
            throw CaptureOutputError(path: path, operation: "open", errno: errno)
        }
        // 1 MiB: a write syscall per ~10k packets instead of per packet.
        setvbuf(f, nil, _IOFBF, 1 << 20)
        file = f
    }

    public func write(_ bytes: [UInt8]) throws {
        guard let f = file else { throw CaptureOutputError(path: path, operation: "write (closed)", errno: EBADF) }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        if written != bytes.count { throw CaptureOutputError(path: path, operation: "write", errno: errno) }
    }

    public func close() throws {
        guard let f = file else { return }
        file = nil
        if fclose(f) != 0 { throw CaptureOutputError(path: path, operation: "close", errno: errno) }
    }

    deinit { if let f = file { fclose(f) } }
}
