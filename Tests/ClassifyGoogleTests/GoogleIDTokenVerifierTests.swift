import ClassifyGoogle
import ClassifyTestSupport
import Foundation
import Testing

/// ID-token verification against the fake's JWKS over real HTTP (spec 1.8).
@Suite struct GoogleIDTokenVerifierTests {
    typealias Live = LiveFakeGoogle

    func jwksFetches(_ live: Live) async -> Int {
        await live.fake.log().filter { $0.path == "/oauth2/v3/certs" }.count
    }

    @Test func theJWKSIsFetchedOnceAndCached() async throws {
        try await Live.run { live in
            let verifier = live.verifier()
            for _ in 0..<3 {
                let (request, tokens) = try await live.signIn()
                _ = try await verifier.verify(try #require(tokens.idToken), nonce: request.nonce)
            }
            #expect(await verifier.fetchCount == 1)
            #expect(await jwksFetches(live) == 1)
        }
    }

    @Test func aRotatedKeyVerifiesAfterARefetchAtMostOncePerMinute() async throws {
        try await Live.run { live in
            let clock = TestClock()
            let verifier = live.verifier(clock: clock)
            let (firstRequest, first) = try await live.signIn()
            let firstToken = try #require(first.idToken)
            _ = try await verifier.verify(firstToken, nonce: firstRequest.nonce)

            let newKID = try await live.fake.rotateSigningKey(keepOld: true)
            let (secondRequest, second) = try await live.signIn()
            let secondToken = try #require(second.idToken)

            // The unknown kid triggers a refetch: but not twice in one minute.
            let tooSoon = await #expect(throws: GoogleIDTokenError.self) {
                _ = try await verifier.verify(secondToken, nonce: secondRequest.nonce)
            }
            #expect(await verifier.fetchCount == 1)
            #expect(tooSoon == .unknownKey(kid: newKID))

            clock.advance(61)
            let identity = try await verifier.verify(secondToken, nonce: secondRequest.nonce)
            #expect(identity.subject == FakeGoogleUser.alice.sub)
            #expect(await verifier.fetchCount == 2)
            #expect(await jwksFetches(live) == 2)
            // The old key is still published: its token still verifies, from the cache.
            _ = try await verifier.verify(firstToken, nonce: firstRequest.nonce)
            #expect(await verifier.fetchCount == 2)
        }
    }

    @Test func aTokenOfADroppedKeyNoLongerVerifies() async throws {
        try await Live.run { live in
            let clock = TestClock()
            let (request, tokens) = try await live.signIn()
            let oldToken = try #require(tokens.idToken)
            _ = try await live.fake.rotateSigningKey(keepOld: false)
            let verifier = live.verifier(clock: clock)
            let error = await #expect(throws: GoogleIDTokenError.self) {
                _ = try await verifier.verify(oldToken, nonce: request.nonce)
            }
            guard case .unknownKey = error else {
                Issue.record("expected unknownKey, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func anotherAudienceIsRejected() async throws {
        try await Live.run { live in
            let (request, tokens) = try await live.signIn()
            let verifier = live.verifier(clientID: "another-client.apps.googleusercontent.com")
            await #expect(throws: GoogleIDTokenError.wrongAudience) {
                _ = try await verifier.verify(try #require(tokens.idToken), nonce: request.nonce)
            }
        }
    }

    @Test func anotherNonceIsRejected() async throws {
        try await Live.run { live in
            let (_, tokens) = try await live.signIn()
            let other = live.oauth.authorizationRequest(redirectURI: Live.redirectURI, scopes: ["openid"])
            await #expect(throws: GoogleIDTokenError.nonceMismatch) {
                _ = try await live.verifier().verify(try #require(tokens.idToken), nonce: other.nonce)
            }
        }
    }

    @Test func anExpiredTokenIsRejected() async throws {
        try await Live.run { live in
            // The fake's clock two hours back: its ID token (1 h life) expired an hour ago.
            await live.fake.advanceClock(seconds: -7200)
            let (request, tokens) = try await live.signIn()
            await #expect(throws: GoogleIDTokenError.expired) {
                _ = try await live.verifier().verify(try #require(tokens.idToken), nonce: request.nonce)
            }
        }
    }

    @Test func aTokenStillValidWithinTheLeewayIsAccepted() async throws {
        try await Live.run { live in
            let (request, tokens) = try await live.signIn()
            let clock = TestClock()
            let verifier = live.verifier(clock: clock)
            clock.advance(3600 + 30)  // 30 s past `exp`, inside the 60 s leeway
            _ = try await verifier.verify(try #require(tokens.idToken), nonce: request.nonce)
            clock.advance(60)
            await #expect(throws: GoogleIDTokenError.expired) {
                _ = try await verifier.verify(try #require(tokens.idToken), nonce: request.nonce)
            }
        }
    }

    @Test func bothGoogleIssuerFormsAreAcceptedButNotOthers() async throws {
        try await Live.run({ $0.issuer = "accounts.google.com" }) { live in
            let (request, tokens) = try await live.signIn()
            let idToken = try #require(tokens.idToken)
            #expect(try await live.verifier().verify(idToken, nonce: request.nonce).issuer == "accounts.google.com")

            let strict = try GoogleEndpoints(environment: Live.environment(live.baseURL, issuer: "https://issuer.test"))
            await #expect(throws: GoogleIDTokenError.wrongIssuer("accounts.google.com")) {
                _ = try await live.verifier(endpoints: strict).verify(idToken, nonce: request.nonce)
            }
        }
    }

    @Test func aConfiguredIssuerIsAccepted() async throws {
        try await Live.run({ $0.issuer = "https://issuer.test" }) { live in
            let (request, tokens) = try await live.signIn()
            let idToken = try #require(tokens.idToken)
            await #expect(throws: GoogleIDTokenError.wrongIssuer("https://issuer.test")) {
                _ = try await live.verifier().verify(idToken, nonce: request.nonce)
            }
            let configured = try GoogleEndpoints(
                environment: Live.environment(live.baseURL, issuer: "https://issuer.test"))
            #expect(
                try await live.verifier(endpoints: configured).verify(idToken, nonce: request.nonce).issuer
                    == "https://issuer.test")
        }
    }

    @Test func aTamperedTokenOrAnotherAlgorithmIsRejected() async throws {
        try await Live.run { live in
            let (request, tokens) = try await live.signIn()
            let idToken = try #require(tokens.idToken)
            let verifier = live.verifier()
            var parts = idToken.split(separator: ".").map(String.init)
            let forged = Data(#"{"sub":"someone-else","iss":"https://accounts.google.com"}"#.utf8)
            parts[1] = forged.base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            await #expect(throws: GoogleIDTokenError.badSignature) {
                _ = try await verifier.verify(parts.joined(separator: "."), nonce: request.nonce)
            }

            let none = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "")
            let unsigned = [none, String(idToken.split(separator: ".")[1]), ""].joined(separator: ".")
            await #expect(throws: GoogleIDTokenError.unsupportedAlgorithm("none")) {
                _ = try await verifier.verify(unsigned, nonce: request.nonce)
            }
            await #expect(throws: GoogleIDTokenError.malformed) {
                _ = try await verifier.verify("not-a-jwt", nonce: nil)
            }
        }
    }
}
