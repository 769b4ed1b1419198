import Hummingbird
import NIOCore

/// Per-request state: who is calling (once the bearer token or the session cookie has been
/// checked), how, and from where.
public struct ClassifyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var userID: String?
    /// Set when the caller was recognised by the session cookie rather than a bearer token:
    /// unsafe requests then need the CSRF token.
    public var sessionToken: String?
    /// Why the bearer token sent was refused, if it was.
    public var tokenProblem: String?
    /// The peer's IP address (nil in router tests), for the sign-in rate limit.
    public let remoteIP: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        userID = nil
        sessionToken = nil
        tokenProblem = nil
        remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// The caller's id, or 401 when the route needs one and there is none.
    public func requireUser() throws -> String {
        if let tokenProblem { throw APIError(.unauthorized, code: "invalid_token", tokenProblem) }
        guard let userID else { throw APIError(.unauthorized, code: "unauthorized", "sign in first") }
        return userID
    }
}
