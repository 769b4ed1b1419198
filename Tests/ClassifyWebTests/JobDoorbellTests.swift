import Testing

@testable import ClassifyServices

/// The doorbell that wakes idle workers when work is queued (a hang fails the time limit).
@Suite(.timeLimit(.minutes(1))) struct JobDoorbellTests {
    @Test func aRingWakesAWaiterAndARingAlreadyHeardReturnsAtOnce() async throws {
        let doorbell = JobDoorbell()
        let seen = doorbell.rings
        let waiter = Task { await doorbell.wait(after: seen, upTo: .seconds(600)) }
        // Ring until the waiter has returned (it may not have started waiting yet).
        while doorbell.heldSlots == 0 { await Task.yield() }
        doorbell.ring()
        await waiter.value
        await doorbell.wait(after: seen, upTo: .seconds(600))  // rung since `seen`: no wait
        #expect(doorbell.rings == 1)
        #expect(doorbell.heldSlots == 0)
    }

    @Test func withoutARingItReturnsAfterTheTimeoutOrWhenCancelled() async throws {
        let doorbell = JobDoorbell()
        await doorbell.wait(after: doorbell.rings, upTo: .milliseconds(5))
        let cancelled = Task { await doorbell.wait(after: doorbell.rings, upTo: .seconds(600)) }
        cancelled.cancel()
        await cancelled.value
        #expect(doorbell.heldSlots == 0)
    }

    @Test func racingRingsAndTimeoutsLeaveNothingBehind() async throws {
        let doorbell = JobDoorbell()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { await doorbell.wait(after: doorbell.rings, upTo: .microseconds(index % 7 * 50)) }
                if index % 3 == 0 { group.addTask { doorbell.ring() } }
            }
        }
        #expect(doorbell.heldSlots == 0)
    }
}
