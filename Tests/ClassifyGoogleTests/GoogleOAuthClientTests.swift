import ClassifyGoogle
import ClassifyTestSupport
import Crypto
import Foundation
import Testing

/// The OAuth client against the fake Google over real HTTP (spec 1.2–1.6).
@Suite struct GoogleOAuthClientTests {
    typealias Live = LiveFakeGoogle

    // MARK: Endpoints

    @Test func endpointsDefaultToGoogleAndTakeEveryOverride() throws {
        let defaults = try GoogleEndpoints(environment: [:])
        #expect(defaults == .google)
        #expect(defaults.token.absoluteString == "https://oauth2.googleapis.com/token")
        #expect(defaults.authorization.absoluteString == "https://accounts.google.com/o/oauth2/v2/auth")
        #expect(defaults.jwks.absoluteString == "https://www.googleapis.com/oauth2/v3/certs")
        #expect(defaults.issuers == ["https://accounts.google.com", "accounts.google.com"])
        #expect(defaults.pickerAPI.absoluteString == "https://photospicker.googleapis.com")

        var environment = Live.environment("http://127.0.0.1:4444", issuer: "http://fake-issuer")
        environment["GOOGLE_USERINFO_URL"] = ""  // empty counts as unset
        let fake = try GoogleEndpoints(environment: environment)
        #expect(fake.authorization.absoluteString == "http://127.0.0.1:4444/o/oauth2/v2/auth")
        #expect(fake.token.absoluteString == "http://127.0.0.1:4444/token")
        #expect(fake.revocation.absoluteString == "http://127.0.0.1:4444/revoke")
        #expect(fake.jwks.absoluteString == "http://127.0.0.1:4444/oauth2/v3/certs")
        #expect(fake.userInfo == GoogleEndpoints.google.userInfo)
        #expect(fake.pickerAPI.absoluteString == "http://127.0.0.1:4444/photospicker")
        #expect(fake.photosLibraryAPI.absoluteString == "http://127.0.0.1:4444/photoslibrary")
        #expect(fake.issuers == ["http://fake-issuer"])
        #expect(try GoogleEndpoints(environment: ["GOOGLE_ISSUER": "accounts.google.com"]).issuers.count == 2)
    }

    @Test func aBadEndpointURLNamesTheVariable() {
        #expect(
            throws: GoogleConfigurationError(variable: "GOOGLE_TOKEN_URL", reason: "must be an absolute http(s) URL")
        ) {
            _ = try GoogleEndpoints(environment: ["GOOGLE_TOKEN_URL": "/token"])
        }
        #expect(throws: GoogleConfigurationError.self) {
            _ = try GoogleEndpoints(environment: ["GOOGLE_JWKS_URL": "ftp://example.com/certs"])
        }
    }

    // MARK: Authorization request

    @Test func theAuthorizationURLCarriesPKCEStateNonceAndOfflineConsent() throws {
        let client = GoogleOAuthClient(clientID: "cid", clientSecret: "secret")
        let request = client.authorizationRequest(
            redirectURI: "http://127.0.0.1:8080/auth/google/callback", scopes: GoogleScopes.classify)
        let components = try #require(URLComponents(url: request.url, resolvingAgainstBaseURL: false))
        #expect(components.host == "accounts.google.com")
        #expect(components.path == "/o/oauth2/v2/auth")
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value }
        #expect(query["client_id"] == "cid")
        #expect(query["redirect_uri"] == "http://127.0.0.1:8080/auth/google/callback")
        #expect(query["response_type"] == "code")
        #expect(query["scope"] == GoogleScopes.classify.joined(separator: " "))
        #expect(query["access_type"] == "offline")
        #expect(query["prompt"] == "consent")
        #expect(query["include_granted_scopes"] == "true")
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["state"] == request.state)
        #expect(query["nonce"] == request.nonce)
        #expect(query["client_secret"] == nil)
        #expect(!request.url.absoluteString.contains(request.codeVerifier))
        #expect(!request.url.absoluteString.contains("secret"))

        // PKCE: 43–128 characters of the unreserved set, challenge = BASE64URL(SHA256(verifier)).
        let verifier = request.codeVerifier
        #expect((43...128).contains(verifier.count))
        #expect(verifier.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._~".contains($0)) })
        let digest = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(query["code_challenge"] == digest)

        // Fresh randomness every time.
        let again = client.authorizationRequest(redirectURI: "http://x/cb", scopes: ["openid"])
        #expect(again.state != request.state)
        #expect(again.nonce != request.nonce)
        #expect(again.codeVerifier != request.codeVerifier)
        #expect(request.state.count >= 32)
        #expect(!"\(request)".contains(request.state))
    }

    // MARK: Code flow

    @Test func theWholeCodeFlowGivesTokensAndAVerifiedIdentity() async throws {
        try await Live.run { live in
            let request = live.oauth.authorizationRequest(redirectURI: Live.redirectURI, scopes: GoogleScopes.classify)
            let query = try await live.consent(request)
            #expect(query["state"] == request.state)
            let code = try #require(query["code"])
            #expect(GoogleScopes.parse(query["scope"] ?? "").contains(GoogleScopes.picker))

            let before = Date()
            let tokens = try await live.oauth.exchange(
                code: code, codeVerifier: request.codeVerifier, redirectURI: Live.redirectURI)
            #expect(!tokens.accessToken.isEmpty)
            #expect(tokens.refreshToken != nil)
            #expect(tokens.tokenType == "Bearer")
            #expect(abs(tokens.expiresAt.timeIntervalSince(before) - 3599) < 30)
            #expect(
                tokens.grantedScopes == [
                    "openid", GoogleScopes.email, GoogleScopes.profile, GoogleScopes.picker, GoogleScopes.appendOnly,
                    GoogleScopes.readAppCreated,
                ])
            #expect(tokens.hasScope("email") && tokens.hasScope("profile"))
            #expect(!"\(tokens)".contains(tokens.accessToken))
            #expect(!"\(tokens)".contains(try #require(tokens.refreshToken)))

            let identity = try await live.verifier().verify(try #require(tokens.idToken), nonce: request.nonce)
            #expect(identity.subject == FakeGoogleUser.alice.sub)
            #expect(identity.email == "alice@example.com")
            #expect(identity.emailVerified)
            #expect(identity.name == "Alice Example")
            #expect(identity.picture != nil)
            #expect(identity.issuer == "https://accounts.google.com")
        }
    }

    @Test func aPKCEMismatchIsInvalidGrant() async throws {
        try await Live.run { live in
            let request = live.oauth.authorizationRequest(redirectURI: Live.redirectURI, scopes: GoogleScopes.classify)
            let code = try #require(try await live.consent(request)["code"])
            let other = live.oauth.authorizationRequest(redirectURI: Live.redirectURI, scopes: ["openid"])
            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await live.oauth.exchange(
                    code: code, codeVerifier: other.codeVerifier, redirectURI: Live.redirectURI)
            }
            #expect(error?.needsReauthentication == true)
            #expect(error?.isRetryable == false)
            #expect(error.map { "\($0)" }?.contains(code) == false)
        }
    }

    @Test func aCodeWorksOnceThenIsInvalidGrant() async throws {
        try await Live.run { live in
            let request = live.oauth.authorizationRequest(redirectURI: Live.redirectURI, scopes: GoogleScopes.classify)
            let code = try #require(try await live.consent(request)["code"])
            _ = try await live.oauth.exchange(
                code: code, codeVerifier: request.codeVerifier, redirectURI: Live.redirectURI)
            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await live.oauth.exchange(
                    code: code, codeVerifier: request.codeVerifier, redirectURI: Live.redirectURI)
            }
            guard case .invalidGrant = error else {
                Issue.record("expected invalid_grant, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func aWrongClientSecretIsAnOAuthErrorNotInvalidGrant() async throws {
        try await Live.run { live in
            let request = live.oauth.authorizationRequest(redirectURI: Live.redirectURI, scopes: GoogleScopes.classify)
            let code = try #require(try await live.consent(request)["code"])
            let wrong = GoogleOAuthClient(
                clientID: Live.clientID, clientSecret: "not-the-secret", endpoints: live.endpoints)
            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await wrong.exchange(
                    code: code, codeVerifier: request.codeVerifier, redirectURI: Live.redirectURI)
            }
            guard case .oauth(let status, let name, _) = error else {
                Issue.record("expected an OAuth error, got \(String(describing: error))")
                return
            }
            #expect(status == 401)
            #expect(name == "invalid_client")
            #expect(error?.needsReauthentication == false)
        }
    }

    // MARK: Refresh and revocation

    @Test func refreshGivesANewAccessTokenAndKeepsNoRefreshToken() async throws {
        try await Live.run { live in
            let (_, tokens) = try await live.signIn()
            let refreshToken = try #require(tokens.refreshToken)
            let refreshed = try await live.oauth.refresh(refreshToken: refreshToken)
            #expect(refreshed.accessToken != tokens.accessToken)
            #expect(refreshed.refreshToken == nil)
            #expect(refreshed.grantedScopes == tokens.grantedScopes)
            #expect(refreshed.expiresAt > Date().addingTimeInterval(3000))

            let narrowed = try await live.oauth.refresh(refreshToken: refreshToken, scopes: [GoogleScopes.picker])
            #expect(narrowed.grantedScopes == [GoogleScopes.picker])
        }
    }

    @Test func aRevokedRefreshTokenIsInvalidGrantAndNeverShowsTheToken() async throws {
        try await Live.run { live in
            let (_, tokens) = try await live.signIn()
            let refreshToken = try #require(tokens.refreshToken)
            try await live.oauth.revoke(token: refreshToken)

            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await live.oauth.refresh(refreshToken: refreshToken)
            }
            #expect(error?.needsReauthentication == true)
            #expect(error.map { "\($0)" }?.contains(refreshToken) == false)

            // Revoking again: the token is unknown now.
            let again = await #expect(throws: GoogleOAuthError.self) {
                try await live.oauth.revoke(token: refreshToken)
            }
            #expect(again == .oauth(status: 400, error: "invalid_token", description: "Token expired or revoked"))
        }
    }

    @Test func revokingTheAccessTokenKillsTheGrant() async throws {
        try await Live.run { live in
            let (_, tokens) = try await live.signIn()
            try await live.oauth.revoke(token: tokens.accessToken)
            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await live.oauth.refresh(refreshToken: try #require(tokens.refreshToken))
            }
            #expect(error?.needsReauthentication == true)
        }
    }

    // MARK: Granular consent

    @Test func grantedScopesReflectAnUntickedScope() async throws {
        try await Live.run { live in
            let granted = ["openid", "email", "profile", GoogleScopes.appendOnly, GoogleScopes.readAppCreated]
            let (_, tokens) = try await live.signIn(granting: granted)
            #expect(!tokens.hasScope(GoogleScopes.picker))
            #expect(tokens.hasScope(GoogleScopes.appendOnly))
            #expect(tokens.hasScope("email"))
            #expect(tokens.grantedScopes == GoogleScopes.parse(granted.joined(separator: " ")))
        }
    }

    // MARK: Retryable failures and timeouts

    @Test func a429WithRetryAfterIsRetryableWithTheDelay() async throws {
        try await Live.run { live in
            let request = live.oauth.authorizationRequest(redirectURI: Live.redirectURI, scopes: GoogleScopes.classify)
            let code = try #require(try await live.consent(request)["code"])
            await live.fake.addFault(FakeFault(pathPrefix: "/token", method: "POST", status: 429, retryAfter: 7))
            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await live.oauth.exchange(
                    code: code, codeVerifier: request.codeVerifier, redirectURI: Live.redirectURI)
            }
            #expect(error == .retryable(status: 429, retryAfter: 7))
            #expect(error?.isRetryable == true)
            #expect(error?.needsReauthentication == false)

            // The fault is spent; the same code still works.
            let tokens = try await live.oauth.exchange(
                code: code, codeVerifier: request.codeVerifier, redirectURI: Live.redirectURI)
            #expect(!tokens.accessToken.isEmpty)
        }
    }

    @Test func a503IsRetryableWithoutADelay() async throws {
        try await Live.run { live in
            let (_, tokens) = try await live.signIn()
            await live.fake.addFault(FakeFault(pathPrefix: "/token", status: 503))
            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await live.oauth.refresh(refreshToken: try #require(tokens.refreshToken))
            }
            #expect(error == .retryable(status: 503, retryAfter: nil))
        }
    }

    @Test func aSlowTokenEndpointTimesOut() async throws {
        try await Live.run { live in
            // Signing in uses the ordinary deadline (a loaded machine may take > 300 ms); only
            // the refresh meets the slow endpoint with a 300 ms one. Had the deadline not fired,
            // the refresh would have succeeded after 2 s instead of throwing.
            let (_, tokens) = try await live.signIn()
            let impatient = GoogleOAuthClient(
                clientID: Live.clientID, clientSecret: Live.secret, endpoints: live.endpoints,
                timeout: .milliseconds(300))
            await live.fake.addFault(FakeFault(pathPrefix: "/token", delayMs: 2000))
            let error = await #expect(throws: GoogleOAuthError.self) {
                _ = try await impatient.refresh(refreshToken: try #require(tokens.refreshToken))
            }
            guard case .transport = error else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(error?.isRetryable == true)
        }
    }
}
