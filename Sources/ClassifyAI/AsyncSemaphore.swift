/// At most `limit` holders at a time; the others wait in order (FIFO). A waiter that is
/// cancelled leaves the queue and gets `CancellationError`.
actor AsyncSemaphore {
    let limit: Int
    private(set) var holders = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0

    init(limit: Int) {
        precondition(limit >= 1, "a semaphore needs at least one permit")
        self.limit = limit
    }

    /// Waits for a permit; give it back with `release()`.
    func acquire() async throws {
        try Task.checkCancellation()
        if holders < limit {
            holders += 1
            return
        }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Gives a permit back: the first waiter, if any, takes it over.
    func release() {
        if waiters.isEmpty {
            holders = max(0, holders - 1)
        } else {
            waiters.removeFirst().continuation.resume()  // the permit passes on; `holders` stays
        }
    }

    private func cancel(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Runs `body` holding a permit; nil when cancelled while waiting for one.
    nonisolated func withPermit<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T? {
        do { try await acquire() } catch { return nil }
        let result: Result<T, E>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        await release()
        return try result.get()
    }
}
