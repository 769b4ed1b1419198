import Foundation
import JWTKit
import Testing

@testable import ClassifyTestSupport

/// ID tokens, JWKS and rotation (spec 1.8), and granular consent (spec 1.2).
@Suite struct FakeGoogleIDTokenTests {
    typealias H = FakeGoogleHarness

    struct Claims: JWTPayload {
        var iss: String
        var aud: AudienceClaim
        var azp: String
        var sub: String
        var email: String?
        var email_verified: Bool?
        var name: String?
        var nonce: String?
        var at_hash: String?
        var iat: IssuedAtClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try aud.verifyIntendedAudience(includes: H.clientID)
            guard ["https://accounts.google.com", "accounts.google.com"].contains(iss) else {
                throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "iss \(iss)")
            }
        }
    }

    func verifier(_ h: H) async throws -> JWTKeyCollection {
        let jwks = try await h.get("/oauth2/v3/certs")
        #expect(jwks.headers[.cacheControl]?.contains("max-age=") == true)
        return try await JWTKeyCollection().add(jwksJSON: jwks.text)
    }

    @Test func theIDTokenVerifiesWithThePublishedJWKSAndCarriesTheClaims() async throws {
        try await H.run { h in
            let json = try await h.signIn()
            let idToken = try #require(json["id_token"] as? String)
            let claims = try await verifier(h).verify(idToken, as: Claims.self)
            #expect(claims.iss == "https://accounts.google.com")
            #expect(claims.aud.value == [H.clientID])
            #expect(claims.azp == H.clientID)
            #expect(claims.sub == FakeGoogleUser.alice.sub)
            #expect(claims.email == "alice@example.com")
            #expect(claims.email_verified == true)
            #expect(claims.name == "Alice Example")
            #expect(claims.nonce == "nonce-456")
            #expect(claims.at_hash != nil)
            let header = try #require(idToken.split(separator: ".").first)
            var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            let decoded = try JSONSerialization.jsonObject(with: Data(base64Encoded: base64)!) as? [String: Any]
            #expect(decoded?["alg"] as? String == "RS256")
            let currentKID = await h.fake.signingKeyIDs.first
            #expect(decoded?["kid"] as? String == currentKID)
        }
    }

    @Test func aTamperedIDTokenDoesNotVerify() async throws {
        try await H.run { h in
            let idToken = try #require(try await h.signIn()["id_token"] as? String)
            var parts = idToken.split(separator: ".").map(String.init)
            parts[1] = Data(#"{"sub":"someone-else"}"#.utf8).base64URLEncodedString()
            let keys = try await verifier(h)
            await #expect(throws: (any Error).self) {
                _ = try await keys.verify(parts.joined(separator: "."), as: Claims.self)
            }
        }
    }

    @Test func theIssuerCanBeTheSchemelessForm() async throws {
        try await H.run({ $0.issuer = "accounts.google.com" }) { h in
            let idToken = try #require(try await h.signIn()["id_token"] as? String)
            #expect(try await verifier(h).verify(idToken, as: Claims.self).iss == "accounts.google.com")
        }
    }

    @Test func rotationKeepsTheOldKeyPublishedUntilItIsDropped() async throws {
        try await H.run { h in
            let before = try #require(try await h.signIn()["id_token"] as? String)
            let rotated = try await h.postJSON("/fake/jwks/rotate", ["keepOld": true])
            let newKID = try #require(rotated.json["kid"] as? String)
            #expect((rotated.json["published"] as? [String])?.count == 2)
            let after = try #require(try await h.signIn()["id_token"] as? String)
            let keys = try await verifier(h)
            _ = try await keys.verify(before, as: Claims.self)
            _ = try await keys.verify(after, as: Claims.self)
            let currentKID = await h.fake.signingKeyIDs.first
            #expect(currentKID == newKID)

            _ = try await h.postJSON("/fake/jwks/rotate", ["keepOld": false])
            let onlyNewest = try await verifier(h)
            await #expect(throws: (any Error).self) { _ = try await onlyNewest.verify(before, as: Claims.self) }
        }
    }

    @Test func grantedScopesAreOnlyTheTickedOnes() async throws {
        try await H.run { h in
            let page = try await h.get(H.authorizeURI())
            let pendingID = try #require(page.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
            // The person unticks the Picker and the read-back scopes and keeps append-only.
            let pairs = [
                ("request", String(pendingID)), ("user", FakeGoogleUser.alice.sub), ("decision", "allow"),
                ("scope", "openid"), ("scope", GoogleScope.email), ("scope", GoogleScope.profile),
                ("scope", GoogleScope.appendOnly),
            ]
            let decision = try await h.postForm("/o/oauth2/v2/auth/decision", pairs)
            let granted = Set(try #require(decision.redirectQuery["scope"]).split(separator: " ").map(String.init))
            #expect(granted == ["openid", GoogleScope.email, GoogleScope.profile, GoogleScope.appendOnly])
            let tokens = try await h.exchange(try #require(decision.redirectQuery["code"]), verifier: nil)
            let scope = try #require(tokens.json["scope"] as? String)
            #expect(!scope.contains(GoogleScope.picker))
            let picker = try await h.postJSON(
                "/photospicker/v1/sessions", bearer: tokens.json["access_token"] as? String)
            #expect(picker.status == 403)
            let details = ((picker.json["error"] as? [String: Any])?["details"] as? [[String: Any]])?.first
            #expect(details?["reason"] as? String == "ACCESS_TOKEN_SCOPE_INSUFFICIENT")
        }
    }

    @Test func theAutomaticConsentCanGrantASubset() async throws {
        try await H.run { h in
            let json = try await h.signIn(granted: ["openid", "email", "profile", GoogleScope.picker])
            let scope = try #require(json["scope"] as? String)
            #expect(scope.contains(GoogleScope.picker))
            #expect(!scope.contains(GoogleScope.appendOnly))
        }
    }
}
