import Foundation
import HTTPTypes
import Hummingbird

/// An error of a Google JSON API (Picker, Library, UserInfo) in the standard envelope
/// (spec section 4): `{"error": {"code", "message", "status", "details": [ErrorInfo]}}`.
struct GoogleAPIError: Error, Equatable {
    var status: HTTPResponse.Status
    var rpcStatus: String
    var message: String
    var reason: String?
    var metadata: [String: String] = [:]
    var retryAfter: Int?

    static func invalidArgument(_ message: String) -> Self {
        .init(status: .badRequest, rpcStatus: "INVALID_ARGUMENT", message: message)
    }
    static func failedPrecondition(_ message: String) -> Self {
        .init(status: .badRequest, rpcStatus: "FAILED_PRECONDITION", message: message)
    }
    static func notFound(_ message: String = "Requested entity was not found.") -> Self {
        .init(status: .notFound, rpcStatus: "NOT_FOUND", message: message)
    }
    static func permissionDenied(_ message: String) -> Self {
        .init(status: .forbidden, rpcStatus: "PERMISSION_DENIED", message: message)
    }
    static func unauthenticated(reason: String = "ACCESS_TOKEN_EXPIRED") -> Self {
        .init(
            status: .unauthorized, rpcStatus: "UNAUTHENTICATED",
            message:
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            reason: reason)
    }
    static func insufficientScopes(service: String, method: String) -> Self {
        .init(
            status: .forbidden, rpcStatus: "PERMISSION_DENIED",
            message: "Request had insufficient authentication scopes.",
            reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT", metadata: ["service": service, "method": method])
    }
    static func resourceExhausted(_ message: String, retryAfter: Int? = nil) -> Self {
        .init(
            status: .tooManyRequests, rpcStatus: "RESOURCE_EXHAUSTED", message: message, reason: "RATE_LIMIT_EXCEEDED",
            retryAfter: retryAfter)
    }

    /// The google.rpc.Code name for an HTTP status the fault injector was asked to answer.
    static func rpcName(for status: Int) -> String {
        switch status {
        case 400: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 409: "ABORTED"
        case 429: "RESOURCE_EXHAUSTED"
        case 501: "UNIMPLEMENTED"
        case 503: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        default: "INTERNAL"
        }
    }

    var response: Response {
        var details: [[String: Any]] = []
        if let reason {
            details.append([
                "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
                "metadata": metadata,
            ])
        }
        var error: [String: Any] = ["code": status.code, "message": message, "status": rpcStatus]
        if !details.isEmpty { error["details"] = details }
        var response = FakeHTTP.json(["error": error], status: status)
        if status == .unauthorized {
            response.headers[.wwwAuthenticate] =
                #"Bearer realm="https://accounts.google.com/", error="invalid_token""#
        }
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// An error of the OAuth token or revocation endpoint: RFC 6749 style
/// `{"error": "...", "error_description": "..."}` (spec 1.5 and 1.6).
struct OAuthError: Error, Equatable {
    var status: HTTPResponse.Status
    var error: String
    var description: String

    static func invalidRequest(_ description: String) -> Self {
        .init(status: .badRequest, error: "invalid_request", description: description)
    }
    static let badCode = OAuthError(status: .badRequest, error: "invalid_grant", description: "Bad Request")
    static let deadRefreshToken = OAuthError(
        status: .badRequest, error: "invalid_grant", description: "Token has been expired or revoked.")
    static let clientNotFound = OAuthError(
        status: .unauthorized, error: "invalid_client", description: "The OAuth client was not found.")
    static let badClientSecret = OAuthError(status: .unauthorized, error: "invalid_client", description: "Unauthorized")
    static let redirectURIMismatch = OAuthError(
        status: .badRequest, error: "redirect_uri_mismatch", description: "Bad Request")

    var response: Response {
        var response = FakeHTTP.json(["error": error, "error_description": description], status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
