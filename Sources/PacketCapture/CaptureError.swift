/// Why a capture could not be opened or read to its end. Each case renders as
/// one line that names the file and the problem, for an operator to act on.
public struct CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case missing
        case isDirectory
        case notAFile
        case unreadable(String)
        case notACapture(String)
        case truncatedHeader(String)
        case truncatedRecord(String)
        case libpcapRefused(String)
        case readFailed(String)
        case liveOpenFailed(String)
    }

    public let source: String
    public let problem: Problem

    public init(source: String, problem: Problem) {
        self.source = source
        self.problem = problem
    }

    /// True when the packets read before the error are still worth reporting
    /// (the file started well and broke later).
    public var isPartialRead: Bool {
        switch problem {
        case .truncatedRecord, .readFailed, .libpcapRefused: return true
        default: return false
        }
    }

    public var description: String {
        "\(source): \(problemText)"
    }

    public var problemText: String {
        switch problem {
        case .missing: return "no such file"
        case .isDirectory: return "is a directory, not a capture file"
        case .notAFile: return "is not a regular file"
        case .unreadable(let why): return "cannot be read (\(why))"
        case .notACapture(let why): return "not a pcap or pcapng capture (\(why))"
        case .truncatedHeader(let why): return "truncated file header (\(why))"
        case .truncatedRecord(let why): return "truncated packet record; the packets before it were read (\(why))"
        case .libpcapRefused(let why): return "libpcap cannot read the rest of this file: \(why)"
        case .readFailed(let why): return "read failed: \(why)"
        case .liveOpenFailed(let why): return why
        }
    }
}
