import ClassifyCore
import Synchronization

/// Wakes this process's idle workers the moment work is queued here, instead of leaving it
/// until their next poll (work queued by other processes is still found by polling).
public final class JobDoorbell: Sendable {
    enum Slot {
        /// Waiting has begun, the continuation is not registered yet.
        case pending
        case waiting(CheckedContinuation<Void, Never>)
        /// Given up before the continuation was registered: it resumes itself.
        case abandoned
    }

    struct State {
        var rings = 0
        var nextID = 0
        var slots: [Int: Slot] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// How many times it has rung; pass it to `wait(after:upTo:)`.
    public var rings: Int { state.withLock { $0.rings } }

    public func ring() {
        let woken = state.withLock { state in
            state.rings += 1
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, slot) in state.slots {
                if case let .waiting(continuation) = slot {
                    woken.append(continuation)
                    state.slots[id] = nil
                }
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once it has rung since `seen` (at once if it already has), after `timeout`, or
    /// when the task is cancelled.
    public func wait(after seen: Int, upTo timeout: Duration) async {
        let id = state.withLock { state in
            state.nextID += 1
            state.slots[state.nextID] = .pending
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { state -> Bool in
                        if state.rings != seen || !self.isPending(state.slots[id]) {
                            state.slots[id] = nil
                            return true
                        }
                        state.slots[id] = .waiting(continuation)
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            _ = await group.next()
            group.cancelAll()
            let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
                switch state.slots[id] {
                case let .waiting(continuation):
                    state.slots[id] = nil
                    return continuation
                case .pending:
                    state.slots[id] = .abandoned
                    return nil
                case .abandoned, nil:
                    return nil
                }
            }
            waiting?.resume()
        }
    }

    private func isPending(_ slot: Slot?) -> Bool {
        if case .pending = slot { return true }
        return false
    }

    /// Slots still held (0 once every wait has returned; for tests).
    var heldSlots: Int { state.withLock { $0.slots.count } }
}

/// A job queue that rings `doorbell` after each enqueue; everything else goes straight to
/// `base`.
public struct RingingJobQueue: JobQueue {
    let base: any JobQueue
    let doorbell: JobDoorbell

    public init(_ base: any JobQueue, doorbell: JobDoorbell) {
        self.base = base
        self.doorbell = doorbell
    }

    public func enqueue(jobID: String, userID: String, kind: String, photoIDs: [String], now: Int64) async throws {
        try await base.enqueue(jobID: jobID, userID: userID, kind: kind, photoIDs: photoIDs, now: now)
        doorbell.ring()
    }

    public func claim(owner: String, now: Int64) async throws -> JobItem? {
        try await base.claim(owner: owner, now: now)
    }

    public func complete(_ item: JobItem, now: Int64) async throws -> Bool {
        try await base.complete(item, now: now)
    }

    public func fail(_ item: JobItem, reason: String, retryable: Bool, now: Int64) async throws {
        try await base.fail(item, reason: reason, retryable: retryable, now: now)
    }

    public func extendLease(_ item: JobItem, now: Int64) async throws -> Bool {
        try await base.extendLease(item, now: now)
    }

    public func release(owner: String, now: Int64) async throws {
        try await base.release(owner: owner, now: now)
    }

    public func status(jobID: String, userID: String) async throws -> JobStatus? {
        try await base.status(jobID: jobID, userID: userID)
    }

    public func pendingPhotoIDs(userID: String, kind: String) async throws -> Set<String> {
        try await base.pendingPhotoIDs(userID: userID, kind: kind)
    }

    public func depth() async throws -> Int {
        try await base.depth()
    }
}
