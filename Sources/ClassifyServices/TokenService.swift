import ClassifyCore
import ClassifyStore
import Crypto
import Foundation
import JWTKit

/// Short-lived access JWTs (HS256) and rotating refresh tokens (random, stored hashed).
public struct TokenService: Sendable {
    public typealias Pair = TokenPair

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidAccessToken
        case invalidRefreshToken

        public var description: String {
            switch self {
            case .invalidAccessToken: "the access token is invalid or expired"
            case .invalidRefreshToken: "the refresh token is invalid, expired or already used"
            }
        }
    }

    struct AccessClaims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    let keys: JWTKeyCollection
    let users: UserRepository
    public let accessSeconds: Int
    public let refreshSeconds: Int

    /// `secret` must be at least 32 bytes (shorter HMAC keys are refused).
    public init(secret: [UInt8], users: UserRepository, accessSeconds: Int = 900, refreshSeconds: Int = 30 * 86_400)
        async throws
    {
        precondition(secret.count >= 32, "JWT secrets must be at least 32 bytes")
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        self.users = users
        self.accessSeconds = accessSeconds
        self.refreshSeconds = refreshSeconds
    }

    public func issue(userID: String, now: Date) async throws -> Pair {
        let claims = AccessClaims(
            sub: .init(value: userID), exp: .init(value: now.addingTimeInterval(Double(accessSeconds))),
            iat: .init(value: now))
        let access = try await keys.sign(claims)
        var random = SystemRandomNumberGenerator()
        let refresh = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) })
            .base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        try await users.storeRefreshToken(
            hash: Self.hash(refresh), userID: userID, expiresAt: Self.milliseconds(now) + Int64(refreshSeconds) * 1000)
        return Pair(accessToken: access, refreshToken: refresh, expiresIn: accessSeconds)
    }

    /// The user id of a valid, unexpired access token.
    public func verify(accessToken: String) async throws(Failure) -> String {
        do {
            return try await keys.verify(accessToken, as: AccessClaims.self).sub.value
        } catch {
            throw .invalidAccessToken
        }
    }

    /// Uses up `refreshToken` and issues a new pair for its user.
    public func refresh(_ refreshToken: String, now: Date) async throws -> Pair {
        guard
            let userID = try await users.consumeRefreshToken(hash: Self.hash(refreshToken), now: Self.milliseconds(now))
        else { throw Failure.invalidRefreshToken }
        return try await issue(userID: userID, now: now)
    }

    public func logout(userID: String, now: Date) async throws {
        try await users.revokeRefreshTokens(userID: userID, now: Self.milliseconds(now))
    }

    static func hash(_ token: String) -> String {
        Hex.string(SHA256.hash(data: Data(token.utf8)))
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
