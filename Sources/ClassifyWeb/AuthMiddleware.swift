import ClassifyCore
import ClassifyServices
import Foundation
import HTTPTypes
import Hummingbird

/// Recognises the caller: `Authorization: Bearer <JWT>` first, else the page's session
/// cookie. Routes decide whether a caller is required (`requireUser()`).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ClassifyRequestContext
    let auth: any AuthService
    let sessions: SessionService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            do {
                context.userID = try await auth.verify(accessToken: String(header.dropFirst("Bearer ".count)))
            } catch {
                // Refused by the routes that need a caller; health and docs still answer.
                context.tokenProblem = "\(error)"
            }
        } else if let cookie = request.cookies[SessionService.cookieName]?.value, !cookie.isEmpty,
            let userID = try await sessions.user(session: cookie, now: Date())
        {
            context.userID = userID
            context.sessionToken = cookie
        }
        return try await next(request, context)
    }
}

/// For callers recognised by the cookie, unsafe methods must carry the session's CSRF token
/// in `X-CSRF-Token` (the page reads it from its `<meta name="csrf-token">`). Bearer callers
/// are exempt: a browser never adds that header across sites.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = ClassifyRequestContext
    static let header = HTTPField.Name("X-CSRF-Token")!
    let sessions: SessionService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let session = context.sessionToken, ![.get, .head, .options].contains(request.method) {
            guard let token = request.headers[Self.header], sessions.verifyCSRF(token, session: session) else {
                throw APIError(.forbidden, code: "csrf", "missing or wrong CSRF token: reload the page and try again")
            }
        }
        return try await next(request, context)
    }
}
