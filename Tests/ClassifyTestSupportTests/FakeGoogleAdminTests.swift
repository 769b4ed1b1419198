import Foundation
import Testing

@testable import ClassifyTestSupport

/// The admin API's steering calls (docs/fake-google.md).
@Suite struct FakeGoogleAdminTests {
    typealias H = FakeGoogleHarness

    @Test func tokensCanBeMintedWithoutTheBrowserFlow() async throws {
        try await H.run { h in
            let minted = try await h.postJSON(
                "/fake/tokens", ["user": "bob@example.com", "scopes": ["openid", "email"]])
            #expect(minted.status == 200)
            let token = try #require(minted.json["access_token"] as? String)
            #expect(minted.json["refresh_token"] is String)
            #expect(try await h.get("/v1/userinfo", bearer: token).json["email"] as? String == "bob@example.com")
            let unknown = try await h.postJSON("/fake/tokens", ["user": "nobody@example.com", "scopes": ["openid"]])
            #expect(unknown.status == 404)
        }
    }

    @Test func theConsentModeDecidesWithoutAPerson() async throws {
        try await H.run { h in
            #expect(try await h.request(.put, "/fake/consent", body: Array(#"{"mode":"deny"}"#.utf8)).status == 200)
            #expect(try await h.get(H.authorizeURI()).redirectQuery["error"] == "access_denied")
            _ = try await h.request(.put, "/fake/consent", body: Array(#"{"mode":"allow"}"#.utf8))
            #expect(try await h.get(H.authorizeURI()).redirectQuery["code"] != nil)
            _ = try await h.request(.put, "/fake/consent", body: Array(#"{"mode":"page"}"#.utf8))
            #expect(try await h.get(H.authorizeURI()).status == 200)
        }
    }

    @Test func settingsChangeTheFakeWhileItRuns() async throws {
        try await H.run { h in
            let patch = try await h.postJSON(
                "/fake/settings", ["pollInterval": 0.5, "issuer": "accounts.google.com"], method: .patch)
            #expect(patch.status == 200)
            let created = try await h.postJSON("/photospicker/v1/sessions", bearer: try await h.accessToken())
            #expect((created.json["pollingConfig"] as? [String: Any])?["pollInterval"] as? String == "0.5s")
            #expect(await h.fake.configurationSnapshot.issuer == "accounts.google.com")
            #expect(try await h.postJSON("/fake/settings", ["pollInterval": "fast"], method: .patch).status == 400)
        }
    }

    @Test func aFullTableAnswers429InsteadOfGrowing() async throws {
        try await H.run({ $0.maxRecords = 3 }) { h in
            let token = try await h.accessToken()
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await h.postJSON("/photospicker/v1/sessions", bearer: token).status) }
            #expect(statuses == [200, 200, 200, 429])
        }
    }
}
