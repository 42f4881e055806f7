#if canImport(Glibc)
import Glibc
#endif

/// What the process has used, read from the kernel: time, CPU, resident
/// memory; and what it runs on. For `StageBenchmark`, around whole passes
/// over a file, never per packet. Linux: `/proc/self/*` and `getrusage`;
/// where a figure cannot be read it is nil, never a guess.
public enum ProcessUsage {
    /// A monotonic clock, in nanoseconds.
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Wall-clock time now, in nanoseconds since the Unix epoch.
    public static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// User + system CPU time of the whole process (every thread) so far, in seconds.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Resident memory now (`/proc/self/statm`, second field, in pages), in bytes.
    /// Includes the pages of mapped capture files the process has touched.
    public static func residentBytes() -> Int? {
        guard let text = read("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The process's resident high-water mark (`VmHWM` in `/proc/self/status`), in bytes:
    /// since the process started, or since the last successful `resetPeakResident()`.
    public static func peakResidentBytes() -> Int? {
        guard let text = read("/proc/self/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let number = line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return number.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }

    /// Resets the high-water mark to the current resident size (writing 5 to
    /// `/proc/self/clear_refs`, Linux 4.0+), so the next `peakResidentBytes()`
    /// is the peak of what ran in between. False when the kernel refused.
    @discardableResult
    public static func resetPeakResident() -> Bool {
        let fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var five = UInt8(ascii: "5")
        return write(fd, &five, 1) == 1
    }

    /// The machine, as a report's reader needs it to compare figures.
    public struct Machine: Sendable, Equatable {
        /// `model name` in `/proc/cpuinfo` (x86), else its `Hardware`/`cpu model`/`Model` line; nil when none.
        public var cpuModel: String?
        /// Cores online (`sysconf(_SC_NPROCESSORS_ONLN)`).
        public var cores: Int
        /// `uname -m` and `uname -r`.
        public var architecture: String
        public var kernel: String
        /// The 1-minute load average (`/proc/loadavg`) when it was read: above the core count,
        /// other work shared the cores and wall times stretch more than CPU times.
        public var loadAverage: Double?
    }

    public static func machine() -> Machine {
        var model: String?
        if let cpuinfo = read("/proc/cpuinfo", limit: 1 << 20) {
            let keys = ["model name", "Hardware", "cpu model", "Model"]
            var found: [String: String] = [:]
            for line in cpuinfo.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = String(line[..<colon]).trimmingSpaces
                if keys.contains(key), found[key] == nil {
                    found[key] = String(line[line.index(after: colon)...]).trimmingSpaces
                }
            }
            model = keys.lazy.compactMap { found[$0] }.first { !$0.isEmpty }
        }
        var names = utsname()
        uname(&names)
        func field<T>(_ value: inout T) -> String {
            withUnsafeBytes(of: &value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let load = read("/proc/loadavg").flatMap { $0.split(separator: " ").first.flatMap { Double($0) } }
        return Machine(cpuModel: model, cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                       architecture: field(&names.machine), kernel: field(&names.release), loadAverage: load)
    }

    /// A small text file from /proc (whose sizes `stat` does not tell), at most `limit` bytes.
    private static func read(_ path: String, limit: Int = 64 * 1024) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
