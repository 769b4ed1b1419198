import Hummingbird

/// Per-request state: who is calling, once the bearer token has been checked.
public struct ClassifyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var userID: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        userID = nil
    }

    /// The caller's id, or 401 when the route needs one and there is none.
    public func requireUser() throws -> String {
        guard let userID else { throw APIError(.unauthorized, code: "unauthorized", "sign in first") }
        return userID
    }
}
