import ClassifyCore
import SQLKit

/// Users and their refresh tokens in the auth database. Refresh tokens are stored only as
/// hashes; using one revokes it (rotation), so a stolen token works at most once.
public struct UserRepository: Sendable {
    let store: StoreConnection

    public init(store: StoreConnection) {
        self.store = store
    }

    /// The user with `id`, created with these details if new.
    public func ensureUser(id: String, email: String?, name: String?, now: Int64) async throws -> User {
        try await store.sql.raw(
            """
            INSERT INTO users (id, email, name, created_at) VALUES (\(bind: id), \(bind: email), \(bind: name), \(bind: now))
            ON CONFLICT (id) DO NOTHING
            """
        ).run()
        guard let user = try await user(id: id) else {
            throw StoreError.corruptRow(table: "users", reason: "user \(id) vanished after insert")
        }
        return user
    }

    public func user(id: String) async throws -> User? {
        guard let row = try await store.sql.raw("SELECT * FROM users WHERE id = \(bind: id)").first() else {
            return nil
        }
        return User(
            id: try row.decode(column: "id", as: String.self),
            email: try row.decode(column: "email", as: String?.self),
            name: try row.decode(column: "name", as: String?.self),
            blurThreshold: try row.decode(column: "blur_threshold", as: Double.self))
    }

    /// Sets the person's blur threshold; false when there is no such user.
    @discardableResult
    public func setThreshold(_ threshold: Double, userID: String) async throws -> Bool {
        !(try await store.sql.raw(
            "UPDATE users SET blur_threshold = \(bind: threshold) WHERE id = \(bind: userID) RETURNING id"
        ).all()).isEmpty
    }

    public func storeRefreshToken(hash: String, userID: String, expiresAt: Int64) async throws {
        try await store.sql.raw(
            """
            INSERT INTO refresh_tokens (token_hash, user_id, expires_at)
            VALUES (\(bind: hash), \(bind: userID), \(bind: expiresAt))
            """
        ).run()
    }

    /// Revokes the token and returns its user, if it was live; nil for unknown, used or
    /// expired tokens. One statement, so two concurrent uses cannot both succeed.
    public func consumeRefreshToken(hash: String, now: Int64) async throws -> String? {
        try await store.sql.raw(
            """
            UPDATE refresh_tokens SET revoked_at = \(bind: now)
            WHERE token_hash = \(bind: hash) AND revoked_at IS NULL AND expires_at > \(bind: now)
            RETURNING user_id
            """
        ).first()?.decode(column: "user_id", as: String.self)
    }

    public func revokeRefreshTokens(userID: String, now: Int64) async throws {
        try await store.sql.raw(
            "UPDATE refresh_tokens SET revoked_at = \(bind: now) WHERE user_id = \(bind: userID) AND revoked_at IS NULL"
        ).run()
    }

    // MARK: Page sessions (the cookie), stored hashed like refresh tokens.

    public func storeSession(hash: String, userID: String, now: Int64, expiresAt: Int64) async throws {
        try await store.sql.raw(
            """
            INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
            VALUES (\(bind: hash), \(bind: userID), \(bind: now), \(bind: expiresAt))
            """
        ).run()
    }

    /// The user of a live session, nil for unknown or expired ones.
    public func sessionUser(hash: String, now: Int64) async throws -> String? {
        try await store.sql.raw(
            "SELECT user_id FROM sessions WHERE token_hash = \(bind: hash) AND expires_at > \(bind: now)"
        ).first()?.decode(column: "user_id", as: String.self)
    }

    public func deleteSession(hash: String) async throws {
        try await store.sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: hash)").run()
    }

    /// Ends every page session of the user (logout everywhere) and forgets expired ones.
    public func deleteSessions(userID: String, now: Int64) async throws {
        try await store.sql.raw(
            "DELETE FROM sessions WHERE user_id = \(bind: userID) OR expires_at <= \(bind: now)"
        ).run()
    }
}
