import ClassifyCore
import SQLKit
import Synchronization

/// The durable job queue of the embedded deployment: rows in the photos database, claimed
/// with a lease. At least once: a worker that dies keeps its lease until it expires, then the
/// item is claimed again; after `maxAttempts` it fails with a reason. PostgreSQL claims with
/// `FOR UPDATE SKIP LOCKED`; SQLite's single writer needs no lock clause.
public struct SQLJobQueue: JobQueue {
    let store: StoreConnection
    public var leaseMilliseconds: Int64
    public var maxAttempts: Int
    let claims = ClaimBookkeeping()

    /// Shared by copies of the queue, to spare each claim two statements: every job's kind
    /// (it never changes) and when lease-exhausted items were last failed (at most once a
    /// second; until then the claim itself skips them).
    final class ClaimBookkeeping: Sendable {
        let kinds = Mutex<[String: String]>([:])
        let lastExpiry = Mutex<Int64?>(nil)
    }

    public init(store: StoreConnection, leaseMilliseconds: Int64 = 60_000, maxAttempts: Int = 3) {
        self.store = store
        self.leaseMilliseconds = leaseMilliseconds
        self.maxAttempts = maxAttempts
    }

    /// Queues one item per photo under a new job.
    public func enqueue(jobID: String, userID: String, kind: String, photoIDs: [String], now: Int64) async throws {
        let photoIDs = Array(Set(photoIDs)).sorted()
        try await store.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO jobs (id, user_id, kind, total, created_at)
                VALUES (\(bind: jobID), \(bind: userID), \(bind: kind), \(bind: photoIDs.count), \(bind: now))
                """
            ).run()
            // 200 rows a statement: one round trip instead of one per photo, far under the
            // engines' limits on bound values.
            for start in stride(from: 0, to: photoIDs.count, by: 200) {
                var insert: SQLQueryString =
                    "INSERT INTO job_items (job_id, photo_id, user_id, state, available_at) VALUES "
                for (index, photoID) in photoIDs[start..<min(photoIDs.count, start + 200)].enumerated() {
                    insert.appendInterpolation(
                        unsafeRaw: index == 0 ? "(" : ", (")
                    insert.appendInterpolation(binds: [jobID, photoID, userID, "queued", now])
                    insert.appendInterpolation(unsafeRaw: ")")
                }
                try await sql.raw(insert).run()
            }
        }
    }

    /// Leases the next ready item to `owner`, or nil when nothing is ready. Items whose lease
    /// expired after their last attempt are failed first.
    public func claim(owner: String, now: Int64) async throws -> JobItem? {
        let expiryDue = claims.lastExpiry.withLock { last in
            guard last.map({ now - $0 >= 1000 || now < $0 }) ?? true else { return false }
            last = now
            return true
        }
        if expiryDue {
            try await store.sql.raw(
                """
                UPDATE job_items SET state = 'failed', finished_at = \(bind: now),
                    error = \(bind: "the worker analysing it stopped \(maxAttempts) times")
                WHERE state = 'leased' AND lease_until <= \(bind: now) AND attempts >= \(bind: maxAttempts)
                """
            ).run()
        }
        let lock = store.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let row = try await store.sql.raw(
            """
            UPDATE job_items SET state = 'leased', attempts = attempts + 1, lease_owner = \(bind: owner),
                lease_until = \(bind: now + leaseMilliseconds)
            WHERE (job_id, photo_id) = (
                SELECT job_id, photo_id FROM job_items
                WHERE (state = 'queued' AND available_at <= \(bind: now))
                   OR (state = 'leased' AND lease_until <= \(bind: now) AND attempts < \(bind: maxAttempts))
                ORDER BY available_at, job_id, photo_id LIMIT 1\(unsafeRaw: lock))
            RETURNING job_id, photo_id, user_id, attempts,
                (SELECT content_hash FROM photos
                 WHERE photos.id = job_items.photo_id AND photos.user_id = job_items.user_id) AS content_hash
            """
        ).first()
        guard let row else { return nil }
        let jobID = try row.decode(column: "job_id", as: String.self)
        return JobItem(
            jobID: jobID, photoID: try row.decode(column: "photo_id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self), kind: try await kind(of: jobID),
            attempt: Int(try row.decode(column: "attempts", as: Int64.self)), leaseOwner: owner,
            contentHash: try row.decode(column: "content_hash", as: String?.self))
    }

    func kind(of jobID: String) async throws -> String {
        if let kind = claims.kinds.withLock({ $0[jobID] }) { return kind }
        let kind =
            try await store.sql.raw("SELECT kind FROM jobs WHERE id = \(bind: jobID)").first()?
            .decode(column: "kind", as: String.self) ?? ""
        claims.kinds.withLock { kinds in
            if kinds.count >= 10_000 { kinds.removeAll() }
            kinds[jobID] = kind
        }
        return kind
    }

    /// Marks the item done; false when the lease was lost meanwhile (another worker has it).
    @discardableResult
    public func complete(_ item: JobItem, now: Int64) async throws -> Bool {
        try await finish(item, state: "done", error: nil, now: now)
    }

    /// Records a failure: retried later with backoff while attempts remain and `retryable`,
    /// otherwise failed for good with `reason`.
    public func fail(_ item: JobItem, reason: String, retryable: Bool, now: Int64) async throws {
        guard retryable, item.attempt < maxAttempts else {
            try await finish(item, state: "failed", error: reason, now: now)
            return
        }
        let backoff = Int64(1000) << Int64(min(6, item.attempt - 1))
        try await store.sql.raw(
            """
            UPDATE job_items SET state = 'queued', available_at = \(bind: now + backoff), lease_owner = NULL,
                lease_until = NULL, error = \(bind: reason)
            WHERE job_id = \(bind: item.jobID) AND photo_id = \(bind: item.photoID) AND lease_owner = \(bind: item.leaseOwner)
                AND state = 'leased'
            """
        ).run()
    }

    public func extendLease(_ item: JobItem, now: Int64) async throws -> Bool {
        !(try await store.sql.raw(
            """
            UPDATE job_items SET lease_until = \(bind: now + leaseMilliseconds)
            WHERE job_id = \(bind: item.jobID) AND photo_id = \(bind: item.photoID)
                AND lease_owner = \(bind: item.leaseOwner) AND state = 'leased'
            RETURNING photo_id
            """
        ).all()).isEmpty
    }

    /// Hands back everything `owner` holds (graceful shutdown): ready at once, the attempt
    /// not counted.
    public func release(owner: String, now: Int64) async throws {
        try await store.sql.raw(
            """
            UPDATE job_items SET state = 'queued', available_at = \(bind: now), lease_owner = NULL,
                lease_until = NULL, attempts = attempts - 1
            WHERE state = 'leased' AND lease_owner = \(bind: owner)
            """
        ).run()
    }

    /// The job's progress, for its owner only.
    public func status(jobID: String, userID: String) async throws -> JobStatus? {
        guard
            let job = try await store.sql.raw(
                "SELECT kind, total FROM jobs WHERE id = \(bind: jobID) AND user_id = \(bind: userID)"
            ).first()
        else { return nil }
        let rows = try await store.sql.raw(
            "SELECT photo_id, state, error FROM job_items WHERE job_id = \(bind: jobID)"
        ).all()
        var done = 0, failed = 0, started = false
        var errors: [String: String] = [:]
        for row in rows {
            switch try row.decode(column: "state", as: String.self) {
            case "done": done += 1
            case "failed":
                failed += 1
                errors[try row.decode(column: "photo_id", as: String.self)] =
                    try row.decode(column: "error", as: String?.self) ?? "failed"
            case "leased": started = true
            default: break
            }
        }
        let total = Int(try job.decode(column: "total", as: Int64.self))
        let state: JobStatus.State =
            done + failed == total
            ? (failed == total && total > 0 ? .failed : .done)
            : (started || done + failed > 0 ? .running : .queued)
        return JobStatus(
            id: jobID, userID: userID, kind: try job.decode(column: "kind", as: String.self), state: state,
            total: total, done: done, failed: failed, errors: errors)
    }

    /// The user's photos waiting or running in any job of `kind`.
    public func pendingPhotoIDs(userID: String, kind: String) async throws -> Set<String> {
        Set(
            try await store.sql.raw(
                """
                SELECT DISTINCT photo_id FROM job_items
                WHERE user_id = \(bind: userID) AND state IN ('queued', 'leased')
                    AND job_id IN (SELECT id FROM jobs WHERE user_id = \(bind: userID) AND kind = \(bind: kind))
                """
            ).all().map { try $0.decode(column: "photo_id", as: String.self) })
    }

    /// Items not yet finished, across all jobs (queue depth for /metrics).
    public func depth() async throws -> Int {
        let row = try await store.sql.raw(
            "SELECT COUNT(*) AS depth FROM job_items WHERE state IN ('queued', 'leased')"
        ).first()
        return Int(try row?.decode(column: "depth", as: Int64.self) ?? 0)
    }

    @discardableResult
    private func finish(_ item: JobItem, state: String, error: String?, now: Int64) async throws -> Bool {
        let rows = try await store.sql.raw(
            """
            UPDATE job_items SET state = \(bind: state), error = \(bind: error), finished_at = \(bind: now),
                lease_owner = NULL, lease_until = NULL
            WHERE job_id = \(bind: item.jobID) AND photo_id = \(bind: item.photoID)
                AND lease_owner = \(bind: item.leaseOwner) AND state = 'leased'
            RETURNING photo_id
            """
        ).all()
        return !rows.isEmpty
    }
}
