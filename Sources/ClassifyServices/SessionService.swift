import ClassifyCore
import ClassifyStore
import Crypto
import Foundation

/// The page's cookie sessions: a random token in an HttpOnly cookie, stored only as a hash,
/// and a CSRF token derived from it (HMAC), which the page sends back on unsafe requests.
/// A script on another site can make the browser send the cookie, but cannot read the page to
/// learn the CSRF token.
public struct SessionService: Sendable {
    public static let cookieName = "classify_session"

    let users: UserRepository
    let csrfKey: SymmetricKey
    public let lifetimeSeconds: Int

    /// `secret` is the server's signing secret (≥ 32 bytes); the CSRF key is derived from it
    /// so that the two uses never share a key.
    public init(secret: [UInt8], users: UserRepository, lifetimeSeconds: Int = 30 * 86_400) {
        precondition(secret.count >= 32, "session secrets must be at least 32 bytes")
        self.users = users
        self.lifetimeSeconds = lifetimeSeconds
        csrfKey = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(
                for: Data("classify csrf key".utf8), using: SymmetricKey(data: secret)))
    }

    /// Starts a session for the user and returns the token to put in the cookie.
    public func start(userID: String, now: Date) async throws -> String {
        let token = Self.randomToken()
        let nowMs = TokenService.milliseconds(now)
        try await users.storeSession(
            hash: TokenService.hash(token), userID: userID, now: nowMs,
            expiresAt: nowMs + Int64(lifetimeSeconds) * 1000)
        return token
    }

    /// The user of a live session, or nil.
    public func user(session token: String, now: Date) async throws -> String? {
        guard token.utf8.count <= 256 else { return nil }
        return try await users.sessionUser(hash: TokenService.hash(token), now: TokenService.milliseconds(now))
    }

    public func end(session token: String) async throws {
        try await users.deleteSession(hash: TokenService.hash(token))
    }

    public func endAll(userID: String, now: Date) async throws {
        try await users.deleteSessions(userID: userID, now: TokenService.milliseconds(now))
    }

    /// The CSRF token that belongs to a session.
    public func csrfToken(session token: String) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: csrfKey))
    }

    /// Whether `candidate` is the session's CSRF token (compared in constant time).
    public func verifyCSRF(_ candidate: String, session token: String) -> Bool {
        guard candidate.utf8.count == 64, let bytes = Self.hexBytes(candidate) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data(token.utf8), using: csrfKey)
    }

    static func randomToken() -> String {
        var random = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) })
            .base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
