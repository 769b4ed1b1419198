import SQLKit

#if canImport(Glibc)
    import Glibc
#endif

/// A numbered schema change; the same SQL runs on SQLite and PostgreSQL.
public struct Migration: Sendable {
    public let id: Int
    public let name: String
    public let statements: [String]

    public init(id: Int, name: String, statements: [String]) {
        self.id = id
        self.name = name
        self.statements = statements
    }
}

/// Applies migrations in order, once each, recording them in `classify_migrations`.
public enum Migrator {
    /// Applies what is missing; returns the ids applied now.
    @discardableResult
    public static func migrate(_ store: StoreConnection, _ migrations: [Migration]) async throws -> [Int] {
        let sql = store.sql
        try await sql.raw(
            "CREATE TABLE IF NOT EXISTS classify_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        ).run()
        let done = Set(
            try await sql.raw("SELECT id FROM classify_migrations").all().map {
                try $0.decode(column: "id", as: Int.self)
            })
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.id < $1.id }) where !done.contains(migration.id) {
            do {
                try await store.transaction { transaction in
                    for statement in migration.statements {
                        try await transaction.raw(SQLQueryString(statement)).run()
                    }
                    try await transaction.raw(
                        "INSERT INTO classify_migrations (id, name, applied_at) VALUES (\(bind: migration.id), \(bind: migration.name), \(bind: Clock.milliseconds()))"
                    ).run()
                }
            } catch {
                throw StoreError.migrationFailed(
                    id: migration.id, name: migration.name, reason: String(describing: error))
            }
            applied.append(migration.id)
        }
        return applied
    }
}

enum Clock {
    /// Wall-clock time in milliseconds since 1970.
    static func milliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
