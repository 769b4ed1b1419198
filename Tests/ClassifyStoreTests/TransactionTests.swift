import ClassifyCore
import Foundation
import SQLKit
import Testing

@testable import ClassifyStore

/// A transaction is isolated from the rest of the process: statements other tasks run while
/// it is open are neither inside it nor undone by its rollback (this once lost writes on
/// SQLite, where everything shared one connection).
@Suite struct TransactionTests {
    struct Abort: Error {}

    @Test(arguments: TestDatabases.Engine.allCases)
    func aRollbackUndoesOnlyItsOwnWork(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await store.sql.raw("CREATE TABLE notes (id TEXT PRIMARY KEY)").run()
            let (inside, insideWaits) = AsyncStream.makeStream(of: Void.self)
            let (outside, outsideDone) = AsyncStream.makeStream(of: Void.self)
            async let rolledBack: Void = {
                do {
                    try await store.transaction { sql in
                        try await sql.raw("INSERT INTO notes (id) VALUES ('in-transaction')").run()
                        insideWaits.yield()
                        // Wait until the other task has written (or given up waiting for the lock).
                        for await _ in outside { break }
                        throw Abort()
                    }
                } catch is Abort {}
            }()
            for await _ in inside { break }
            let other = Task {
                try await store.sql.raw("INSERT INTO notes (id) VALUES ('other-task')").run()
            }
            // SQLite's other connection waits for the write lock; PostgreSQL's does not.
            try await Task.sleep(for: .milliseconds(200))
            outsideDone.yield()
            try await rolledBack
            try await other.value
            let ids = try await store.sql.raw("SELECT id FROM notes").all().map {
                try $0.decode(column: "id", as: String.self)
            }
            #expect(ids == ["other-task"])
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func concurrentEnqueuesAndClaimsLoseNothing(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.photos)
            let queue = SQLJobQueue(store: store, leaseMilliseconds: 60_000, maxAttempts: 3)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for job in 0..<4 {
                    group.addTask {
                        try await queue.enqueue(
                            jobID: "job\(job)", userID: "alice", kind: "analyze",
                            photoIDs: (0..<200).map { "j\(job)-p\($0)" }, now: 0)
                    }
                }
                group.addTask {
                    var claimed = 0
                    for _ in 0..<400 {
                        if let item = try await queue.claim(owner: "w", now: 1) {
                            #expect(try await queue.complete(item, now: 2))
                            claimed += 1
                        }
                    }
                }
                try await group.waitForAll()
            }
            while let item = try await queue.claim(owner: "w", now: 3) { _ = try await queue.complete(item, now: 4) }
            for job in 0..<4 {
                let status = try #require(try await queue.status(jobID: "job\(job)", userID: "alice"))
                #expect(status.total == 200 && status.done == 200 && status.state == .done)
            }
        }
    }

    @Test(arguments: [StoreConnection.SQLiteDurability.normal, .full])
    func sqliteDurabilityIsSetOnBothConnections(_ durability: StoreConnection.SQLiteDurability) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString).sqlite")
            .path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await StoreConnection.open(url: "sqlite:" + path, durability: durability)
        let expected = durability == .full ? 2 : 1
        let plain = try await store.sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
        let inTransaction = try await store.transaction { sql in
            try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
        }
        try await store.shutdown()
        #expect(plain == expected && inTransaction == expected)
    }

    /// Reads, writes and transactions from many tasks at once on one SQLite store: none may
    /// fail with "database is locked" (statements of the one connection once ran at once on
    /// several threads, and a write inside another statement's snapshot failed at once).
    @Test func concurrentStatementsNeverMeetALockedDatabase() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("busy-\(UUID().uuidString).sqlite")
            .path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await StoreConnection.open(url: "sqlite:" + path)
        try await store.sql.raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, task INTEGER, body TEXT)").run()
        for id in 0..<300 {
            try await store.sql.raw("INSERT INTO notes (id, task, body) VALUES (\(bind: id), -1, 'seed')").run()
        }
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var failures = 0
                    for step in 0..<60 {
                        do {
                            switch (task + step) % 3 {
                            case 0: _ = try await store.sql.raw("SELECT * FROM notes").all()
                            case 1:
                                try await store.sql.raw(
                                    "UPDATE notes SET body = \(bind: "t\(task)s\(step)") WHERE id = \(bind: step * 5)"
                                ).run()
                            default:
                                try await store.transaction { sql in
                                    try await sql.raw(
                                        "INSERT INTO notes (task, body) VALUES (\(bind: task), \(bind: "s\(step)"))"
                                    ).run()
                                }
                            }
                        } catch {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        try await store.shutdown()
        #expect(failures == 0)
    }
}
