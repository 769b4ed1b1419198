import Foundation

/// Where Google lives: the real endpoints by default, each overridable from the environment
/// (DESIGN.md 5.4) so tests and demos can point at the fake Google.
public struct GoogleEndpoints: Sendable, Equatable {
    /// Google's two spellings of the ID-token issuer (spec 1.1): both are accepted by default.
    public static let googleIssuers: Set<String> = ["https://accounts.google.com", "accounts.google.com"]

    /// The authorization page the browser is sent to (`GOOGLE_AUTH_URL`).
    public var authorization: URL
    /// The token endpoint: code exchange and refresh (`GOOGLE_TOKEN_URL`).
    public var token: URL
    /// Revocation (`GOOGLE_REVOKE_URL`).
    public var revocation: URL
    /// OpenID Connect UserInfo (`GOOGLE_USERINFO_URL`).
    public var userInfo: URL
    /// The ID-token signing keys (`GOOGLE_JWKS_URL`).
    public var jwks: URL
    /// Accepted `iss` values of ID tokens (`GOOGLE_ISSUER`).
    public var issuers: Set<String>
    /// Base of the Photos Picker API, without `/v1` (`GOOGLE_PICKER_API_URL`).
    public var pickerAPI: URL
    /// Base of the Photos Library API, without `/v1` (`GOOGLE_PHOTOS_LIBRARY_API_URL`).
    public var photosLibraryAPI: URL

    /// Google's real endpoints.
    public static let google = GoogleEndpoints(
        authorization: URL(string: "https://accounts.google.com/o/oauth2/v2/auth")!,
        token: URL(string: "https://oauth2.googleapis.com/token")!,
        revocation: URL(string: "https://oauth2.googleapis.com/revoke")!,
        userInfo: URL(string: "https://openidconnect.googleapis.com/v1/userinfo")!,
        jwks: URL(string: "https://www.googleapis.com/oauth2/v3/certs")!,
        issuers: googleIssuers,
        pickerAPI: URL(string: "https://photospicker.googleapis.com")!,
        photosLibraryAPI: URL(string: "https://photoslibrary.googleapis.com")!)

    public init(
        authorization: URL, token: URL, revocation: URL, userInfo: URL, jwks: URL, issuers: Set<String>,
        pickerAPI: URL, photosLibraryAPI: URL
    ) {
        self.authorization = authorization
        self.token = token
        self.revocation = revocation
        self.userInfo = userInfo
        self.jwks = jwks
        self.issuers = issuers
        self.pickerAPI = pickerAPI
        self.photosLibraryAPI = photosLibraryAPI
    }

    /// Google's endpoints with the `GOOGLE_*` overrides found in `environment` applied. Empty
    /// values count as unset. A value that is not an absolute http(s) URL is an error naming the
    /// variable.
    public init(environment: [String: String]) throws(GoogleConfigurationError) {
        var endpoints = GoogleEndpoints.google
        func url(_ name: String, _ fallback: URL) throws(GoogleConfigurationError) -> URL {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
                return fallback
            }
            guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(),
                scheme == "https" || scheme == "http", url.host?.isEmpty == false
            else {
                throw GoogleConfigurationError(variable: name, reason: "must be an absolute http(s) URL")
            }
            return url
        }
        endpoints.authorization = try url("GOOGLE_AUTH_URL", endpoints.authorization)
        endpoints.token = try url("GOOGLE_TOKEN_URL", endpoints.token)
        endpoints.revocation = try url("GOOGLE_REVOKE_URL", endpoints.revocation)
        endpoints.userInfo = try url("GOOGLE_USERINFO_URL", endpoints.userInfo)
        endpoints.jwks = try url("GOOGLE_JWKS_URL", endpoints.jwks)
        endpoints.pickerAPI = try url("GOOGLE_PICKER_API_URL", endpoints.pickerAPI)
        endpoints.photosLibraryAPI = try url("GOOGLE_PHOTOS_LIBRARY_API_URL", endpoints.photosLibraryAPI)
        if let issuer = environment["GOOGLE_ISSUER"]?.trimmingCharacters(in: .whitespaces), !issuer.isEmpty {
            // Either Google spelling stands for both; any other value (a fake's) is taken as is.
            endpoints.issuers = Self.googleIssuers.contains(issuer) ? Self.googleIssuers : [issuer]
        }
        self = endpoints
    }
}

/// A configuration value that cannot be used; the message names the variable, never its value.
public struct GoogleConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable) \(reason)" }
}
