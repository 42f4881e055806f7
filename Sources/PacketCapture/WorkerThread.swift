#if canImport(Glibc)
import Glibc
#endif

/// A helper thread: the one place the project calls `pthread_create`.
/// Decode-ahead, mapping pages in and unmapping a finished file each run
/// their work through it, so how a thread is started, handed its work and
/// joined (or left to finish alone) is written once.
///
/// POSIX threads rather than Dispatch: these loops run for a whole file and
/// must not wait behind, or occupy, a queue's worker.
public final class WorkerThread {
    private var thread = pthread_t()
    private var joined = false

    /// The work, as the new thread receives it.
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private init() {}

    /// Starts `body` on a new thread, to be joined; nil when no thread could
    /// be had (the caller then does the work itself).
    public static func start(_ body: @escaping () -> Void) -> WorkerThread? {
        let worker = WorkerThread()
        guard launch(&worker.thread, body) else { return nil }
        return worker
    }

    /// Starts `body` on a thread nobody waits for; false when none could be had.
    @discardableResult
    public static func detach(_ body: @escaping () -> Void) -> Bool {
        var thread = pthread_t()
        guard launch(&thread, body) else { return false }
        pthread_detach(thread)
        return true
    }

    /// Waits for the work to end (once; later calls return at once).
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }

    private static func launch(_ thread: inout pthread_t, _ body: @escaping () -> Void) -> Bool {
        let context = Unmanaged.passRetained(Work(body)).toOpaque()
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, context) == 0
        if !started { Unmanaged<Work>.fromOpaque(context).release() }
        return started
    }
}
