import ClassifyCore
import ClassifyServices
import Foundation
import Hummingbird

/// Sign-in (`POST /api/v1/auth/token`), token refresh, logout and `GET /api/v1/auth/me`.
/// In local mode there is one local user; off loopback it needs LOCAL_PASSWORD. Sign-in is
/// rate limited per client address; logout ends refresh tokens and page sessions alike.
public struct AuthController: Sendable {
    let auth: any AuthService
    let sessions: SessionService
    let limiter: SignInLimiter

    public init(auth: any AuthService, sessions: SessionService, limiter: SignInLimiter) {
        self.auth = auth
        self.sessions = sessions
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
            do {
                let (user, pair) = try await auth.signInLocal(password: body.password)
                return respond(user: user, pair: pair)
            } catch let failure as AuthFailure {
                throw APIError(.unauthorized, code: "invalid_grant", failure.description)
            }
        }
        group.post("auth/refresh") { request, context in
            let body = try await request.decode(as: RefreshRequest.self, context: context)
            do {
                let (user, pair) = try await auth.refresh(body.refresh_token)
                return respond(user: user, pair: pair)
            } catch let failure as AuthFailure {
                throw APIError(.unauthorized, code: "invalid_grant", failure.description)
            }
        }
        group.post("auth/logout") { _, context -> HTTPResponse.Status in
            let userID = try context.requireUser()
            try await auth.logout(userID: userID)
            try await sessions.endAll(userID: userID, now: Date())
            return .noContent
        }
        group.get("auth/me") { _, context -> User in
            guard let user = try await auth.user(id: try context.requireUser()) else {
                throw APIError(.unauthorized, code: "unauthorized", "the account no longer exists")
            }
            return user
        }
    }

    func respond(user: User, pair: TokenPair) -> TokenResponse {
        TokenResponse(
            access_token: pair.accessToken, refresh_token: pair.refreshToken, token_type: "Bearer",
            expires_in: pair.expiresIn, user: user)
    }
}

extension User: ResponseEncodable {}
