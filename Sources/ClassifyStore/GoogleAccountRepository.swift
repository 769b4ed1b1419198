import ClassifyCore
import SQLKit

/// Google sign-in in the auth database: users keyed by Google's `sub`, their (sealed) tokens,
/// and the state of each sign-in in flight. This type never sees a token in clear: callers
/// seal and open them (TokenCipher).
public struct GoogleAccountRepository: Sendable {
    let store: StoreConnection

    public init(store: StoreConnection) {
        self.store = store
    }

    // MARK: Sign-in states (single use)

    public struct PendingSignIn: Sendable, Equatable {
        public var sealedCodeVerifier: String
        public var nonce: String
        public var redirectURI: String

        public init(sealedCodeVerifier: String, nonce: String, redirectURI: String) {
            self.sealedCodeVerifier = sealedCodeVerifier
            self.nonce = nonce
            self.redirectURI = redirectURI
        }
    }

    public func storeState(hash: String, _ pending: PendingSignIn, now: Int64, expiresAt: Int64) async throws {
        // Old, never-finished sign-ins go when new ones start.
        try await store.sql.raw("DELETE FROM oauth_states WHERE expires_at <= \(bind: now)").run()
        try await store.sql.raw(
            """
            INSERT INTO oauth_states (state_hash, code_verifier, nonce, redirect_uri, created_at, expires_at)
            VALUES (\(bind: hash), \(bind: pending.sealedCodeVerifier), \(bind: pending.nonce),
                    \(bind: pending.redirectURI), \(bind: now), \(bind: expiresAt))
            """
        ).run()
    }

    /// Takes the state out (so it works once) and returns it if it was live.
    public func consumeState(hash: String, now: Int64) async throws -> PendingSignIn? {
        guard
            let row = try await store.sql.raw(
                "DELETE FROM oauth_states WHERE state_hash = \(bind: hash) RETURNING code_verifier, nonce, redirect_uri, expires_at"
            ).first()
        else { return nil }
        guard try row.decode(column: "expires_at", as: Int64.self) > now else { return nil }
        return PendingSignIn(
            sealedCodeVerifier: try row.decode(column: "code_verifier", as: String.self),
            nonce: try row.decode(column: "nonce", as: String.self),
            redirectURI: try row.decode(column: "redirect_uri", as: String.self))
    }

    // MARK: Users by Google subject

    /// The user of Google account `sub`, created on first sign-in; email and name follow Google's.
    public func ensureUser(sub: String, email: String?, name: String?, newID: String, now: Int64) async throws -> User {
        try await store.sql.raw(
            """
            INSERT INTO users (id, google_sub, email, name, created_at)
            VALUES (\(bind: newID), \(bind: sub), \(bind: email), \(bind: name), \(bind: now))
            ON CONFLICT (google_sub) DO UPDATE SET email = excluded.email, name = excluded.name
            """
        ).run()
        guard
            let row = try await store.sql.raw(
                "SELECT id, email, name, blur_threshold FROM users WHERE google_sub = \(bind: sub)"
            ).first()
        else { throw StoreError.corruptRow(table: "users", reason: "Google user vanished after insert") }
        return User(
            id: try row.decode(column: "id", as: String.self),
            email: try row.decode(column: "email", as: String?.self),
            name: try row.decode(column: "name", as: String?.self),
            blurThreshold: try row.decode(column: "blur_threshold", as: Double.self))
    }

    // MARK: Tokens (sealed)

    public struct StoredTokens: Sendable, Equatable {
        public var sealedAccessToken: String
        public var accessExpiresAt: Int64
        public var sealedRefreshToken: String?
        /// Space-separated, long forms.
        public var scopes: String
        public var needsReauth: Bool

        public init(
            sealedAccessToken: String, accessExpiresAt: Int64, sealedRefreshToken: String?, scopes: String,
            needsReauth: Bool
        ) {
            self.sealedAccessToken = sealedAccessToken
            self.accessExpiresAt = accessExpiresAt
            self.sealedRefreshToken = sealedRefreshToken
            self.scopes = scopes
            self.needsReauth = needsReauth
        }
    }

    /// Stores the tokens of a sign-in or a refresh. A nil refresh token keeps the stored one
    /// (Google's refresh answers carry none).
    public func saveTokens(_ tokens: StoredTokens, userID: String, now: Int64) async throws {
        try await store.sql.raw(
            """
            INSERT INTO google_accounts (user_id, access_token, access_expires_at, refresh_token, scopes, needs_reauth, updated_at)
            VALUES (\(bind: userID), \(bind: tokens.sealedAccessToken), \(bind: tokens.accessExpiresAt),
                    \(bind: tokens.sealedRefreshToken), \(bind: tokens.scopes), \(bind: tokens.needsReauth ? 1 : 0), \(bind: now))
            ON CONFLICT (user_id) DO UPDATE SET
                access_token = excluded.access_token,
                access_expires_at = excluded.access_expires_at,
                refresh_token = COALESCE(excluded.refresh_token, google_accounts.refresh_token),
                scopes = excluded.scopes,
                needs_reauth = excluded.needs_reauth,
                updated_at = excluded.updated_at
            """
        ).run()
    }

    public func tokens(userID: String) async throws -> StoredTokens? {
        guard
            let row = try await store.sql.raw(
                """
                SELECT access_token, access_expires_at, refresh_token, scopes, needs_reauth
                FROM google_accounts WHERE user_id = \(bind: userID)
                """
            ).first()
        else { return nil }
        return StoredTokens(
            sealedAccessToken: try row.decode(column: "access_token", as: String.self),
            accessExpiresAt: try row.decode(column: "access_expires_at", as: Int64.self),
            sealedRefreshToken: try row.decode(column: "refresh_token", as: String?.self),
            scopes: try row.decode(column: "scopes", as: String.self),
            needsReauth: try row.decode(column: "needs_reauth", as: Int64.self) != 0)
    }

    /// Google refused the refresh token: the person must go through consent again.
    public func markNeedsReauth(userID: String, now: Int64) async throws {
        try await store.sql.raw(
            "UPDATE google_accounts SET needs_reauth = 1, updated_at = \(bind: now) WHERE user_id = \(bind: userID)"
        ).run()
    }

    public func deleteTokens(userID: String) async throws {
        try await store.sql.raw("DELETE FROM google_accounts WHERE user_id = \(bind: userID)").run()
    }
}
