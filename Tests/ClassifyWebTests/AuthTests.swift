import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyWeb

@Suite struct AuthTests {
    static func signIn(_ client: some TestClientProtocol, password: String? = nil) async throws -> [String: Any] {
        var body: [String: Any] = ["grant_type": "local"]
        if let password { body["password"] = password }
        return try await client.execute(uri: "/api/v1/auth/token", method: .post, body: TestApp.json(body)) {
            TestApp.decode($0.body)
        }
    }

    static func bearer(_ token: Any?) -> HTTPFields { [.authorization: "Bearer \(token as? String ?? "")"] }

    @Test func localSignInGivesTokensThatIdentifyTheUser() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                let tokens = try await Self.signIn(client)
                #expect(tokens["token_type"] as? String == "Bearer")
                #expect((tokens["expires_in"] as? Int ?? 0) > 0)
                #expect((tokens["user"] as? [String: Any])?["id"] as? String == "local")
                try await client.execute(
                    uri: "/api/v1/auth/me", method: .get, headers: Self.bearer(tokens["access_token"])
                ) {
                    #expect($0.status == .ok)
                    #expect(TestApp.decode($0.body)["blur_threshold"] as? Double == 0.5)
                }
            }
        }
    }

    @Test func missingOrForgedTokensAreRefusedWithAJSONError() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/auth/me", method: .get) {
                    #expect($0.status == .unauthorized)
                    #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "unauthorized")
                }
                let forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJsb2NhbCIsImV4cCI6OTk5OTk5OTk5OX0.AAAA"
                try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: Self.bearer(forged)) {
                    #expect($0.status == .unauthorized)
                    #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "invalid_token")
                }
            }
        }
    }

    @Test func refreshTokensRotateAndLogoutRevokesThem() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                let first = try await Self.signIn(client)
                let refresh = { (token: Any?) in
                    try await client.execute(
                        uri: "/api/v1/auth/refresh", method: .post, body: TestApp.json(["refresh_token": token ?? ""])
                    ) { ($0.status, TestApp.decode($0.body)) }
                }
                let (status, second) = try await refresh(first["refresh_token"])
                #expect(status == .ok)
                #expect(second["refresh_token"] as? String != first["refresh_token"] as? String)
                #expect(try await refresh(first["refresh_token"]).0 == .unauthorized)  // used once already
                try await client.execute(
                    uri: "/api/v1/auth/logout", method: .post, headers: Self.bearer(second["access_token"])
                ) {
                    #expect($0.status == .noContent)
                }
                #expect(try await refresh(second["refresh_token"]).0 == .unauthorized)
            }
        }
    }

    @Test func badRequestsSayWhatIsWrong() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/auth/token", method: .post, body: ByteBuffer(string: "{not json")
                ) {
                    #expect($0.status == .badRequest)
                    #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "bad_request")
                }
                try await client.execute(
                    uri: "/api/v1/auth/token", method: .post, body: TestApp.json(["grant_type": "password"])
                ) {
                    #expect($0.status == .badRequest)
                    #expect(
                        (TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "unsupported_grant_type")
                }
            }
        }
    }

    @Test func offLoopbackTheLocalPasswordIsChecked() async throws {
        try await TestApp.with(localPassword: "correct horse") { app, _ in
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/auth/token", method: .post,
                    body: TestApp.json(["grant_type": "local", "password": "nope"])
                ) {
                    #expect($0.status == .unauthorized)
                }
                let tokens = try await Self.signIn(client, password: "correct horse")
                #expect(tokens["access_token"] is String)
            }
        }
    }

    @Test func anOversizedJSONBodyIsRefusedBeforeItIsRead() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                let huge =
                    #"{"grant_type":"local","password":""# + String(repeating: "a", count: 3 * 1_048_576) + #""}"#
                try await client.execute(uri: "/api/v1/auth/token", method: .post, body: ByteBuffer(string: huge)) {
                    #expect($0.status == .contentTooLarge)
                    #expect(TestApp.decode($0.body)["error"] != nil)
                }
            }
        }
    }
}
