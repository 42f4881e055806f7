#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Several live interfaces read by one thread: one `poll()` over every
/// handle's selectable descriptor (plus a wake-up pipe), then each handle's
/// buffered packets read without blocking, a bounded share at a time so a busy
/// interface cannot starve a quiet one. Packets carry their own link type, so
/// handles of different link types feed the same consumer.
///
/// One thread reads; `interrupt()` may be called from any other.
public final class LiveCaptureGroup: @unchecked Sendable {
    public let captures: [LiveCapture]
    /// Packets taken from one handle before the next handle's turn.
    public var batchLimit = 1024
    private let interrupted = Atomic<Bool>(false)
    /// A self-pipe: `interrupt()` writes a byte so a waiting `poll()` returns at once.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    public init(_ captures: [LiveCapture]) throws(CaptureError) {
        self.captures = captures
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw CaptureError(source: "live", problem: .liveOpenFailed("cannot make a wake-up pipe: \(String(cString: strerror(errno)))"))
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Makes a running `forEachPacket` return soon (safe from another thread).
    public func interrupt() {
        interrupted.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Reads packets from every handle until `shouldStop()` says so (checked
    /// after every pass and every wake-up) or `interrupt()` is called; `body`
    /// gets the index of the handle in `captures` and the packet. Returns the count.
    @discardableResult
    public func forEachPacket(shouldStop: () -> Bool, _ body: (Int, CapturedPacket) -> Void) throws(CaptureError) -> Int {
        var count = 0
        var fds = captures.map { pollfd(fd: $0.selectableDescriptor, events: Int16(POLLIN), revents: 0) }
        fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
        let timeout = captures.map(\.timeoutMilliseconds).min() ?? 200
        while !shouldStop() {
            if takeInterrupt() { return count }
            var busy = false
            for (index, capture) in captures.enumerated() {
                switch try capture.readBuffered(limit: batchLimit, { body(index, $0) }) {
                case .read(let n):
                    count += n
                    busy = true
                case .empty(let n):
                    count += n
                case .broken(let n):
                    count += n
                    return count
                }
            }
            if !busy {
                // Nothing buffered anywhere: wait for any descriptor, at most one timeout.
                for i in fds.indices { fds[i].revents = 0 }
                _ = poll(&fds, nfds_t(fds.count), timeout)
            }
        }
        return count
    }

    /// Reads what the kernel captured but has not handed over yet, on every
    /// handle: TPACKET_V3 retires a block when full or after the read timeout,
    /// so the last block of each interface arrives up to one timeout later.
    @discardableResult
    public func drain(_ body: (Int, CapturedPacket) -> Void) -> Int {
        var count = 0
        let timeout = (captures.map(\.timeoutMilliseconds).max() ?? 200) + 50
        for pass in 0..<3 {
            for (index, capture) in captures.enumerated() {
                while true {
                    guard let result = try? capture.readBuffered(limit: batchLimit, { body(index, $0) }) else { break }
                    if case .read(let n) = result { count += n; continue }
                    if case .empty(let n) = result { count += n }
                    if case .broken(let n) = result { count += n }
                    break
                }
            }
            // Give every handle's open block time to retire, then read again.
            if pass == 0 {
                usleep(UInt32(timeout) * 1000)
            } else if pass == 1 {
                var fds = captures.map { pollfd(fd: $0.selectableDescriptor, events: Int16(POLLIN), revents: 0) }
                _ = poll(&fds, nfds_t(fds.count), timeout)
            }
        }
        return count
    }

    /// True once per `interrupt()`; empties the wake-up pipe.
    private func takeInterrupt() -> Bool {
        guard interrupted.exchange(false, ordering: .acquiring) else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
        return true
    }
}
