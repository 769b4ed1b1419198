import ClassifyCore
import Testing

@testable import ClassifyStore

/// The durable queue on SQLite and on a real PostgreSQL. Time is passed in, so leases and
/// backoff are tested without sleeping.
@Suite struct SQLJobQueueTests {
    static func prepared(_ store: StoreConnection, photos: Int, lease: Int64 = 1000) async throws -> SQLJobQueue {
        try await Migrator.migrate(store, Schema.photos)
        let queue = SQLJobQueue(store: store, leaseMilliseconds: lease, maxAttempts: 3)
        try await queue.enqueue(
            jobID: "job1", userID: "alice", kind: "analyze", photoIDs: (0..<photos).map { "p\($0)" }, now: 0)
        return queue
    }

    /// A claimed item carries its owner's photo's content hash, so the worker reads the file
    /// without looking the photo up; none for a photo that is gone or someone else's.
    @Test(arguments: TestDatabases.Engine.allCases)
    func aClaimCarriesTheOwnersPhotoContentHash(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let queue = try await Self.prepared(store, photos: 3)
            let photos = PhotoRepository(store: store)
            _ = try await photos.insert(PhotoRepositoryTests.photo("p0", hash: "h0", time: 1))
            _ = try await photos.insert(PhotoRepositoryTests.photo("p1", user: "bob", hash: "h1", time: 1))
            var hashes: [String: String] = [:]
            while let item = try await queue.claim(owner: "w1", now: 10) {
                hashes[item.photoID] = item.contentHash ?? "none"
            }
            #expect(hashes == ["p0": "h0", "p1": "none", "p2": "none"])
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func eachItemIsLeasedOnceAndTheJobReportsProgress(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let queue = try await Self.prepared(store, photos: 3)
            #expect(try await queue.status(jobID: "job1", userID: "alice")?.state == .queued)
            var claimed: [JobItem] = []
            while let item = try await queue.claim(owner: "w1", now: 10) { claimed.append(item) }
            #expect(claimed.map(\.photoID).sorted() == ["p0", "p1", "p2"])
            #expect(claimed.allSatisfy { $0.attempt == 1 && $0.kind == "analyze" && $0.userID == "alice" })
            #expect(try await queue.status(jobID: "job1", userID: "alice")?.state == .running)
            for item in claimed { #expect(try await queue.complete(item, now: 20)) }
            let status = try #require(try await queue.status(jobID: "job1", userID: "alice"))
            #expect(status.state == .done && status.done == 3 && status.failed == 0 && status.total == 3)
            #expect(try await queue.status(jobID: "job1", userID: "bob") == nil)
            #expect(try await queue.depth() == 0)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aLargeBatchIsQueuedWhole(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            // 450 items: more than two of the 200-row inserts, duplicates counted once.
            try await Migrator.migrate(store, Schema.photos)
            let queue = SQLJobQueue(store: store, leaseMilliseconds: 1000, maxAttempts: 3)
            let ids = (0..<450).map { "p\($0)" }
            try await queue.enqueue(
                jobID: "big", userID: "alice", kind: "analyze", photoIDs: ids + ids.prefix(5), now: 0)
            #expect(try await queue.status(jobID: "big", userID: "alice")?.total == 450)
            #expect(try await queue.depth() == 450)
            var claimed = Set<String>()
            while let item = try await queue.claim(owner: "w1", now: 10) {
                #expect(item.userID == "alice" && item.kind == "analyze" && item.attempt == 1)
                claimed.insert(item.photoID)
            }
            #expect(claimed == Set(ids))
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func anExpiredLeaseIsClaimedAgainAndTheLateWorkerLosesIt(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let queue = try await Self.prepared(store, photos: 1)
            let first = try #require(try await queue.claim(owner: "killed", now: 0))
            #expect(try await queue.claim(owner: "other", now: 999) == nil)
            let second = try #require(try await queue.claim(owner: "other", now: 1000))
            #expect(second.photoID == first.photoID && second.attempt == 2)
            #expect(try await queue.complete(first, now: 1001) == false)
            #expect(try await queue.complete(second, now: 1002))
            #expect(try await queue.status(jobID: "job1", userID: "alice")?.done == 1)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aPhotoWhoseWorkerKeepsDyingFailsWithAReason(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let queue = try await Self.prepared(store, photos: 1)
            for attempt in 1...3 {
                let item = try #require(try await queue.claim(owner: "w\(attempt)", now: Int64(attempt) * 2000))
                #expect(item.attempt == attempt)
            }
            #expect(try await queue.claim(owner: "w4", now: 100_000) == nil)
            let status = try #require(try await queue.status(jobID: "job1", userID: "alice"))
            #expect(status.state == .failed && status.failed == 1)
            #expect(status.errors["p0"] == "the worker analysing it stopped 3 times")
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func failuresBackOffThenGiveUp(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let queue = try await Self.prepared(store, photos: 2, lease: 60_000)
            let item = try #require(try await queue.claim(owner: "w", now: 0))
            try await queue.fail(item, reason: "database busy", retryable: true, now: 10)
            let other = try #require(try await queue.claim(owner: "w", now: 20))
            #expect(other.photoID != item.photoID)
            #expect(try await queue.claim(owner: "w", now: 1009) == nil)  // 1 s backoff
            let retried = try #require(try await queue.claim(owner: "w", now: 1010))
            #expect(retried.photoID == item.photoID && retried.attempt == 2)
            try await queue.fail(retried, reason: "truncated JPEG", retryable: false, now: 1020)
            try await queue.complete(other, now: 1030)
            let status = try #require(try await queue.status(jobID: "job1", userID: "alice"))
            #expect(status.state == .done && status.done == 1 && status.failed == 1)
            #expect(status.errors == [item.photoID: "truncated JPEG"])
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func releasedLeasesAreReadyAtOnceAndNotCounted(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let queue = try await Self.prepared(store, photos: 1, lease: 60_000)
            _ = try #require(try await queue.claim(owner: "stopping", now: 0))
            try await queue.release(owner: "stopping", now: 5)
            let again = try #require(try await queue.claim(owner: "next", now: 5))
            #expect(again.attempt == 1)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func concurrentWorkersNeverShareAnItem(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let queue = try await Self.prepared(store, photos: 40, lease: 60_000)
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [String] = []
                        while let item = try await queue.claim(owner: "w\(worker)", now: 1) {
                            mine.append(item.photoID)
                            try await queue.complete(item, now: 2)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 40)
            #expect(Set(claimed).count == 40)
        }
    }
}
