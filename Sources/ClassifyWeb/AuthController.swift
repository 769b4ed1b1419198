import ClassifyCore
import ClassifyServices
import ClassifyStore
import Foundation
import Hummingbird

/// Sign-in (`POST /api/v1/auth/token`), token refresh, logout and `GET /api/v1/auth/me`.
/// In local mode there is one local user; off loopback it needs LOCAL_PASSWORD. Sign-in is
/// rate limited per client address; logout ends refresh tokens and page sessions alike.
public struct AuthController: Sendable {
    public static let localUserID = "local"

    let tokens: TokenService
    let users: UserRepository
    let localPassword: String?
    let limiter: SignInLimiter
    let sessions: SessionService

    public init(
        tokens: TokenService, sessions: SessionService, users: UserRepository, localPassword: String?,
        limiter: SignInLimiter
    ) {
        self.tokens = tokens
        self.sessions = sessions
        self.users = users
        self.localPassword = localPassword
        self.limiter = limiter
    }

    struct TokenRequest: Decodable {
        let grant_type: String
        let password: String?
    }

    struct RefreshRequest: Decodable {
        let refresh_token: String
    }

    struct TokenResponse: ResponseEncodable {
        let access_token: String
        let refresh_token: String
        let token_type: String
        let expires_in: Int
        let user: User
    }

    func register(on group: RouterGroup<ClassifyRequestContext>) {
        group.post("auth/token") { request, context in
            if let wait = await limiter.attempt(from: context.remoteIP) {
                throw APIError(
                    .tooManyRequests, code: "rate_limited", "too many sign-in attempts; try again in \(wait) s",
                    headers: [.retryAfter: String(wait)])
            }
            let body = try await request.decode(as: TokenRequest.self, context: context)
            guard body.grant_type == "local" else {
                throw APIError(.badRequest, code: "unsupported_grant_type", "grant_type must be \"local\" here")
            }
            if let localPassword, !Self.constantTimeEquals(body.password ?? "", localPassword) {
                throw APIError(.unauthorized, code: "invalid_grant", "wrong password")
            }
            let now = Date()
            let user = try await users.ensureUser(
                id: Self.localUserID, email: nil, name: "Local user", now: Int64(now.timeIntervalSince1970 * 1000))
            return try await respond(user: user, pair: tokens.issue(userID: user.id, now: now))
        }
        group.post("auth/refresh") { request, context in
            let body = try await request.decode(as: RefreshRequest.self, context: context)
            let pair: TokenService.Pair
            do {
                pair = try await tokens.refresh(body.refresh_token, now: Date())
            } catch let failure as TokenService.Failure {
                throw APIError(.unauthorized, code: "invalid_grant", failure.description)
            }
            let userID = try await tokens.verify(accessToken: pair.accessToken)
            guard let user = try await users.user(id: userID) else {
                throw APIError(.unauthorized, code: "invalid_grant", "the account no longer exists")
            }
            return respond(user: user, pair: pair)
        }
        group.post("auth/logout") { _, context -> HTTPResponse.Status in
            let userID = try context.requireUser()
            try await tokens.logout(userID: userID, now: Date())
            try await sessions.endAll(userID: userID, now: Date())
            return .noContent
        }
        group.get("auth/me") { _, context -> User in
            guard let user = try await users.user(id: try context.requireUser()) else {
                throw APIError(.unauthorized, code: "unauthorized", "the account no longer exists")
            }
            return user
        }
    }

    func respond(user: User, pair: TokenService.Pair) -> TokenResponse {
        TokenResponse(
            access_token: pair.accessToken, refresh_token: pair.refreshToken, token_type: "Bearer",
            expires_in: pair.expiresIn, user: user)
    }

    /// Compares without stopping at the first difference, so timing says nothing.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = x.count ^ y.count
        for index in 0..<max(x.count, y.count) {
            difference |= Int((index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0))
        }
        return difference == 0
    }
}

extension User: ResponseEncodable {}
