import Foundation
import Testing

@testable import ClassifyTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fault injection, the request log and the live server (the admin API of docs/fake-google.md).
@Suite struct FakeGoogleFaultTests {
    typealias H = FakeGoogleHarness

    @Test func injected429sCarryRetryAfterAndGooglesEnvelopeThenStop() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let fault = try await h.postJSON(
                "/fake/faults", ["pathPrefix": "/photospicker/v1/sessions", "count": 2, "status": 429, "retryAfter": 7])
            #expect(fault.status == 200)
            for _ in 0..<2 {
                let reply = try await h.postJSON("/photospicker/v1/sessions", bearer: token)
                #expect(reply.status == 429)
                #expect(reply.headers[.retryAfter] == "7")
                #expect(reply.errorStatus == "RESOURCE_EXHAUSTED")
                let details = ((reply.json["error"] as? [String: Any])?["details"] as? [[String: Any]])?.first
                #expect(details?["reason"] as? String == "RATE_LIMIT_EXCEEDED")
            }
            #expect(try await h.postJSON("/photospicker/v1/sessions", bearer: token).status == 200)
            let faults = try await h.get("/fake/faults")
            #expect(faults.text == "[]")
        }
    }

    @Test func injected5xxOnlyHitTheirPathAndMethod() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            _ = try await h.postJSON(
                "/fake/faults", ["pathPrefix": "/photoslibrary/", "method": "POST", "status": 503])
            #expect(try await h.get("/photoslibrary/v1/albums", bearer: token).status == 200)
            let failed = try await h.postJSON("/photoslibrary/v1/albums", ["album": ["title": "x"]], bearer: token)
            #expect(failed.status == 503)
            #expect(failed.errorStatus == "UNAVAILABLE")
            #expect(
                try await h.postJSON("/photoslibrary/v1/albums", ["album": ["title": "x"]], bearer: token).status == 200
            )
            _ = try await h.postJSON("/fake/faults", ["pathPrefix": "/token", "status": 500])
            #expect(try await h.postForm("/token", [("grant_type", "refresh_token")]).status == 500)
        }
    }

    @Test func aDelayFaultSlowsTheAnswerButKeepsIt() async throws {
        try await H.run { h in
            _ = try await h.postJSON("/fake/faults", ["pathPrefix": "/oauth2/v3/certs", "delayMs": 300])
            let clock = ContinuousClock(), start = clock.now
            let reply = try await h.get("/oauth2/v3/certs")
            #expect(clock.now - start >= .milliseconds(300))
            #expect(reply.status == 200)
            let invalid = try await h.postJSON("/fake/faults", ["pathPrefix": "/token"])
            #expect(invalid.status == 400)
        }
    }

    @Test func theRequestLogHoldsNoSecrets() async throws {
        try await H.run { h in
            let json = try await h.signIn()
            let accessToken = try #require(json["access_token"] as? String)
            let id = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: accessToken).json["id"] as? String)
            _ = try await h.postJSON("/fake/sessions/\(id)/pick", ["files": [H.photos + "/sharp-cat.jpg"]])
            let list = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: accessToken)
            let baseURL = try #require(
                ((list.json["mediaItems"] as? [[String: Any]])?.first?["mediaFile"] as? [String: Any])?["baseUrl"]
                    as? String)
            _ = try await h.get(baseURL + "=w100-h100", bearer: accessToken)
            let log = try await h.get("/fake/log")
            let text = log.text
            #expect(!text.contains(accessToken))
            #expect(!text.contains(try #require(json["refresh_token"] as? String)))
            #expect(!text.contains("4/0A"))
            #expect(!text.contains(String(baseURL.split(separator: "/").last!)))
            #expect(text.contains("/lh3/ppa/<token>=w100-h100"))
            #expect(text.contains("\"queryNames\":[\"sessionId\"]"))
            #expect(!text.contains("/fake/"))
            let entries = await h.fake.log()
            #expect(entries.contains { $0.path == "/token" && $0.method == "POST" && $0.status == 200 })
        }
    }

    @Test func theStateSnapshotCountsWhatWasIssued() async throws {
        try await H.run { h in
            _ = try await h.signIn()
            let state = try await h.get("/fake/state")
            let issued = try #require(state.json["issued"] as? [String: Any])
            #expect(issued["authorizationCodes"] as? Int == 1)
            #expect(issued["accessTokens"] as? Int == 1)
            #expect(issued["refreshTokens"] as? Int == 1)
            #expect(issued["idTokens"] as? Int == 1)
            #expect(try await h.postJSON("/fake/reset").status == 200)
            #expect(await h.fake.state().issued == .init())
        }
    }

    @Test func theLiveServerAnswersOnARealSocket() async throws {
        var configuration = FakeGoogleConfiguration()
        configuration.photosDirectory = H.photos
        let fake = try FakeGoogle(configuration: configuration, signingKey: FakeGoogle.testSigningKey)
        try await FakeGoogleServer.withRunning(fake) { baseURL in
            #expect(baseURL.hasPrefix("http://127.0.0.1:"))
            let (data, response) = try await URLSession.shared.data(
                from: URL(string: baseURL + "/.well-known/openid-configuration")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(json?["jwks_uri"] as? String == baseURL + "/oauth2/v3/certs")
            #expect(json?["token_endpoint"] as? String == baseURL + "/token")
        }
    }
}
