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
    /// The peer's IP address (nil in router tests), for the sign-in rate limit.
    public let remoteIP: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        userID = nil
        sessionToken = nil
        remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// The caller's id, or 401 when the route needs one and there is none.
    public func requireUser() throws -> String {
        guard let userID else { throw APIError(.unauthorized, code: "unauthorized", "sign in first") }
        return userID
    }
}
