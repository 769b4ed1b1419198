import AsyncHTTPClient
import ClassifyGoogle
import ClassifyTestSupport
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP answer, read whole.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    func headers(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The body as a JSON object (empty when it is not one).
    var json: JSON { JSON((try? JSONSerialization.jsonObject(with: Data(body))) ?? [:]) }

    /// `error.code` of the API's error envelope.
    var errorCode: String? { json["error"]["code"].string ?? json["error"].string }

    var summary: String { "\(status) \(text.prefix(400))" }
}

/// A loosely typed JSON value, enough for assertions.
struct JSON: @unchecked Sendable {
    let value: Any

    init(_ value: Any) { self.value = value }

    subscript(key: String) -> JSON { JSON((value as? [String: Any])?[key] ?? NSNull()) }
    var string: String? { value as? String }
    var int: Int? { (value as? NSNumber)?.intValue }
    var double: Double? { (value as? NSNumber)?.doubleValue }
    var bool: Bool? { (value as? NSNumber).map(\.boolValue) }
    var array: [JSON] { (value as? [Any] ?? []).map(JSON.init) }
    var isNull: Bool { value is NSNull }
    var strings: [String] { array.compactMap(\.string) }
}

/// Plain HTTP with AsyncHTTPClient: redirects are never followed, so each OAuth step shows.
enum HTTP {
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10))))

    static func send(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeoutSeconds: Int64 = 30
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(timeoutSeconds))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return HTTPAnswer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(collected.readableBytesView))
    }

    /// `application/x-www-form-urlencoded` of `pairs`.
    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "\u{0}"..<"\u{80}"))
        allowed.insert(charactersIn: "-._~")
        return Array(
            pairs.map {
                "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            }.joined(separator: "&").utf8)
    }

    /// Every path byte outside unreserved characters percent-encoded (`/` and `:` too).
    static func encodeSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "\u{0}"..<"\u{80}"))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    static func query(of url: String) -> [String: String] {
        var query: [String: String] = [:]
        for item in URLComponents(string: url)?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return query
    }

    /// `url` with extra query parameters appended.
    static func adding(_ extra: [(String, String)], to url: String) -> String {
        guard !extra.isEmpty else { return url }
        let encoded = extra.map { "\(encodeSegment($0.0))=\(encodeSegment($0.1))" }.joined(separator: "&")
        return url + (url.contains("?") ? "&" : "?") + encoded
    }
}

/// A browser talking to Classify: a cookie jar (Classify's cookies only), the page's CSRF
/// token for unsafe API calls, and no redirect following.
final class Browser: @unchecked Sendable {
    let app: String
    var cookies: [String: String] = [:]
    var csrf: String?

    init(app: String) { self.app = app }

    var sessionCookie: String? { cookies["classify_session"] }

    /// Sends to Classify (`pathOrURL` relative to the app, or absolute on it) with the jar,
    /// and keeps what the answer sets.
    func send(
        _ method: String, _ pathOrURL: String, json: String? = nil, headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) async throws -> HTTPAnswer {
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : app + pathOrURL
        var all = headers
        if !cookies.isEmpty {
            all.append(
                ("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")))
        }
        if !["GET", "HEAD"].contains(method), let csrf { all.append(("X-CSRF-Token", csrf)) }
        var payload = body
        if let json {
            all.append(("Content-Type", "application/json"))
            payload = Array(json.utf8)
        }
        let answer = try await HTTP.send(method, url, headers: all, body: payload)
        for line in answer.headers("Set-Cookie") { take(cookie: line) }
        return answer
    }

    func get(_ path: String) async throws -> HTTPAnswer { try await send("GET", path) }

    func post(_ path: String, _ json: String? = nil) async throws -> HTTPAnswer {
        try await send("POST", path, json: json)
    }

    func take(cookie line: String) {
        let parts = line.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, let equals = first.firstIndex(of: "=") else { return }
        let name = String(first[..<equals]), value = String(first[first.index(after: equals)...])
        let expired = parts.contains { $0.lowercased() == "max-age=0" }
        if expired || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
    }

    // MARK: Google sign-in, step by step

    /// `GET /auth/google/start`: the URL of Google's authorization page (the state cookie is kept).
    func startSignIn() async throws -> String {
        let answer = try await get("/auth/google/start")
        try #require(answer.status == 302, "start answered \(answer.summary)")
        let location = try #require(answer.header("Location"))
        try #require(cookies["classify_oauth_state"] != nil, "no state cookie")
        return location
    }

    /// Google's authorization page answering without a person (the fake's `fake_auto`):
    /// returns where it sends the browser back to (the app's callback with code or error).
    static func consent(
        _ authorizationURL: String, decision: String = "allow", user: String? = nil, scopes: [String]? = nil
    ) async throws -> String {
        var extra = [("fake_auto", decision)]
        if let user { extra.append(("fake_user", user)) }
        if let scopes { extra.append(("fake_scopes", scopes.joined(separator: " "))) }
        let answer = try await HTTP.send("GET", HTTP.adding(extra, to: authorizationURL))
        try #require(answer.status == 302, "Google's authorization page answered \(answer.summary)")
        return try #require(answer.header("Location"))
    }

    /// The whole sign-in: start, consent, callback, then the page for its CSRF token.
    @discardableResult
    func signIn(user: String? = nil, scopes: [String]? = nil) async throws -> SignIn {
        let authorization = try await startSignIn()
        let callback = try await Self.consent(authorization, user: user, scopes: scopes)
        let query = HTTP.query(of: callback)
        let answer = try await get(callback)
        try #require(answer.status == 302 && answer.header("Location") == "/", "callback answered \(answer.summary)")
        try #require(sessionCookie != nil, "no session cookie after the callback")
        try await loadCSRF()
        return SignIn(
            authorizationURL: authorization, callbackURL: callback, code: query["code"] ?? "",
            state: query["state"] ?? "")
    }

    func loadCSRF() async throws {
        let page = try await get("/")
        try #require(page.status == 200, "the page answered \(page.status)")
        let marker = #"name="csrf-token" content=""#
        let range = try #require(page.text.range(of: marker), "no csrf-token meta on the page")
        csrf = String(page.text[range.upperBound...].prefix { $0 != "\"" })
    }

    struct SignIn: Sendable {
        let authorizationURL: String
        let callbackURL: String
        let code: String
        let state: String
    }

    // MARK: API

    func userID() async throws -> String {
        let me = try await get("/api/v1/auth/me")
        try #require(me.status == 200, "auth/me answered \(me.summary)")
        return try #require(me.json["id"].string)
    }

    func photos() async throws -> [JSON] {
        let answer = try await get("/api/v1/photos?limit=200")
        try #require(answer.status == 200, "photos answered \(answer.summary)")
        return answer.json["photos"].array
    }

    /// Polls the job until it is done or failed.
    func waitJob(_ jobID: String, seconds: Double = 60) async throws -> JSON {
        let deadline = Date().addingTimeInterval(seconds)
        var last = JSON([:])
        while Date() < deadline {
            let answer = try await get("/api/v1/blur/jobs/\(jobID)")
            try #require(answer.status == 200, "job answered \(answer.summary)")
            last = answer.json
            if ["done", "failed"].contains(last["status"].string ?? "") { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(jobID) not finished after \(seconds) s: \(last.value)")
        throw GoogleFlowError.timedOut("job \(jobID)")
    }

    /// Polls the album until it is done or failed.
    func waitAlbum(_ albumID: String, seconds: Double = 60) async throws -> JSON {
        let deadline = Date().addingTimeInterval(seconds)
        var last = JSON([:])
        while Date() < deadline {
            let answer = try await get("/api/v1/photos/google/albums/\(albumID)")
            try #require(answer.status == 200, "album answered \(answer.summary)")
            last = answer.json
            if ["done", "failed"].contains(last["status"].string ?? "") { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("album \(albumID) not finished after \(seconds) s: \(last.value)")
        throw GoogleFlowError.timedOut("album \(albumID)")
    }

    /// A new picker session (201).
    func newPickerSession() async throws -> String {
        let answer = try await post("/api/v1/photos/google/picker-sessions")
        try #require(answer.status == 201, "picker-sessions answered \(answer.summary)")
        return try #require(answer.json["session_id"].string)
    }

    /// POST …/sync (202): the job id and total.
    func sync(_ sessionID: String) async throws -> (jobID: String, total: Int) {
        let answer = try await post("/api/v1/photos/google/picker-sessions/\(sessionID)/sync")
        try #require(answer.status == 202, "sync answered \(answer.summary)")
        return (try #require(answer.json["job_id"].string), try #require(answer.json["total"].int))
    }

    /// Analyses every photo not analysed yet and waits.
    func analyzeAll(seconds: Double = 90) async throws {
        let answer = try await post("/api/v1/blur/analyze-batch", "{}")
        try #require(answer.status == 202, "analyze-batch answered \(answer.summary)")
        let job = try await waitJob(try #require(answer.json["job_id"].string), seconds: seconds)
        try #require(job["failed"].int == 0, "analysis failed: \(job.value)")
    }

    /// The photos the API calls not blurred, by filename.
    func clearPhotos() async throws -> [JSON] {
        try await photos().filter { $0["is_blurred"].bool == false }
    }
}

enum GoogleFlowError: Error { case timedOut(String) }

/// A fake Google in this process and `classify serve` as a child process pointed at it, each
/// on its own free loopback port, Classify with its own DATA_DIR. Real HTTP both ways.
final class GoogleFlow: @unchecked Sendable {
    let fake: FakeGoogle
    let fakeBase: String
    let port: Int
    let work: TemporaryDirectory
    let environment: [String: String]
    /// TOKEN_ENCRYPTION_KEY, 64 hex characters.
    let key: String
    var server: KillRecoveryTests.ServerProcess
    var runs = 1

    static let clientID = FakeGoogleClient.default.id
    static let clientSecret = FakeGoogleClient.default.secret
    static let fixtures = HostileInputTests.repoRoot.appendingPathComponent("Tests/Fixtures/photos").path

    var app: String { "http://127.0.0.1:\(port)" }
    var redirectURI: String { "\(app)/auth/google/callback" }
    var dataDir: String { work.path + "/data" }
    var logPath: String { server.logPath }

    private init(
        fake: FakeGoogle, fakeBase: String, port: Int, work: TemporaryDirectory, environment: [String: String],
        key: String, server: KillRecoveryTests.ServerProcess
    ) {
        self.fake = fake
        self.fakeBase = fakeBase
        self.port = port
        self.work = work
        self.environment = environment
        self.key = key
        self.server = server
    }

    static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func googleEnvironment(_ base: String) -> [String: String] {
        [
            "GOOGLE_CLIENT_ID": clientID, "GOOGLE_CLIENT_SECRET": clientSecret,
            "GOOGLE_AUTH_URL": "\(base)/o/oauth2/v2/auth", "GOOGLE_TOKEN_URL": "\(base)/token",
            "GOOGLE_REVOKE_URL": "\(base)/revoke", "GOOGLE_USERINFO_URL": "\(base)/v1/userinfo",
            "GOOGLE_JWKS_URL": "\(base)/oauth2/v3/certs", "GOOGLE_ISSUER": "https://accounts.google.com",
            "GOOGLE_PICKER_API_URL": "\(base)/photospicker",
            "GOOGLE_PHOTOS_LIBRARY_API_URL": "\(base)/photoslibrary",
        ]
    }

    /// Runs `body` with a fresh fake and a fresh server; both are stopped afterwards.
    static func run(
        workers: Int = 2, environment extra: [String: String] = [:],
        configure: @Sendable (inout FakeGoogleConfiguration) -> Void = { _ in },
        _ body: @Sendable (GoogleFlow) async throws -> Void
    ) async throws {
        let binary = HostileInputTests.classifyBinary
        try #require(
            access(binary, X_OK) == 0, "no classify binary at \(binary) (run `swift build` or set CLASSIFY_BIN)")
        let port = try KillRecoveryTests.freePort()
        var configuration = FakeGoogleConfiguration()
        configuration.clients = [
            FakeGoogleClient(
                id: clientID, secret: clientSecret, redirectURIs: ["http://127.0.0.1:\(port)/auth/google/callback"])
        ]
        configuration.photosDirectory = fixtures
        configure(&configuration)
        let fake = try FakeGoogle(configuration: configuration, signingKey: FakeGoogle.testSigningKey)
        let work = try TemporaryDirectory()
        // GOOGLE_FLOW_KEEP=1 keeps DATA_DIR and the server logs for a look afterwards.
        let keep = ProcessInfo.processInfo.environment["GOOGLE_FLOW_KEEP"] != nil
        defer { if keep { print("google-flow: kept \(work.path)") } else { work.remove() } }
        try await FakeGoogleServer.withRunning(fake) { base in
            let key = randomKey()
            var environment = googleEnvironment(base)
            environment.merge([
                "TOKEN_ENCRYPTION_KEY": key, "PORT": String(port), "HOST": "127.0.0.1",
                "DATA_DIR": work.path + "/data", "WORKERS": String(workers), "JOB_LEASE_SECONDS": "5",
            ]) { $1 }
            environment.merge(extra) { $1 }
            let server = try KillRecoveryTests.ServerProcess(
                binary: binary, environment: environment, log: work.path + "/serve-1.log")
            let flow = GoogleFlow(
                fake: fake, fakeBase: base, port: port, work: work, environment: environment, key: key,
                server: server)
            defer { flow.server.stop() }
            try await flow.waitReady()
            try await body(flow)
        }
    }

    func waitReady(seconds: Double = 30) async throws {
        try await server.waitReady(app: app, seconds: seconds)
    }

    /// SIGKILL, and wait until the process is gone.
    func kill() {
        server.kill9()
        #expect(server.waitForExit(seconds: 10), "still running 10 s after SIGKILL")
    }

    /// A new process on the same DATA_DIR and port.
    func restart(environment extra: [String: String] = [:]) async throws {
        runs += 1
        server = try KillRecoveryTests.ServerProcess(
            binary: HostileInputTests.classifyBinary, environment: environment.merging(extra) { $1 },
            log: work.path + "/serve-\(runs).log")
        try await waitReady()
    }

    func browser() -> Browser { Browser(app: app) }

    /// Every log line the server processes wrote so far.
    func serverLog() -> String {
        (1...runs).map { run in
            (try? String(contentsOfFile: work.path + "/serve-\(run).log", encoding: .utf8)) ?? ""
        }.joined(separator: "\n")
    }

    // MARK: The fake

    /// The person picks these fixture photos in the session.
    func pick(_ sessionID: String, _ names: [String]) async throws {
        let photos = try names.map { try FakePickedPhoto.load(path: Self.fixtures + "/" + $0) }
        try await fake.pick(sessionID: sessionID, photos: photos)
    }

    func lastSequence() async -> Int { await fake.log().last?.sequence ?? 0 }

    func requests(since sequence: Int) async -> [FakeRequestLogEntry] { await fake.log(since: sequence) }

    /// Picks `names` in a new session, syncs it and waits for the job; the session id and job.
    func pickAndSync(_ browser: Browser, _ names: [String], seconds: Double = 60) async throws -> (
        sessionID: String, job: JSON
    ) {
        let sessionID = try await browser.newPickerSession()
        try await pick(sessionID, names)
        let (jobID, _) = try await browser.sync(sessionID)
        return (sessionID, try await browser.waitJob(jobID, seconds: seconds))
    }

    // MARK: Classify's databases

    func sqlite(_ name: String) throws -> KillRecoveryTests.SQLite {
        try #require(KillRecoveryTests.SQLite(path: dataDir + "/\(name).sqlite", directory: work.path), "no sqlite3")
    }

    /// The person's Google tokens as stored (sealed) and opened with TOKEN_ENCRYPTION_KEY.
    func storedTokens(userID: String) throws -> (
        sealedAccess: String, sealedRefresh: String, access: String, refresh: String
    ) {
        let row = try sqlite("auth").query(
            "SELECT access_token || '|' || COALESCE(refresh_token, '') FROM google_accounts WHERE user_id = '\(userID)'"
        )
        let parts = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 2, "no google_accounts row for \(userID)")
        let cipher = try TokenCipher(encodedKey: key)
        let access = try cipher.open(token: parts[0], associatedData: "access:\(userID)")
        let refresh = parts[1].isEmpty ? "" : try cipher.open(token: parts[1], associatedData: "refresh:\(userID)")
        return (parts[0], parts[1], access, refresh)
    }
}

extension Array where Element == String {
    /// Each element and how often it occurs.
    var counted: [String: Int] { reduce(into: [:]) { $0[$1, default: 0] += 1 } }
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

extension KillRecoveryTests.ServerProcess {
    /// Waits until `classify serve` at `app` answers /health/ready, or says why not.
    func waitReady(app: String, seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            try #require(isRunning, "classify serve exited: \(logTail())")
            if let answer = try? await HTTP.send("GET", app + "/health/ready", timeoutSeconds: 2), answer.status == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("not ready after \(seconds) s: \(logTail())")
        throw GoogleFlowError.timedOut("ready")
    }
}
