import AsyncHTTPClient
import ClassifyGoogle
import ClassifyTestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

/// A fake Google on a free loopback port, with Classify's real clients pointed at it.
struct LiveFakeGoogle: Sendable {
    let fake: FakeGoogle
    let baseURL: String
    let endpoints: GoogleEndpoints
    let oauth: GoogleOAuthClient

    static let clientID = FakeGoogleClient.default.id
    static let secret = FakeGoogleClient.default.secret
    static let redirectURI = FakeGoogleClient.default.redirectURIs[0]

    /// Does not follow redirects, so a test can read the authorization page's `Location`.
    static let noRedirects = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static func environment(_ base: String, issuer: String? = nil) -> [String: String] {
        var environment = [
            "GOOGLE_AUTH_URL": "\(base)/o/oauth2/v2/auth",
            "GOOGLE_TOKEN_URL": "\(base)/token",
            "GOOGLE_REVOKE_URL": "\(base)/revoke",
            "GOOGLE_USERINFO_URL": "\(base)/v1/userinfo",
            "GOOGLE_JWKS_URL": "\(base)/oauth2/v3/certs",
            "GOOGLE_PICKER_API_URL": "\(base)/photospicker",
            "GOOGLE_PHOTOS_LIBRARY_API_URL": "\(base)/photoslibrary",
        ]
        if let issuer { environment["GOOGLE_ISSUER"] = issuer }
        return environment
    }

    static func run(
        _ configure: @Sendable (inout FakeGoogleConfiguration) -> Void = { _ in },
        timeout: Duration = .seconds(10),
        _ body: @Sendable (LiveFakeGoogle) async throws -> Void
    ) async throws {
        var configuration = FakeGoogleConfiguration()
        configure(&configuration)
        let fake = try FakeGoogle(configuration: configuration, signingKey: FakeGoogle.testSigningKey)
        try await FakeGoogleServer.withRunning(fake) { base in
            let endpoints = try GoogleEndpoints(environment: environment(base))
            let oauth = GoogleOAuthClient(
                clientID: clientID, clientSecret: secret, endpoints: endpoints, timeout: timeout)
            try await body(LiveFakeGoogle(fake: fake, baseURL: base, endpoints: endpoints, oauth: oauth))
        }
    }

    func verifier(
        clientID: String = LiveFakeGoogle.clientID, endpoints: GoogleEndpoints? = nil, clock: TestClock = TestClock()
    ) -> GoogleIDTokenVerifier {
        GoogleIDTokenVerifier(clientID: clientID, endpoints: endpoints ?? self.endpoints, now: { clock.now })
    }

    /// Opens `request.url` with the fake's automatic consent and returns the query of the
    /// redirect back to the app.
    func consent(
        _ request: GoogleAuthorizationRequest, granting scopes: [String]? = nil, user: String? = nil
    ) async throws -> [String: String] {
        var components = try #require(URLComponents(url: request.url, resolvingAgainstBaseURL: false))
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "fake_auto", value: "allow"))
        if let scopes { items.append(URLQueryItem(name: "fake_scopes", value: scopes.joined(separator: " "))) }
        if let user { items.append(URLQueryItem(name: "fake_user", value: user)) }
        components.queryItems = items
        let url = try #require(components.url)
        let response = try await Self.noRedirects.execute(
            HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard (300..<400).contains(Int(response.status.code)), let location = response.headers.first(name: "Location")
        else { throw LiveError.noRedirect(Int(response.status.code)) }
        #expect(location.hasPrefix(Self.redirectURI + "?"))
        var query: [String: String] = [:]
        for item in URLComponents(string: location)?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return query
    }

    /// A whole sign-in: authorization request, consent, exchange.
    func signIn(
        scopes: [String] = GoogleScopes.classify, granting: [String]? = nil
    ) async throws -> (request: GoogleAuthorizationRequest, tokens: GoogleTokens) {
        let request = oauth.authorizationRequest(redirectURI: Self.redirectURI, scopes: scopes)
        let query = try await consent(request, granting: granting)
        let code = try #require(query["code"])
        let tokens = try await oauth.exchange(
            code: code, codeVerifier: request.codeVerifier, redirectURI: Self.redirectURI)
        return (request, tokens)
    }

    enum LiveError: Error { case noRedirect(Int) }

    // MARK: Photos APIs

    /// `Tests/Fixtures/photos`.
    static let photos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/photos").path

    static func photoPath(_ name: String) -> String { (photos as NSString).appendingPathComponent(name) }

    static func photoBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: photoPath(name))))
    }

    var picker: GooglePickerClient { GooglePickerClient(endpoints: endpoints, timeout: .seconds(10)) }
    var library: GoogleLibraryClient { GoogleLibraryClient(endpoints: endpoints, timeout: .seconds(10)) }

    /// An access token for alice with `scopes`, without the browser flow.
    func accessToken(_ scopes: [String], user: String = "alice@example.com") async throws -> String {
        try await fake.mintTokens(user: user, scopes: scopes).accessToken
    }

    /// The person picks these fixture photos in `sessionID`.
    func pick(_ sessionID: String, _ names: [String]) async throws {
        let photos = try names.map { try FakePickedPhoto.load(path: Self.photoPath($0)) }
        try await fake.pick(sessionID: sessionID, photos: photos)
    }

    /// Log lines of the fake's API since `sequence` (admin calls are never logged).
    func requests(since sequence: Int = 0) async -> [FakeRequestLogEntry] { await fake.log(since: sequence) }

    /// The sequence number of the last logged request.
    func lastSequence() async -> Int { await fake.log().last?.sequence ?? 0 }
}

/// Records the waits `GoogleRetry` asks for instead of sleeping.
final class SleepRecorder: Sendable {
    private let sleeps = Mutex<[Duration]>([])

    var requested: [Duration] { sleeps.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in sleeps.withLock { $0.append(duration) } }
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}
