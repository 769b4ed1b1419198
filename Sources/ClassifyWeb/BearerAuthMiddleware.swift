import ClassifyServices
import Hummingbird

/// Reads `Authorization: Bearer <JWT>` and, when valid, records the caller on the context.
/// Routes decide whether a caller is required (`requireUser()`).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ClassifyRequestContext
    let tokens: TokenService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            do {
                context.userID = try await tokens.verify(accessToken: String(header.dropFirst("Bearer ".count)))
            } catch {
                throw APIError(.unauthorized, code: "invalid_token", error.description)
            }
        }
        return try await next(request, context)
    }
}
