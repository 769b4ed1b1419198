import SQLKit

/// BEGIN … COMMIT on one connection (SQLKit 3 has sessions, not transactions); any error
/// rolls back and is rethrown. Use `StoreConnection.transaction`, which gives it a connection
/// no other work shares.
enum Transaction {
    static func run<R: Sendable>(
        on database: any SQLDatabase, begin: String = "BEGIN",
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        try await database.withSession { session in
            try await session.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(session)
                try await session.raw("COMMIT").run()
                return result
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
