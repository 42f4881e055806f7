#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where one thread waits for another to make progress (the decode-ahead
/// ring's two sides): a spin of some microseconds (the other side usually
/// publishes within it: a sleep and a wake-up cost tens of microseconds on a
/// VM, more than most waits), then sleep on a condition variable until the
/// other side calls `wake()`, instead of a loop of `sched_yield` that keeps a
/// core busy doing nothing. `wake()` costs one atomic load when nobody
/// sleeps, so the other side calls it after every publication.
///
/// The sleeper counts itself in before re-checking `ready()` under the
/// lock, and the waker publishes before it reads the count (both
/// sequentially consistent), so a wake-up is not lost; a sleep is also
/// bounded (`maximumSleep`) as a second fence.
final class WaitPoint: @unchecked Sendable {
    private let sleepers = Atomic<Int>(0)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Checks of `ready()` before sleeping: some microseconds' worth (measured:
    /// with 64, the bulk capture's audit spent 130 ms more in wake-ups than in work).
    static let spins = 4096
    static let maximumSleepNanoseconds = 2_000_000

    /// Sleeps taken, for tests and diagnostics (written under the lock).
    private(set) var sleeps = 0

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Returns once `ready()` is true, checking it `spins` times before sleeping.
    func wait(spins: Int = WaitPoint.spins, until ready: () -> Bool) {
        for _ in 0..<spins where ready() { return }
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while !ready() {
            sleeps += 1
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            deadline.tv_nsec += Self.maximumSleepNanoseconds
            if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
            pthread_cond_timedwait(condition, mutex, &deadline)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
    }

    /// Wakes a sleeping waiter, if any. Call after publishing what it waits for.
    func wake() {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
