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
    /// Google sign-in; nil in local mode.
    let google: (any GoogleAccountService)?

    public init(
        auth: any AuthService, sessions: SessionService, limiter: SignInLimiter,
        google: (any GoogleAccountService)? = nil
    ) {
        self.google = google
        self.auth = auth
        self.sessions = sessions
        self.limiter = limiter
    }

    struct TokenRequest: Decodable {
        let grant_type: String
        let password: String?
        /// `authorization_code`: a client that ran Google's code flow itself.
        let code: String?
        let code_verifier: String?
        let redirect_uri: String?
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
            if body.grant_type == "authorization_code", let google {
                guard let code = body.code, let redirectURI = body.redirect_uri else {
                    throw APIError(
                        .badRequest, code: "invalid_request", "authorization_code needs code and redirect_uri")
                }
                do {
                    let user = try await google.signIn(
                        code: code, codeVerifier: body.code_verifier, redirectURI: redirectURI)
                    return respond(user: user, pair: try await auth.issueTokens(userID: user.id))
                } catch let failure as GoogleSignInFailure {
                    throw APIError(
                        failure == .codeRejected ? .badRequest : .badGateway, code: "invalid_grant", failure.description
                    )
                }
            }
            guard google == nil else {
                throw APIError(
                    .badRequest, code: "unsupported_grant_type",
                    "this server signs in with Google: grant_type must be \"authorization_code\"")
            }
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
            try await google?.signOut(userID: userID)
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
