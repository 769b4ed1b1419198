import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyWeb

/// The page's cookie session: sign-in sets an HttpOnly SameSite cookie, the API accepts it,
/// unsafe requests need the CSRF token, cross-site forms are refused, sign-in is rate limited.
@Suite struct PageSessionTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in through the page and returns the `Cookie` header value.
    static func signIn(_ client: some TestClientProtocol, password: String? = nil) async throws -> String {
        try await client.execute(
            uri: "/signin", method: .post, headers: form,
            body: ByteBuffer(string: password.map { "password=\($0)" } ?? "")
        ) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
            let setCookie = response.headers[.setCookie] ?? ""
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Lax"))
            return String(setCookie.split(separator: ";")[0])
        }
    }

    /// The dashboard's CSRF token, read the way the page's script reads it.
    static func csrfToken(_ client: some TestClientProtocol, cookie: String) async throws -> String {
        try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            let html = String(buffer: response.body)
            guard let range = html.range(of: #"name="csrf-token" content=""#) else { return "" }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func theDashboardNeedsASessionAndTheCookieOpensTheAPI() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .found)
                    #expect(response.headers[.location] == "/signin")
                }
                let cookie = try await Self.signIn(client)
                let csrf = try await Self.csrfToken(client, cookie: cookie)
                #expect(csrf.count == 64)
                try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .ok)
                    #expect(TestApp.decode($0.body)["id"] as? String == "local")
                }
                try await client.execute(uri: "/signin", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .found)
                }
            }
        }
    }

    @Test func unsafeCookieRequestsNeedTheCSRFToken() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                let cookie = try await Self.signIn(client)
                let csrf = try await Self.csrfToken(client, cookie: cookie)
                let patch = TestApp.json(["blur_threshold": 0.4])
                for token in [nil, "", String(repeating: "0", count: 64), csrf.uppercased()] {
                    var headers: HTTPFields = [.cookie: cookie, .contentType: "application/json"]
                    if let token { headers[CSRFMiddleware.header] = token }
                    try await client.execute(
                        uri: "/api/v1/users/me/settings", method: .patch, headers: headers, body: patch
                    ) { response in
                        #expect(response.status == .forbidden)
                        #expect((TestApp.decode(response.body)["error"] as? [String: String])?["code"] == "csrf")
                    }
                }
                try await client.execute(
                    uri: "/api/v1/users/me/settings", method: .patch,
                    headers: [.cookie: cookie, CSRFMiddleware.header: csrf, .contentType: "application/json"],
                    body: patch
                ) {
                    #expect($0.status == .ok)
                    #expect(TestApp.decode($0.body)["blur_threshold"] as? Double == 0.4)
                }
                // Another session's token does not fit this session.
                let other = try await Self.signIn(client)
                let otherCSRF = try await Self.csrfToken(client, cookie: other)
                try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post,
                    headers: [.cookie: cookie, CSRFMiddleware.header: otherCSRF], body: TestApp.json([:])
                ) { #expect($0.status == .forbidden) }
            }
        }
    }

    @Test func signOutNeedsTheFormTokenAndEndsTheSession() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                let cookie = try await Self.signIn(client)
                let csrf = try await Self.csrfToken(client, cookie: cookie)
                try await client.execute(
                    uri: "/signout", method: .post,
                    headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf_token=wrong")
                ) { #expect($0.status == .forbidden) }
                try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .ok)
                }
                try await client.execute(
                    uri: "/signout", method: .post,
                    headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf_token=\(csrf)")
                ) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/signin")
                    #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
                }
                try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .unauthorized)
                }
            }
        }
    }

    @Test func aFormFromAnotherSiteAndAWrongPasswordAreRefused() async throws {
        try await TestApp.with(localPassword: "correct horse") { app, _ in
            try await app.test(.router) { client in
                var crossSite = Self.form
                crossSite[.origin] = "https://evil.example"
                try await client.execute(
                    uri: "/signin", method: .post, headers: crossSite,
                    body: ByteBuffer(string: "password=correct+horse")
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(response.headers[.setCookie] == nil)
                }
                try await client.execute(
                    uri: "/signin", method: .post, headers: Self.form, body: ByteBuffer(string: "password=wrong")
                ) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.setCookie] == nil)
                    #expect(String(buffer: response.body).contains("Wrong password"))
                }
                var fetchedCrossSite = Self.form
                fetchedCrossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
                try await client.execute(
                    uri: "/signin", method: .post, headers: fetchedCrossSite,
                    body: ByteBuffer(string: "password=correct+horse")
                ) { #expect($0.status == .forbidden) }
                // What Chromium sends for its own form when the referrer is withheld.
                var sameSiteNullOrigin = Self.form
                sameSiteNullOrigin[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
                sameSiteNullOrigin[.origin] = "null"
                try await client.execute(
                    uri: "/signin", method: .post, headers: sameSiteNullOrigin,
                    body: ByteBuffer(string: "password=correct+horse")
                ) { #expect($0.status == .seeOther) }
                _ = try await Self.signIn(client, password: "correct+horse")
            }
        }
    }

    @Test func signInIsRateLimitedOnThePageAndTheAPI() async throws {
        try await TestApp.with(localPassword: "pw", signInAttempts: 3) { app, _ in
            try await app.test(.router) { client in
                for _ in 0..<3 {
                    try await client.execute(
                        uri: "/signin", method: .post, headers: Self.form, body: ByteBuffer(string: "password=x")
                    ) { #expect($0.status == .unauthorized) }
                }
                try await client.execute(
                    uri: "/signin", method: .post, headers: Self.form, body: ByteBuffer(string: "password=pw")
                ) { response in
                    #expect(response.status == .tooManyRequests)
                    #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
                }
                try await client.execute(
                    uri: "/api/v1/auth/token", method: .post,
                    body: TestApp.json(["grant_type": "local", "password": "pw"])
                ) { response in
                    #expect(response.status == .tooManyRequests)
                    #expect((TestApp.decode(response.body)["error"] as? [String: String])?["code"] == "rate_limited")
                    #expect(response.headers[.retryAfter] != nil)
                }
            }
        }
    }

    @Test func unknownPagesAreHTMLAndUnknownAPIRoutesAreJSON() async throws {
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/no-such-page", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    #expect(response.headers[.contentSecurityPolicy] != nil)
                }
                try await client.execute(uri: "/api/v1/no-such-route", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(TestApp.decode(response.body)["error"] != nil)
                }
            }
        }
    }
}
