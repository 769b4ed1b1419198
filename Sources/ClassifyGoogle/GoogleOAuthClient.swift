import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore

/// Google's OAuth 2.0 web-server flow (spec 1.2–1.6): the authorization URL, code exchange,
/// refresh and revocation. Client authentication goes in the body (`client_secret_post`).
/// Log lines and errors name the endpoint and the outcome, never a token, code or secret.
public struct GoogleOAuthClient: Sendable {
    public let clientID: String
    private let clientSecret: String
    public let endpoints: GoogleEndpoints
    private let httpClient: HTTPClient
    /// Deadline of every request.
    public let timeout: Duration
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        clientID: String, clientSecret: String, endpoints: GoogleEndpoints = .google,
        httpClient: HTTPClient = .shared, timeout: Duration = .seconds(15),
        logger: Logger = Logger(label: "classify.google.oauth"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.endpoints = endpoints
        self.httpClient = httpClient
        self.timeout = timeout
        self.logger = logger
        self.now = now
    }

    // MARK: Authorization request

    /// A fresh authorization request: random `state` and `nonce`, a PKCE S256 verifier and
    /// challenge, `access_type=offline`, `prompt=consent`, `include_granted_scopes=true`.
    public func authorizationRequest(
        redirectURI: String, scopes: [String], loginHint: String? = nil
    ) -> GoogleAuthorizationRequest {
        let state = Self.randomToken(bytes: 32)
        let verifier = Self.randomToken(bytes: 48)  // 64 characters of [A-Za-z0-9_-]
        let nonce = Self.randomToken(bytes: 24)
        var pairs: [(String, String)] = [
            ("client_id", clientID),
            ("redirect_uri", redirectURI),
            ("response_type", "code"),
            ("scope", scopes.joined(separator: " ")),
            ("state", state),
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("include_granted_scopes", "true"),
            ("code_challenge", Self.codeChallenge(for: verifier)),
            ("code_challenge_method", "S256"),
            ("nonce", nonce),
        ]
        if let loginHint { pairs.append(("login_hint", loginHint)) }
        var components = URLComponents(url: endpoints.authorization, resolvingAgainstBaseURL: false)!
        let existing = components.percentEncodedQuery.map { $0 + "&" } ?? ""
        components.percentEncodedQuery = existing + GoogleHTTP.form(pairs)
        return GoogleAuthorizationRequest(url: components.url!, state: state, codeVerifier: verifier, nonce: nonce)
    }

    /// BASE64URL(SHA256(verifier)) without padding (RFC 7636, S256).
    public static func codeChallenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedNoPadding()
    }

    /// `bytes` random bytes, base64url without padding.
    static func randomToken(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            .base64URLEncodedNoPadding()
    }

    // MARK: Token endpoint

    /// Exchanges an authorization code (spec 1.3). `redirectURI` must be the one of the request.
    /// An empty `codeVerifier` (a request made without PKCE) is left out: Google refuses a
    /// verifier for a code that was issued without a challenge.
    public func exchange(
        code: String, codeVerifier: String, redirectURI: String
    ) async throws(GoogleOAuthError) -> GoogleTokens {
        var pairs = [("code", code), ("redirect_uri", redirectURI)]
        if !codeVerifier.isEmpty { pairs.append(("code_verifier", codeVerifier)) }
        return try await tokenRequest(grant: "authorization_code", pairs)
    }

    /// Gets a new access token (spec 1.4). The answer normally has no refresh token: keep the old.
    /// `scopes` may narrow the grant.
    public func refresh(refreshToken: String, scopes: [String]? = nil) async throws(GoogleOAuthError) -> GoogleTokens {
        var pairs = [("refresh_token", refreshToken)]
        if let scopes { pairs.append(("scope", scopes.joined(separator: " "))) }
        return try await tokenRequest(grant: "refresh_token", pairs)
    }

    /// Revokes an access or refresh token, and with it the whole grant (spec 1.6). An unknown or
    /// already dead token gives `.oauth(status: 400, error: "invalid_token", …)`.
    public func revoke(token: String) async throws(GoogleOAuthError) {
        let reply = try await postForm(endpoints.revocation, [("token", token)], operation: "revoke")
        guard reply.status == 200 else { throw failure(reply, operation: "revoke") }
    }

    private func tokenRequest(grant: String, _ pairs: [(String, String)]) async throws(GoogleOAuthError)
        -> GoogleTokens
    {
        let form =
            [("grant_type", grant)] + pairs + [("client_id", clientID), ("client_secret", clientSecret)]
        let started = now()
        let reply = try await postForm(endpoints.token, form, operation: grant)
        guard reply.status == 200 else { throw failure(reply, operation: grant) }
        guard let body = try? JSONDecoder().decode(TokenResponse.self, from: Data(reply.body)) else {
            throw .unexpectedResponse(status: reply.status, reason: "token answer is not the expected JSON")
        }
        guard !body.access_token.isEmpty else {
            throw .unexpectedResponse(status: reply.status, reason: "token answer has no access_token")
        }
        if let type = body.token_type, type.caseInsensitiveCompare("Bearer") != .orderedSame {
            throw .unexpectedResponse(status: reply.status, reason: "token_type is not Bearer")
        }
        return GoogleTokens(
            accessToken: body.access_token,
            expiresAt: started.addingTimeInterval(body.expires_in ?? 3599),
            refreshToken: body.refresh_token,
            refreshTokenExpiresAt: body.refresh_token_expires_in.map { started.addingTimeInterval($0) },
            grantedScopes: GoogleScopes.parse(body.scope ?? ""),
            idToken: body.id_token,
            tokenType: body.token_type ?? "Bearer")
    }

    private struct TokenResponse: Decodable {
        var access_token: String
        var expires_in: Double?
        var refresh_token: String?
        var refresh_token_expires_in: Double?
        var scope: String?
        var token_type: String?
        var id_token: String?
    }

    private func postForm(
        _ url: URL, _ pairs: [(String, String)], operation: String
    ) async throws(GoogleOAuthError) -> GoogleHTTP.Reply {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: GoogleHTTP.form(pairs)))
        do {
            let reply = try await GoogleHTTP.send(request, client: httpClient, timeout: timeout)
            logger.debug("google oauth \(operation) answered \(reply.status)")
            return reply
        } catch {
            logger.warning("google oauth \(operation) failed: \(error)")
            throw error
        }
    }

    /// The typed error of a non-200 answer: RFC 6749 bodies (`{"error": "…"}`), Google's API
    /// envelope (`{"error": {"code", "status", …}}`, e.g. injected 429s), or none.
    private func failure(_ reply: GoogleHTTP.Reply, operation: String) -> GoogleOAuthError {
        if reply.status == 429 || reply.status >= 500 {
            return .retryable(status: reply.status, retryAfter: GoogleHTTP.retryAfter(reply.header("Retry-After")))
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
        if let code = json?["error"] as? String {
            let description = json?["error_description"] as? String
            if code == "invalid_grant" { return .invalidGrant(description: description) }
            return .oauth(status: reply.status, error: code, description: description)
        }
        if let envelope = json?["error"] as? [String: Any] {
            return .oauth(
                status: reply.status, error: envelope["status"] as? String ?? "error",
                description: envelope["message"] as? String)
        }
        return .unexpectedResponse(status: reply.status, reason: "\(operation) answered without an error body")
    }
}
