import Foundation
import Testing

@testable import ClassifyTestSupport

/// Grants over time: incremental consent, refresh-token limits, access-token expiry.
@Suite struct FakeGoogleGrantTests {
    typealias H = FakeGoogleHarness

    @Test func includeGrantedScopesAddsEarlierGrantsToTheNewToken() async throws {
        try await H.run { h in
            _ = try await h.signIn(scopes: ["openid", "email", GoogleScope.picker])
            let (verifier, challenge) = H.pkce()
            let incremental = try await h.get(
                H.authorizeURI(
                    scopes: [GoogleScope.appendOnly], challenge: challenge,
                    extra: [("include_granted_scopes", "true"), ("fake_auto", "allow")]))
            let tokens = try await h.exchange(try #require(incremental.redirectQuery["code"]), verifier: verifier)
            let scopes = Set((tokens.json["scope"] as? String ?? "").split(separator: " ").map(String.init))
            #expect(scopes == ["openid", GoogleScope.email, GoogleScope.picker, GoogleScope.appendOnly])

            let (verifier2, challenge2) = H.pkce()
            let narrow = try await h.get(
                H.authorizeURI(scopes: [GoogleScope.appendOnly], challenge: challenge2, extra: [("fake_auto", "allow")])
            )
            let only = try await h.exchange(try #require(narrow.redirectQuery["code"]), verifier: verifier2)
            #expect(only.json["scope"] as? String == GoogleScope.appendOnly)
            #expect(only.json["id_token"] == nil)  // no openid, no ID token
        }
    }

    @Test func theOldestRefreshTokensDieBeyondTheLimit() async throws {
        try await H.run({ $0.maxRefreshTokensPerUserClient = 2 }) { h in
            var refreshTokens: [String] = []
            for _ in 0..<3 { refreshTokens.append(try #require(try await h.signIn()["refresh_token"] as? String)) }
            #expect(try await h.refresh(refreshTokens[0]).json["error"] as? String == "invalid_grant")
            #expect(try await h.refresh(refreshTokens[1]).status == 200)
            #expect(try await h.refresh(refreshTokens[2]).status == 200)
        }
    }

    @Test func anAccessTokenExpiresAfterExpiresIn() async throws {
        try await H.run({ $0.accessTokenTTL = 30 }) { h in
            let json = try await h.signIn()
            #expect(json["expires_in"] as? Int == 30)
            let token = try #require(json["access_token"] as? String)
            #expect(try await h.postJSON("/photospicker/v1/sessions", bearer: token).status == 200)
            await h.fake.advanceClock(seconds: 31)
            let expired = try await h.postJSON("/photospicker/v1/sessions", bearer: token)
            #expect(expired.status == 401)
            #expect(expired.errorStatus == "UNAUTHENTICATED")
            let refreshed = try await h.refresh(try #require(json["refresh_token"] as? String))
            #expect(
                try await h.postJSON("/photospicker/v1/sessions", bearer: refreshed.json["access_token"] as? String)
                    .status == 200)
        }
    }

    @Test func pkceIsRequiredOnlyWhenConfigured() async throws {
        try await H.run({ $0.requirePKCE = true }) { h in
            let without = try await h.get(H.authorizeURI(extra: [("fake_auto", "allow")]))
            #expect(without.status == 400)
            #expect(without.location == nil)
            let plain = try await h.get(
                H.authorizeURI(extra: [
                    ("code_challenge", "short"), ("code_challenge_method", "S256"), ("fake_auto", "allow"),
                ]))
            #expect(plain.status == 400)
            #expect(try await h.signIn()["access_token"] is String)
        }
    }
}
