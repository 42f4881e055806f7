import Synchronization

/// What a live run says to a liveness and a readiness probe (`/healthz`,
/// `/readyz` on the metrics endpoint), read from another thread while the
/// capture runs.
///
/// - Liveness: the capture loop made progress recently. The loop stamps a
///   heartbeat every time it comes round, which on an idle interface is still
///   every read timeout (200 ms): a loop stuck in a packet, a report write or
///   a lock stops stamping, and the probe fails once the stamp is older than
///   `stallAfterNanoseconds`. A quiet network is not a stall.
/// - Readiness: the interfaces are open and the profile compiled (the session
///   exists only then) and the loop is running; not while starting or after it
///   left the loop to drain and write the final report.
///
/// Times are the session's monotonic nanoseconds; the reader passes its own
/// reading of the same clock, so tests drive both with a scripted one.
public final class LiveHealth: Sendable {
    public enum Phase: UInt8, Sendable {
        case starting = 0, capturing = 1, stopping = 2
    }

    /// An answer for one probe: `ok` is HTTP 200, otherwise 503; `text` one line for the operator.
    public struct Answer: Sendable, Equatable {
        public let ok: Bool
        public let text: String

        public init(ok: Bool, text: String) {
            self.ok = ok
            self.text = text
        }
    }

    public let stallAfterNanoseconds: UInt64
    private let lastBeat: Atomic<UInt64>
    private let phase = Atomic<UInt8>(Phase.starting.rawValue)

    /// `stallAfterSeconds`: how old the heartbeat may get before liveness fails;
    /// `startedAt`: the clock when the run was set up (the first beat).
    public init(stallAfterSeconds: Double, startedAt: UInt64) {
        stallAfterNanoseconds = UInt64(max(stallAfterSeconds, 0) * 1e9)
        lastBeat = Atomic(startedAt)
    }

    /// Called by the capture loop each time it comes round.
    @inline(__always)
    public func beat(at now: UInt64) {
        lastBeat.store(now, ordering: .relaxed)
    }

    public func enter(_ next: Phase) {
        phase.store(next.rawValue, ordering: .relaxed)
    }

    public var currentPhase: Phase { Phase(rawValue: phase.load(ordering: .relaxed)) ?? .starting }

    /// Liveness at `now`: the age of the last heartbeat against the limit.
    public func liveness(at now: UInt64) -> Answer {
        let beat = lastBeat.load(ordering: .relaxed)
        let age = now > beat ? now - beat : 0
        let seconds = Self.seconds(age), limit = Self.seconds(stallAfterNanoseconds)
        if age > stallAfterNanoseconds {
            return Answer(ok: false, text: "stalled: the capture loop made no progress for \(seconds) s (limit \(limit) s)")
        }
        return Answer(ok: true, text: "ok: the capture loop came round \(seconds) s ago (limit \(limit) s)")
    }

    /// Readiness: capturing, with the interfaces open and the profile compiled.
    public func readiness() -> Answer {
        switch currentPhase {
        case .starting: Answer(ok: false, text: "not ready: starting")
        case .capturing: Answer(ok: true, text: "ready: capturing (interfaces open, any profile compiled)")
        case .stopping: Answer(ok: false, text: "not ready: the capture ended; writing the final report")
        }
    }

    private static func seconds(_ nanoseconds: UInt64) -> String {
        let tenths = (nanoseconds + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
