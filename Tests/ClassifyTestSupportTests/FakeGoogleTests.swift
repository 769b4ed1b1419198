import Foundation
import HTTPTypes
import Testing

@testable import ClassifyTestSupport

/// OAuth 2.0 authorization-code flow of the fake Google (spec 1.2–1.6).
@Suite struct FakeGoogleOAuthTests {
    typealias H = FakeGoogleHarness

    @Test func fullCodeFlowThroughTheConsentPageWithPKCE() async throws {
        try await H.run { h in
            let (verifier, challenge) = H.pkce()
            let page = try await h.get(H.authorizeURI(challenge: challenge))
            #expect(page.status == 200)
            #expect(page.text.contains("type=\"checkbox\" name=\"scope\" value=\"\(GoogleScope.picker)\""))
            #expect(!page.text.contains("<script"))
            let pendingID = try #require(page.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
            let pairs =
                [("request", String(pendingID)), ("user", FakeGoogleUser.alice.sub), ("decision", "allow")]
                + H.allScopes.map { ("scope", GoogleScope.normalize($0)) }
            let decision = try await h.postForm("/o/oauth2/v2/auth/decision", pairs)
            #expect(decision.status == 302)
            #expect(decision.location?.hasPrefix(H.redirectURI + "?") == true)
            let query = decision.redirectQuery
            #expect(query["state"] == "state-123")
            let code = try #require(query["code"])
            #expect(code.hasPrefix("4/0A"))
            #expect(
                Set(query["scope"]!.split(separator: " ").map(String.init))
                    == Set(H.allScopes.map(GoogleScope.normalize)))

            let tokens = try await h.exchange(code, verifier: verifier)
            #expect(tokens.status == 200)
            #expect(tokens.headers[.cacheControl]?.contains("no-store") == true)
            let json = tokens.json
            #expect((json["access_token"] as? String)?.hasPrefix("ya29.") == true)
            #expect(json["expires_in"] as? Int == 3599)
            #expect(json["token_type"] as? String == "Bearer")
            #expect((json["refresh_token"] as? String)?.hasPrefix("1//") == true)
            #expect(json["id_token"] is String)
            #expect((json["scope"] as? String)?.contains(GoogleScope.email) == true)  // long form, never "email"

            let info = try await h.get("/v1/userinfo", bearer: json["access_token"] as? String)
            #expect(info.status == 200)
            #expect(info.json["sub"] as? String == FakeGoogleUser.alice.sub)
            #expect(info.json["email"] as? String == "alice@example.com")
        }
    }

    @Test func aCodeWorksOnceOnly() async throws {
        try await H.run { h in
            let (verifier, challenge) = H.pkce()
            let redirect = try await h.get(H.authorizeURI(challenge: challenge, extra: [("fake_auto", "allow")]))
            let code = try #require(redirect.redirectQuery["code"])
            #expect(try await h.exchange(code, verifier: verifier).status == 200)
            let again = try await h.exchange(code, verifier: verifier)
            #expect(again.status == 400)
            #expect(again.json["error"] as? String == "invalid_grant")
            #expect(again.json["error_description"] as? String == "Bad Request")
        }
    }

    @Test func aWrongOrMissingPKCEVerifierIsRefused() async throws {
        try await H.run { h in
            let (_, challenge) = H.pkce()
            let redirect = try await h.get(H.authorizeURI(challenge: challenge, extra: [("fake_auto", "allow")]))
            let code = try #require(redirect.redirectQuery["code"])
            let wrong = try await h.exchange(code, verifier: H.pkce().verifier)
            #expect(wrong.status == 400)
            #expect(wrong.json["error"] as? String == "invalid_grant")
            let missing = try await h.exchange(code, verifier: nil)
            #expect(missing.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func theTokenRequestMustRepeatTheRedirectURI() async throws {
        try await H.run({ $0.clients[0].redirectURIs.append("http://127.0.0.1:9999/other") }) { h in
            let (verifier, challenge) = H.pkce()
            let redirect = try await h.get(H.authorizeURI(challenge: challenge, extra: [("fake_auto", "allow")]))
            let code = try #require(redirect.redirectQuery["code"])
            let other = try await h.exchange(code, verifier: verifier, redirectURI: "http://127.0.0.1:9999/other")
            #expect(other.status == 400)
            #expect(other.json["error"] as? String == "invalid_grant")
            let unregistered = try await h.exchange(code, verifier: verifier, redirectURI: "http://evil.test/cb")
            #expect(unregistered.json["error"] as? String == "redirect_uri_mismatch")
            #expect(try await h.exchange(code, verifier: verifier).status == 200)
        }
    }

    @Test func anUnregisteredRedirectURIGetsGooglesErrorPageNotARedirect() async throws {
        try await H.run { h in
            let reply = try await h.get(
                H.authorizeURI(extra: [("redirect_uri", "http://127.0.0.1:8080/auth/google/callback/")]))
            #expect(reply.status == 400)
            #expect(reply.location == nil)
            #expect(reply.text.contains("redirect_uri_mismatch"))
            let unknownClient = try await h.get(H.authorizeURI(extra: [("client_id", "nobody")]))
            #expect(unknownClient.status == 401)
            #expect(unknownClient.location == nil)
        }
    }

    @Test func anExpiredCodeIsRefused() async throws {
        try await H.run { h in
            let (verifier, challenge) = H.pkce()
            let redirect = try await h.get(H.authorizeURI(challenge: challenge, extra: [("fake_auto", "allow")]))
            let code = try #require(redirect.redirectQuery["code"])
            _ = try await h.postJSON("/fake/clock/advance", ["seconds": 601])
            let reply = try await h.exchange(code, verifier: verifier)
            #expect(reply.status == 400)
            #expect(reply.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func clientAuthenticationInTheBodyOrBasicHeader() async throws {
        try await H.run { h in
            let json = try await h.signIn()
            let refreshToken = try #require(json["refresh_token"] as? String)
            let basic = Data("\(H.clientID):\(H.secret)".utf8).base64EncodedString()
            let viaBasic = try await h.postForm(
                "/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
                headers: [.authorization: "Basic \(basic)"])
            #expect(viaBasic.status == 200)
            let badSecret = try await h.postForm(
                "/token",
                [
                    ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", H.clientID),
                    ("client_secret", "wrong"),
                ])
            #expect(badSecret.status == 401)
            #expect(badSecret.json["error"] as? String == "invalid_client")
            let unknown = try await h.postForm(
                "/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", "x")])
            #expect(unknown.json["error_description"] as? String == "The OAuth client was not found.")
        }
    }

    @Test func malformedTokenRequestsGetTheSpecsErrors() async throws {
        try await H.run { h in
            let grant = try await h.postForm("/token", [("grant_type", "password"), ("client_id", H.clientID)])
            #expect(grant.status == 400)
            #expect(grant.json["error"] as? String == "unsupported_grant_type")
            #expect(grant.json["error_description"] as? String == "Invalid grant_type: password")
            let noCode = try await h.postForm(
                "/token", [("grant_type", "authorization_code"), ("redirect_uri", H.redirectURI)])
            #expect(noCode.json["error"] as? String == "invalid_request")
            #expect(noCode.json["error_description"] as? String == "Missing required parameter: code")
        }
    }

    @Test func refreshGrantGivesANewAccessTokenButKeepsTheRefreshToken() async throws {
        try await H.run { h in
            let json = try await h.signIn()
            let refreshToken = try #require(json["refresh_token"] as? String)
            let refreshed = try await h.refresh(refreshToken)
            #expect(refreshed.status == 200)
            #expect(refreshed.json["refresh_token"] == nil)
            #expect(refreshed.json["access_token"] as? String != json["access_token"] as? String)
            #expect(refreshed.json["id_token"] is String)
            let narrower = try await h.refresh(refreshToken, scope: GoogleScope.picker)
            #expect(narrower.json["scope"] as? String == GoogleScope.picker)
            let wider = try await h.refresh(refreshToken, scope: GoogleScope.editAppCreated)
            #expect(wider.json["error"] as? String == "invalid_scope")
        }
    }

    @Test func aRevokedRefreshTokenIsDeadAndSoAreItsAccessTokens() async throws {
        try await H.run { h in
            let json = try await h.signIn()
            let refreshToken = try #require(json["refresh_token"] as? String)
            let accessToken = try #require(json["access_token"] as? String)
            let revoked = try await h.postForm("/revoke", [("token", refreshToken)])
            #expect(revoked.status == 200)
            #expect(revoked.bytes.isEmpty)
            let refreshed = try await h.refresh(refreshToken)
            #expect(refreshed.status == 400)
            #expect(refreshed.json["error"] as? String == "invalid_grant")
            #expect(refreshed.json["error_description"] as? String == "Token has been expired or revoked.")
            #expect(try await h.get("/v1/userinfo", bearer: accessToken).status == 401)
            let again = try await h.postForm("/revoke", [("token", refreshToken)])
            #expect(again.status == 400)
            #expect(again.json["error"] as? String == "invalid_token")
        }
    }

    @Test func aRefreshTokenComesOnFirstConsentOrWithPromptConsentOnly() async throws {
        try await H.run { h in
            _ = try await h.signIn()
            let (verifier, challenge) = H.pkce()
            let quiet = try await h.get(
                H.authorizeURI(challenge: challenge, extra: [("prompt", ""), ("fake_auto", "allow")]))
            let code = try #require(quiet.redirectQuery["code"])
            let second = try await h.exchange(code, verifier: verifier)
            #expect(second.status == 200)
            #expect(second.json["refresh_token"] == nil)
            #expect(try await h.signIn()["refresh_token"] is String)  // prompt=consent
        }
    }

    @Test func aRefreshTokenCanExpireLikeATestingConsentScreen() async throws {
        try await H.run({ $0.refreshTokenTTL = 604_800 }) { h in
            let json = try await h.signIn()
            #expect(json["refresh_token_expires_in"] as? Int == 604_800)
            await h.fake.advanceClock(seconds: 604_801)
            let reply = try await h.refresh(try #require(json["refresh_token"] as? String))
            #expect(reply.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func denyingConsentRedirectsWithAccessDenied() async throws {
        try await H.run { h in
            let reply = try await h.get(H.authorizeURI(extra: [("fake_auto", "deny")]))
            #expect(reply.status == 302)
            #expect(reply.redirectQuery["error"] == "access_denied")
            #expect(reply.redirectQuery["state"] == "state-123")
            #expect(reply.redirectQuery["code"] == nil)
        }
    }

    @Test func goneAndUnknownScopesAreInvalidScope() async throws {
        try await H.run { h in
            let gone = try await h.get(
                H.authorizeURI(scopes: ["openid", "https://www.googleapis.com/auth/photoslibrary.readonly"]))
            #expect(gone.redirectQuery["error"] == "invalid_scope")
        }
    }

    @Test func promptNoneWithoutEarlierConsentIsConsentRequired() async throws {
        try await H.run { h in
            let reply = try await h.get(H.authorizeURI(extra: [("prompt", "none")]))
            #expect(reply.redirectQuery["error"] == "consent_required")
            _ = try await h.signIn()
            let after = try await h.get(H.authorizeURI(extra: [("prompt", "none")]))
            #expect(after.redirectQuery["code"] != nil)
        }
    }

    @Test func userInfoNeedsALiveBearerToken() async throws {
        try await H.run { h in
            let missing = try await h.get("/v1/userinfo")
            #expect(missing.status == 401)
            #expect(missing.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            #expect(missing.errorStatus == "UNAUTHENTICATED")
            let token = try await h.accessToken()
            #expect(try await h.get("/v1/userinfo", bearer: token).status == 200)
            _ = try await h.postJSON("/fake/tokens/expire", ["token": token])
            #expect(try await h.get("/v1/userinfo", bearer: token).status == 401)
        }
    }
}
