import Foundation
import PacketCapture
import Synchronization
import Testing
@testable import CaptureRuntime

/// The decode-ahead ring's waits: a waiter whose condition comes late sleeps
/// (it does not spin on the core the other side needs) and wakes when told;
/// one whose condition holds returns at once.
@Suite struct WaitPointTests {
    final class Flag: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func aLateConditionIsSleptOnAndWokenUp() throws {
        let point = WaitPoint()
        let flag = Flag()
        let waker = try #require(WorkerThread.start {
            // Long enough past the spin for the waiter to be asleep when the flag is set.
            usleep(30_000)
            flag.value.store(1, ordering: .releasing)
            point.wake()
        })
        point.wait { flag.value.load(ordering: .acquiring) == 1 }
        waker.join()
        #expect(flag.value.load(ordering: .acquiring) == 1)
        #expect(point.sleeps >= 1)
    }

    @Test func aConditionThatHoldsDoesNotSleep() {
        let point = WaitPoint()
        point.wait { true }
        #expect(point.sleeps == 0)
        point.wake()  // Nobody asleep: nothing to do.
    }

    /// Ping-pong between two threads many times: no wake-up is lost (a lost one would stall a
    /// round for the bounded sleep; the count of rounds is the check, not the time).
    @Test func noWakeUpIsLostOverManyHandOffs() throws {
        let toWorker = WaitPoint(), toMain = WaitPoint()
        let turn = Flag()
        let rounds = 2_000
        let worker = try #require(WorkerThread.start {
            for r in 0..<rounds {
                toWorker.wait { turn.value.load(ordering: .acquiring) == 2 * r + 1 }
                turn.value.store(2 * r + 2, ordering: .releasing)
                toMain.wake()
            }
        })
        for r in 0..<rounds {
            turn.value.store(2 * r + 1, ordering: .releasing)
            toWorker.wake()
            toMain.wait { turn.value.load(ordering: .acquiring) == 2 * r + 2 }
        }
        worker.join()
        #expect(turn.value.load(ordering: .acquiring) == 2 * rounds)
    }
}
