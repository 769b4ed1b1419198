import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

@testable import ClassifyTestSupport

/// A fake Google behind Hummingbird's in-process test client, and the requests tests repeat.
struct FakeGoogleHarness: Sendable {
    let client: any TestClientProtocol
    let fake: FakeGoogle

    static let clientID = FakeGoogleClient.default.id
    static let secret = FakeGoogleClient.default.secret
    static let redirectURI = FakeGoogleClient.default.redirectURIs[0]
    static let base = "http://fake.test"
    static let photos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/photos").path
    static let allScopes = [
        "openid", "email", "profile", GoogleScope.picker, GoogleScope.appendOnly, GoogleScope.readAppCreated,
    ]

    static func run(
        _ configure: @Sendable (inout FakeGoogleConfiguration) -> Void = { _ in },
        _ body: @Sendable (FakeGoogleHarness) async throws -> Void
    ) async throws {
        var configuration = FakeGoogleConfiguration()
        configuration.publicBaseURL = base
        configuration.photosDirectory = photos
        configure(&configuration)
        let fake = try FakeGoogle(configuration: configuration, signingKey: FakeGoogle.testSigningKey)
        let app = Application(router: FakeGoogleRouter.build(fake))
        try await app.test(.router) { client in try await body(FakeGoogleHarness(client: client, fake: fake)) }
    }

    struct Reply: Sendable {
        let status: Int
        let headers: HTTPFields
        let bytes: [UInt8]

        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
        /// `error.status` of Google's envelope, or `error` of an OAuth error body.
        var errorStatus: String? {
            (json["error"] as? [String: Any])?["status"] as? String ?? json["error"] as? String
        }
        var location: String? { headers[.location] }
        /// The query parameters of the `Location` header.
        var redirectQuery: [String: String] {
            guard let location, let query = URLComponents(string: location)?.percentEncodedQuery else { return [:] }
            var result: [String: String] = [:]
            for (name, value) in FakeHTTP.formPairs(query) { result[name] = value }
            return result
        }
    }

    func request(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: [UInt8]? = nil
    ) async throws -> Reply {
        let uri = uri.hasPrefix(Self.base) ? String(uri.dropFirst(Self.base.count)) : uri
        return try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }
        ) {
            Reply(status: Int($0.status.code), headers: $0.headers, bytes: Array($0.body.readableBytesView))
        }
    }

    func get(_ uri: String, bearer: String? = nil) async throws -> Reply {
        try await request(.get, uri, headers: bearer.map { [.authorization: "Bearer \($0)"] } ?? [:])
    }

    func postForm(_ uri: String, _ pairs: [(String, String)], headers: HTTPFields = [:]) async throws -> Reply {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await request(.post, uri, headers: headers, body: Array(FakeHTTP.query(pairs).utf8))
    }

    func postJSON(
        _ uri: String, _ object: Any = [String: Any](), bearer: String? = nil, method: HTTPRequest.Method = .post
    )
        async throws -> Reply
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await request(method, uri, headers: headers, body: Array(data))
    }

    /// An authorization URL with Classify's usual parameters; `extra` adds or replaces some.
    static func authorizeURI(
        scopes: [String] = allScopes, challenge: String? = nil, extra: [(String, String)] = []
    ) -> String {
        var pairs: [(String, String)] = [
            ("client_id", clientID), ("redirect_uri", redirectURI), ("response_type", "code"),
            ("scope", scopes.joined(separator: " ")), ("state", "state-123"), ("access_type", "offline"),
            ("prompt", "consent"), ("nonce", "nonce-456"),
        ]
        if let challenge { pairs += [("code_challenge", challenge), ("code_challenge_method", "S256")] }
        for (name, value) in extra {
            pairs.removeAll { $0.0 == name }
            if !value.isEmpty { pairs.append((name, value)) }
        }
        return "/o/oauth2/v2/auth?" + FakeHTTP.query(pairs)
    }

    static func pkce() -> (verifier: String, challenge: String) {
        let verifier = FakeRandom.token(48)
        return (verifier, Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString())
    }

    /// Exchanges a code at the token endpoint with the client secret in the body.
    func exchange(_ code: String, verifier: String?, redirectURI: String = redirectURI) async throws -> Reply {
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("client_id", Self.clientID), ("client_secret", Self.secret),
        ]
        if let verifier { form.append(("code_verifier", verifier)) }
        return try await postForm("/token", form)
    }

    func refresh(_ refreshToken: String, scope: String? = nil) async throws -> Reply {
        var form = [
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", Self.clientID),
            ("client_secret", Self.secret),
        ]
        if let scope { form.append(("scope", scope)) }
        return try await postForm("/token", form)
    }

    /// The whole flow with automatic consent: the token endpoint's JSON answer.
    func signIn(scopes: [String] = allScopes, granted: [String]? = nil, user: String? = nil) async throws -> [String:
        Any]
    {
        let (verifier, challenge) = Self.pkce()
        var extra = [("fake_auto", "allow")]
        if let granted { extra.append(("fake_scopes", granted.joined(separator: " "))) }
        if let user { extra.append(("fake_user", user)) }
        let redirect = try await get(Self.authorizeURI(scopes: scopes, challenge: challenge, extra: extra))
        guard let code = redirect.redirectQuery["code"] else { throw HarnessError.noCode(redirect.location ?? "") }
        let tokens = try await exchange(code, verifier: verifier)
        guard tokens.status == 200 else { throw HarnessError.tokenFailed(tokens.text) }
        return tokens.json
    }

    func accessToken(scopes: [String] = allScopes, user: String = "alice@example.com") async throws -> String {
        try await fake.mintTokens(user: user, scopes: scopes).accessToken
    }

    enum HarnessError: Error {
        case noCode(String)
        case tokenFailed(String)
    }
}
