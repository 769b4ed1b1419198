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
public final class StoreConnection: @unchecked Sendable {
    public enum Engine: Sendable { case sqlite, postgres }

    public let engine: Engine
    /// The SQLKit view of the database.
    public let sql: any SQLDatabase
    private let sqliteConnection: SQLiteConnection?
    private let postgresPool: EventLoopGroupConnectionPool<PostgresConnectionSource>?

    private init(
        engine: Engine, sql: any SQLDatabase, sqlite: SQLiteConnection?,
        postgres: EventLoopGroupConnectionPool<PostgresConnectionSource>?
    ) {
        self.engine = engine
        self.sql = sql
        self.sqliteConnection = sqlite
        self.postgresPool = postgres
    }

    public static func open(
        url: String, logger: Logger = Logger(label: "classify.store"), maxConnections: Int = 4
    ) async throws -> StoreConnection {
        let group = MultiThreadedEventLoopGroup.singleton
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
        // "database is locked" from its own workers.
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger, on: group.any())
        let sql = connection.sql()
        _ = try await sql.raw("PRAGMA journal_mode = WAL").all()
        _ = try await sql.raw("PRAGMA foreign_keys = ON").all()
        return StoreConnection(engine: .sqlite, sql: sql, sqlite: connection, postgres: nil)
    }

    public func shutdown() async throws {
        try await sqliteConnection?.close()
        try await postgresPool?.shutdownAsync()
    }
}
