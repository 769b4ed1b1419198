@preconcurrency import AsyncKit
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// One database, SQLite or PostgreSQL, behind SQLKit: the same queries and migrations run on
/// both. `sqlite:PATH` (or a plain path) opens a file; `postgres://user@host:port/db` a server.
///
/// The PostgreSQL pool locks internally and the SQLite connection serialises its own work;
/// AsyncKit predates Sendable annotations, hence `@unchecked`.
///
/// Transactions (`transaction`) must not share a connection with other work: on one SQLite
/// connection every other task's statements would run inside the BEGIN … COMMIT, and a
/// ROLLBACK would undo them. PostgreSQL gives each transaction a pooled connection; SQLite gets
/// a second connection, on its own thread, used by one transaction at a time.
public final class StoreConnection: @unchecked Sendable {
    public enum Engine: Sendable { case sqlite, postgres }

    /// When a SQLite commit is on disk (`PRAGMA synchronous`, SQLITE_SYNC). In WAL mode,
    /// `normal` does not wait for the disk at each commit: a killed process loses nothing and
    /// the database never corrupts, but a power cut may roll back the last commits (the job
    /// queue then redoes them). `full` waits at every commit (fsync), which costs the queue a
    /// disk round trip per step. PostgreSQL keeps its own settings.
    public enum SQLiteDurability: String, Sendable { case normal = "NORMAL", full = "FULL" }

    public let engine: Engine
    /// The SQLKit view of the database.
    public let sql: any SQLDatabase
    private let sqliteConnection: SQLiteConnection?
    private let sqliteThread: NIOThreadPool?
    private let sqliteTransactions: (connection: SQLiteConnection, threads: NIOThreadPool, gate: TransactionGate)?
    private let postgresPool: EventLoopGroupConnectionPool<PostgresConnectionSource>?

    private init(
        engine: Engine, sql: any SQLDatabase, sqlite: SQLiteConnection?, sqliteThread: NIOThreadPool? = nil,
        sqliteTransactions: (connection: SQLiteConnection, threads: NIOThreadPool, gate: TransactionGate)? = nil,
        postgres: EventLoopGroupConnectionPool<PostgresConnectionSource>?
    ) {
        self.engine = engine
        self.sql = sql
        self.sqliteConnection = sqlite
        self.sqliteThread = sqliteThread
        self.sqliteTransactions = sqliteTransactions
        self.postgresPool = postgres
    }

    /// Runs `body` in a transaction isolated from every other statement of this process:
    /// all of it commits, or (on any error) none of it.
    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R)
        async throws -> R
    {
        guard let sqliteTransactions else { return try await Transaction.run(on: sql, body) }
        await sqliteTransactions.gate.enter()
        do {
            let result = try await Transaction.run(
                on: sqliteTransactions.connection.sql(), begin: "BEGIN IMMEDIATE", body)
            await sqliteTransactions.gate.leave()
            return result
        } catch {
            await sqliteTransactions.gate.leave()
            throw error
        }
    }

    public static func open(
        url: String, logger: Logger = Logger(label: "classify.store"), maxConnections: Int = 4,
        durability: SQLiteDurability = .normal
    ) async throws -> StoreConnection {
        let group = MultiThreadedEventLoopGroup.singleton
        // The drivers log every statement with its bound values at debug and trace: sealed
        // tokens, upload tokens, picker URLs. They never log below info, whatever LOG_LEVEL says.
        var logger = logger
        if logger.logLevel < .info { logger.logLevel = .info }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: try SQLPostgresConfiguration(url: url)),
                maxConnectionsPerEventLoop: maxConnections, on: group)
            return StoreConnection(
                engine: .postgres, sql: pool.database(logger: logger).sql(), sqlite: nil, postgres: pool)
        }
        guard url.hasPrefix("sqlite:") || url.hasPrefix("/") || url.hasPrefix(".") else {
            throw StoreError.badURL(url)
        }
        let path = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
        // SQLite has one writer: one connection keeps writes in order and never meets
        // "database is locked" from its own workers. It gets a thread of its own: on a pool
        // of several, two statements of the one connection ran at once, interleaving their
        // steps, and a write inside another statement's read snapshot fails at once with
        // "database is locked" (busy_timeout does not apply).
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: thread, logger: logger, on: group.any())
        let sql = connection.sql()
        _ = try await sql.raw("PRAGMA journal_mode = WAL").all()
        try await configure(sql, durability)
        // Transactions get their own connection and thread: while one holds the write lock,
        // the other connection's writes wait (busy_timeout) on threads the transaction
        // does not need.
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let transactions = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threads, logger: logger, on: group.any())
        try await configure(transactions.sql(), durability)
        return StoreConnection(
            engine: .sqlite, sql: sql, sqlite: connection, sqliteThread: thread,
            sqliteTransactions: (transactions, threads, TransactionGate()), postgres: nil)
    }

    private static func configure(_ sql: any SQLDatabase, _ durability: SQLiteDurability) async throws {
        _ = try await sql.raw("PRAGMA foreign_keys = ON").all()
        _ = try await sql.raw("PRAGMA busy_timeout = 15000").all()
        _ = try await sql.raw(SQLQueryString("PRAGMA synchronous = \(unsafeRaw: durability.rawValue)")).all()
    }

    public func shutdown() async throws {
        try await sqliteConnection?.close()
        try await sqliteThread?.shutdownGracefully()
        if let sqliteTransactions {
            try await sqliteTransactions.connection.close()
            try await sqliteTransactions.threads.shutdownGracefully()
        }
        try await postgresPool?.shutdownAsync()
    }
}

/// One transaction at a time on SQLite's transaction connection, in arrival order.
actor TransactionGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
