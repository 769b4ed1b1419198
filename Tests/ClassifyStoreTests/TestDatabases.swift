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
            guard let admin = postgresURL else { throw MissingServer() }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let server = try await StoreConnection.open(url: admin, maxConnections: 1)
            try await server.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
            let url = admin.replacingOccurrences(of: "/postgres?", with: "/\(name)?")
            let store = try await StoreConnection.open(url: url)
            do {
                let result = try await body(store)
                try await store.shutdown()
                try await server.sql.raw("DROP DATABASE \(unsafeRaw: name)").run()
                try await server.shutdown()
                return result
            } catch {
                try? await store.shutdown()
                try? await server.shutdown()
                throw error
            }
        }
    }

    /// PostgreSQL tests run whenever the test command runs (it starts a server); outside it,
    /// a missing server is an error rather than a silent skip.
    struct MissingServer: Error, CustomStringConvertible {
        var description: String {
            "CLASSIFY_TEST_POSTGRES_URL is not set: run the tests with scripts/test (it starts PostgreSQL)"
        }
    }
}
