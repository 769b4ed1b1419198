import ClassifyCore
import ClassifyGoogle
import ClassifyStore
import Crypto
import Foundation
import Logging

/// Google sign-in and the stored grant (issue 4, section 2): state (hashed, single use, ten
/// minutes), PKCE S256 and nonce per sign-in; the ID token verified against the JWKS; users
/// keyed by `sub`; Google's tokens sealed with AES-GCM before they are stored, each bound to
/// its user and kind. Access tokens are refreshed a minute before they expire, and at once
/// when Google answers 401; one refresh per user at a time. `invalid_grant` marks the account
/// as needing a new sign-in.
public actor GoogleAccounts: GoogleAccountService {
    public static let stateLifetime: TimeInterval = 600
    /// Refresh this long before the access token expires.
    public static let refreshMargin: TimeInterval = 60

    let oauth: GoogleOAuthClient
    let verifier: GoogleIDTokenVerifier
    let cipher: TokenCipher
    let accounts: GoogleAccountRepository
    let scopes: [String]
    let logger: Logger
    let now: @Sendable () -> Date
    private var refreshes: [String: Task<String, any Error>] = [:]

    public init(
        oauth: GoogleOAuthClient, verifier: GoogleIDTokenVerifier, cipher: TokenCipher,
        accounts: GoogleAccountRepository, scopes: [String] = GoogleScopes.classify,
        logger: Logger = Logger(label: "classify.google"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.oauth = oauth
        self.verifier = verifier
        self.cipher = cipher
        self.accounts = accounts
        self.scopes = scopes
        self.logger = logger
        self.now = now
    }

    static func scope(of feature: GoogleFeature) -> String {
        switch feature {
        case .pick: GoogleScopes.picker
        case .album: GoogleScopes.appendOnly
        case .albumCheck: GoogleScopes.readAppCreated
        }
    }

    static func features(_ scopes: Set<String>) -> Set<GoogleFeature> {
        Set(GoogleFeature.allCases.filter { scopes.contains(scope(of: $0)) })
    }

    static func hash(_ value: String) -> String {
        Hex.string(SHA256.hash(data: Data(value.utf8)))
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    // MARK: Sign-in

    public func beginSignIn(redirectURI: String) async throws -> GoogleSignInStart {
        let request = oauth.authorizationRequest(redirectURI: redirectURI, scopes: scopes)
        let hash = Self.hash(request.state)
        let current = now()
        try await accounts.storeState(
            hash: hash,
            .init(
                sealedCodeVerifier: try cipher.seal(token: request.codeVerifier, associatedData: "pkce:\(hash)"),
                nonce: request.nonce, redirectURI: redirectURI),
            now: Self.milliseconds(current),
            expiresAt: Self.milliseconds(current.addingTimeInterval(Self.stateLifetime)))
        return GoogleSignInStart(url: request.url, state: request.state)
    }

    public func completeSignIn(code: String, state: String) async throws -> User {
        let hash = Self.hash(state)
        guard state.utf8.count <= 256,
            let pending = try await accounts.consumeState(hash: hash, now: Self.milliseconds(now()))
        else { throw GoogleSignInFailure.stateMismatch }
        let codeVerifier: String
        do {
            codeVerifier = try cipher.open(token: pending.sealedCodeVerifier, associatedData: "pkce:\(hash)")
        } catch {
            // Another key sealed it (TOKEN_ENCRYPTION_KEY changed mid-sign-in).
            throw GoogleSignInFailure.stateMismatch
        }
        return try await finish(
            code: code, codeVerifier: codeVerifier, redirectURI: pending.redirectURI, nonce: pending.nonce)
    }

    public func abandonSignIn(state: String) async throws {
        _ = try await accounts.consumeState(hash: Self.hash(state), now: Self.milliseconds(now()))
    }

    public func signIn(code: String, codeVerifier: String?, redirectURI: String) async throws -> User {
        try await finish(code: code, codeVerifier: codeVerifier ?? "", redirectURI: redirectURI, nonce: nil)
    }

    private func finish(code: String, codeVerifier: String, redirectURI: String, nonce: String?) async throws -> User {
        let tokens: GoogleTokens
        do {
            tokens = try await oauth.exchange(code: code, codeVerifier: codeVerifier, redirectURI: redirectURI)
        } catch {
            logger.notice("google sign-in: code exchange failed", metadata: ["error": "\(error)"])
            switch error {
            case .invalidGrant: throw GoogleSignInFailure.codeRejected
            case .retryable, .transport: throw GoogleSignInFailure.googleUnavailable(error.description)
            case .oauth(_, let name, _): throw GoogleSignInFailure.google(name)
            case .unexpectedResponse: throw GoogleSignInFailure.googleUnavailable(error.description)
            }
        }
        guard let idToken = tokens.idToken else { throw GoogleSignInFailure.noIdentity }
        let identity: GoogleIdentity
        do {
            identity = try await verifier.verify(idToken, nonce: nonce)
        } catch {
            logger.warning("google sign-in: ID token refused", metadata: ["error": "\(error)"])
            throw GoogleSignInFailure.unverifiedIdentity(error.description)
        }
        let current = Self.milliseconds(now())
        let user = try await accounts.ensureUser(
            sub: identity.subject, email: identity.email, name: identity.name,
            newID: "g-" + UUID().uuidString.lowercased(), now: current)
        try await save(tokens, userID: user.id, now: current)
        logger.info(
            "google sign-in",
            metadata: [
                "user.id": "\(user.id)", "features": "\(Self.features(tokens.grantedScopes).map(\.rawValue).sorted())",
            ])
        return user
    }

    private func save(_ tokens: GoogleTokens, userID: String, now: Int64, keepScopes: String? = nil) async throws {
        let scopes =
            tokens.grantedScopes.isEmpty ? (keepScopes ?? "") : tokens.grantedScopes.sorted().joined(separator: " ")
        try await accounts.saveTokens(
            .init(
                sealedAccessToken: try cipher.seal(token: tokens.accessToken, associatedData: "access:\(userID)"),
                accessExpiresAt: Self.milliseconds(tokens.expiresAt),
                sealedRefreshToken: try tokens.refreshToken.map {
                    try cipher.seal(token: $0, associatedData: "refresh:\(userID)")
                },
                scopes: scopes, needsReauth: false),
            userID: userID, now: now)
    }

    public func connection(userID: String) async throws -> GoogleConnection {
        guard let stored = try await accounts.tokens(userID: userID) else {
            return GoogleConnection(connected: false, needsReauth: false, features: [])
        }
        return GoogleConnection(
            connected: true, needsReauth: stored.needsReauth,
            features: Self.features(GoogleScopes.parse(stored.scopes)))
    }

    public func signOut(userID: String) async throws {
        guard let stored = try await accounts.tokens(userID: userID) else { return }
        // Revoking the refresh token ends the whole grant; the access token is enough too.
        let token =
            try? stored.sealedRefreshToken.map { try cipher.open(token: $0, associatedData: "refresh:\(userID)") }
            ?? cipher.open(token: stored.sealedAccessToken, associatedData: "access:\(userID)")
        if let token {
            do {
                try await oauth.revoke(token: token)
            } catch {
                // Already dead is fine; anything else is logged, and the tokens are forgotten anyway.
                logger.notice("google revoke at sign-out failed", metadata: ["error": "\(error)"])
            }
        }
        try await accounts.deleteTokens(userID: userID)
    }

    // MARK: Access tokens for the Photos APIs

    /// A live access token of the person for `feature`, refreshed first if it expires within
    /// a minute.
    public func accessToken(userID: String, for feature: GoogleFeature) async throws -> String {
        guard let stored = try await accounts.tokens(userID: userID) else { throw GoogleAccessFailure.notConnected }
        guard !stored.needsReauth else { throw GoogleAccessFailure.needsReauth }
        guard Self.features(GoogleScopes.parse(stored.scopes)).contains(feature) else {
            throw GoogleAccessFailure.missingFeature(feature)
        }
        let expiresAt = Date(timeIntervalSince1970: Double(stored.accessExpiresAt) / 1000)
        if expiresAt.timeIntervalSince(now()) > Self.refreshMargin {
            return try cipher.open(token: stored.sealedAccessToken, associatedData: "access:\(userID)")
        }
        return try await refreshed(userID: userID)
    }

    /// After Google answered 401 to `rejected`: a newer token if one was stored meanwhile,
    /// else a refresh.
    public func accessToken(userID: String, replacing rejected: String) async throws -> String {
        guard let stored = try await accounts.tokens(userID: userID) else { throw GoogleAccessFailure.notConnected }
        guard !stored.needsReauth else { throw GoogleAccessFailure.needsReauth }
        let current = try cipher.open(token: stored.sealedAccessToken, associatedData: "access:\(userID)")
        if current != rejected { return current }
        return try await refreshed(userID: userID)
    }

    /// One refresh per user at a time; concurrent callers share its answer.
    private func refreshed(userID: String) async throws -> String {
        if let running = refreshes[userID] { return try await running.value }
        let task = Task { try await self.refresh(userID: userID) }
        refreshes[userID] = task
        defer { refreshes[userID] = nil }
        return try await task.value
    }

    private func refresh(userID: String) async throws -> String {
        guard let stored = try await accounts.tokens(userID: userID) else { throw GoogleAccessFailure.notConnected }
        guard let sealed = stored.sealedRefreshToken,
            let refreshToken = try? cipher.open(token: sealed, associatedData: "refresh:\(userID)")
        else {
            try await accounts.markNeedsReauth(userID: userID, now: Self.milliseconds(now()))
            throw GoogleAccessFailure.needsReauth
        }
        do {
            let tokens = try await oauth.refresh(refreshToken: refreshToken)
            try await save(tokens, userID: userID, now: Self.milliseconds(now()), keepScopes: stored.scopes)
            logger.debug("google access token refreshed", metadata: ["user.id": "\(userID)"])
            return tokens.accessToken
        } catch let error as GoogleOAuthError {
            if error.needsReauthentication {
                logger.notice("google refresh token refused; sign-in needed", metadata: ["user.id": "\(userID)"])
                try await accounts.markNeedsReauth(userID: userID, now: Self.milliseconds(now()))
                throw GoogleAccessFailure.needsReauth
            }
            throw GoogleAccessFailure.unavailable(error.description)
        }
    }
}
