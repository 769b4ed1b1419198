import Foundation

/// The scope strings Classify asks for (spec 1.7).
public enum GoogleScopes {
    public static let openID = "openid"
    public static let email = "https://www.googleapis.com/auth/userinfo.email"
    public static let profile = "https://www.googleapis.com/auth/userinfo.profile"
    public static let picker = "https://www.googleapis.com/auth/photospicker.mediaitems.readonly"
    public static let appendOnly = "https://www.googleapis.com/auth/photoslibrary.appendonly"
    public static let readAppCreated = "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata"

    /// Everything Classify's sign-in asks for (issue 4, section 2).
    public static let classify: [String] = ["openid", "email", "profile", picker, appendOnly, readAppCreated]

    /// The long form of a scope: Google answers `email`/`profile` as their userinfo URLs, and the
    /// two forms are equivalent (spec 1.3).
    public static func normalized(_ scope: String) -> String {
        switch scope {
        case "email": email
        case "profile": profile
        default: scope
        }
    }

    /// A space-separated `scope` value as a set of long-form scopes.
    public static func parse(_ value: String) -> Set<String> {
        Set(value.split(whereSeparator: { $0 == " " || $0 == "+" }).map { normalized(String($0)) })
    }
}

/// What the token endpoint hands out. Its descriptions never show a token.
public struct GoogleTokens: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessToken: String
    /// When the access token stops working (from `expires_in`).
    public var expiresAt: Date
    /// Only on a first consent or with `prompt=consent`; refresh answers normally carry none, so
    /// keep the old one (spec 1.4).
    public var refreshToken: String?
    /// For "time-based access" grants only (`refresh_token_expires_in`).
    public var refreshTokenExpiresAt: Date?
    /// Granted scopes, long forms (`email` → `…/userinfo.email`). May be fewer than asked for.
    public var grantedScopes: Set<String>
    /// When `openid` was granted. Verify it with `GoogleIDTokenVerifier` before trusting it.
    public var idToken: String?
    public var tokenType: String

    public init(
        accessToken: String, expiresAt: Date, refreshToken: String? = nil, refreshTokenExpiresAt: Date? = nil,
        grantedScopes: Set<String>, idToken: String? = nil, tokenType: String = "Bearer"
    ) {
        self.accessToken = accessToken
        self.expiresAt = expiresAt
        self.refreshToken = refreshToken
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.grantedScopes = grantedScopes
        self.idToken = idToken
        self.tokenType = tokenType
    }

    /// Whether `scope` (short or long form) was granted.
    public func hasScope(_ scope: String) -> Bool { grantedScopes.contains(GoogleScopes.normalized(scope)) }

    public var description: String {
        "GoogleTokens(expiresAt: \(expiresAt), refreshToken: \(refreshToken == nil ? "none" : "<redacted>"), "
            + "scopes: \(grantedScopes.sorted()), idToken: \(idToken == nil ? "none" : "<redacted>"))"
    }

    public var debugDescription: String { description }
}

/// The parts of a sign-in the browser must bring back: keep `state`, `codeVerifier` and `nonce`
/// server-side (or signed), send the browser to `url`.
public struct GoogleAuthorizationRequest: Sendable, CustomStringConvertible {
    public var url: URL
    public var state: String
    public var codeVerifier: String
    public var nonce: String

    public var description: String { "GoogleAuthorizationRequest(<redacted>)" }
}

/// Why a call to Google's OAuth endpoints failed. Never carries a token or a code.
public enum GoogleOAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `invalid_grant`: the code is used, expired, for another redirect URI or PKCE verifier, or
    /// the refresh token is dead. The user must sign in again.
    case invalidGrant(description: String?)
    /// Any other OAuth error body (`invalid_client`, `redirect_uri_mismatch`, `invalid_token`, …).
    case oauth(status: Int, error: String, description: String?)
    /// 429 or 5xx: try again later, after `retryAfter` seconds when Google said so.
    case retryable(status: Int, retryAfter: TimeInterval?)
    /// No answer (connection refused, timeout, …): may be retried.
    case transport(String)
    /// An answer that is not what Google sends.
    case unexpectedResponse(status: Int, reason: String)

    /// Whether the user must go through the consent flow again.
    public var needsReauthentication: Bool {
        if case .invalidGrant = self { return true }
        return false
    }

    /// Whether the same request may succeed later.
    public var isRetryable: Bool {
        switch self {
        case .retryable, .transport: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .invalidGrant(let description):
            "Google refused the grant (invalid_grant\(description.map { ": \($0)" } ?? "")); sign in again"
        case .oauth(let status, let error, let description):
            "Google OAuth error \(status) \(error)\(description.map { ": \($0)" } ?? "")"
        case .retryable(let status, let retryAfter):
            "Google answered \(status); retry\(retryAfter.map { " after \(Int($0.rounded(.up))) s" } ?? " later")"
        case .transport(let reason): "Could not reach Google: \(reason)"
        case .unexpectedResponse(let status, let reason): "Unexpected answer from Google (\(status)): \(reason)"
        }
    }
}
