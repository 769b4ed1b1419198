import ClassifyStore
import Foundation
import SQLKit

/// Fresh, empty databases for one test: a temporary SQLite file, and a new database on the
/// PostgreSQL server that scripts/with-postgres.sh started (CLASSIFY_TEST_POSTGRES_URL).
enum TestDatabases {
    enum Engine: String, CaseIterable, Sendable { case sqlite, postgres }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["CLASSIFY_TEST_POSTGRES_URL"] }

    /// Runs `body` against a fresh database of `engine`, then removes it.
    static func with<R: Sendable>(
        _ engine: Engine, _ body: @Sendable (StoreConnection) async throws -> R
    ) async throws -> R {
        switch engine {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "store-\(UUID().uuidString).sqlite"
            ).path
            let store = try await StoreConnection.open(url: "sqlite:" + path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                let result = try await body(store)
                try await store.shutdown()
                return result
            } catch {
                try? await store.shutdown()
                throw error
            }
        case .postgres:
            do {
                return try await withPostgres(body)
            } catch {
                throw Self.revealed(error)
            }
        }
    }

    static func withPostgres<R: Sendable>(_ body: @Sendable (StoreConnection) async throws -> R) async throws -> R {
        guard let admin = postgresURL else { throw MissingServer() }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let server = try await StoreConnection.open(url: admin, maxConnections: 1)
        try await createDatabase(name, on: server)
        let url = admin.replacingOccurrences(of: "/postgres?", with: "/\(name)?")
        let store = try await StoreConnection.open(url: url)
        do {
            let result = try await body(store)
            try await store.shutdown()
            // WITH (FORCE): a backend of the closed pool may not have exited yet (PostgreSQL waits
            // only 5 s for it, less than a loaded machine may take).
            try await server.sql.raw("DROP DATABASE \(unsafeRaw: name) WITH (FORCE)").run()
            try await server.shutdown()
            return result
        } catch {
            try? await store.shutdown()
            try? await server.shutdown()
            throw error
        }
    }

    /// PostgresNIO's errors describe themselves only as "Generic description to prevent
    /// accidental leakage of sensitive data"; a test failing on one shows the server's words.
    static func revealed(_ error: any Error) -> any Error {
        "\(error)".contains("PSQLError") ? PostgresFailure(detail: String(reflecting: error)) : error
    }

    struct PostgresFailure: Error, CustomStringConvertible {
        let detail: String
        var description: String { "PostgreSQL: \(detail)" }
    }

    /// CREATE DATABASE copies template1 and is refused while anything else is connected to it
    /// (an autovacuum worker, another test's copy): retried a few times, and the server's own
    /// words reported if it still fails.
    static func createDatabase(_ name: String, on server: StoreConnection) async throws {
        var attempt = 0
        while true {
            do {
                try await server.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
                return
            } catch {
                attempt += 1
                guard attempt < 8 else { throw Failed(detail: String(reflecting: error)) }
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
    }

    struct Failed: Error, CustomStringConvertible {
        let detail: String
        var description: String { "CREATE DATABASE failed: \(detail)" }
    }

    /// PostgreSQL tests run whenever the test command runs (it starts a server); outside it,
    /// a missing server is an error rather than a silent skip.
    struct MissingServer: Error, CustomStringConvertible {
        var description: String {
            "CLASSIFY_TEST_POSTGRES_URL is not set: run the tests with scripts/test (it starts PostgreSQL)"
        }
    }
}
