import Foundation
import JWTKit

/// An in-memory Google for tests and demos: OAuth 2.0 / OpenID Connect, the Photos Picker API,
/// picked photos' bytes at `baseUrl`s, and the post-March-2025 Photos Library API, following
/// `specs/google-apis.md` (errors, limits and expiries included), plus an admin API under
/// `/fake/` for tests (fault injection, clock, state). `FakeGoogleRouter` serves it over HTTP.
///
/// Paths on the fake, with the configuration variable of the app that points at each
/// (`{fake}` is the fake's base URL, e.g. `http://127.0.0.1:4444`):
///
/// | variable | value | Google's original |
/// |---|---|---|
/// | `GOOGLE_AUTH_URL` | `{fake}/o/oauth2/v2/auth` | `https://accounts.google.com/o/oauth2/v2/auth` |
/// | `GOOGLE_TOKEN_URL` | `{fake}/token` | `https://oauth2.googleapis.com/token` |
/// | `GOOGLE_REVOKE_URL` | `{fake}/revoke` | `https://oauth2.googleapis.com/revoke` |
/// | `GOOGLE_USERINFO_URL` | `{fake}/v1/userinfo` | `https://openidconnect.googleapis.com/v1/userinfo` |
/// | `GOOGLE_JWKS_URL` | `{fake}/oauth2/v3/certs` | `https://www.googleapis.com/oauth2/v3/certs` |
/// | `GOOGLE_ISSUER` | the configured issuer (default `https://accounts.google.com`) | same |
/// | `GOOGLE_PICKER_API_URL` | `{fake}/photospicker` (then `/v1/sessions`, `/v1/mediaItems`) | `https://photospicker.googleapis.com` |
/// | `GOOGLE_PHOTOS_LIBRARY_API_URL` | `{fake}/photoslibrary` (then `/v1/uploads`, `/v1/albums`, …) | `https://photoslibrary.googleapis.com` |
///
/// Also: OIDC discovery at `{fake}/.well-known/openid-configuration`; `pickerUri`s at
/// `{fake}/picker/{sessionId}`; picker `baseUrl`s at `{fake}/lh3/ppa/{token}` and library
/// `baseUrl`s at `{fake}/lh3/lr/{token}` (append `=w{W}-h{H}`, `=d`, …); `productUrl`s at
/// `{fake}/lr/…`. The Picker and the Library both have `GET /v1/mediaItems`, hence their prefixes.
public actor FakeGoogle {
    var configuration: FakeGoogleConfiguration
    /// Seconds added to the wall clock: `advanceClock` makes codes, tokens, sessions and
    /// `baseUrl`s expire without waiting.
    var clockOffset: Double = 0
    var keys: FakeSigningKeys
    var users: [FakeGoogleUser]

    var pendingAuthorizations: [String: FakeRecord.PendingAuthorization] = [:]
    var codes: [String: FakeRecord.AuthorizationCode] = [:]
    var grants: [String: FakeRecord.Grant] = [:]
    var grantByRefreshToken: [String: String] = [:]
    var accessTokens: [String: FakeRecord.AccessToken] = [:]
    /// Scopes each user has granted each client, keyed by `ConsentKey`.
    var consents: [ConsentKey: Set<String>] = [:]

    var sessions: [String: FakeRecord.PickingSession] = [:]
    var blobs: [String: FakeRecord.Blob] = [:]
    var storedBytes = 0
    var pickedItems: [String: FakeRecord.PickedItem] = [:]
    var baseURLs: [String: FakeRecord.BaseURL] = [:]

    var uploads: [String: FakeRecord.Upload] = [:]
    var albums: [String: FakeRecord.Album] = [:]
    var albumOrder: [String] = []
    var libraryItems: [String: FakeRecord.LibraryItem] = [:]
    var libraryOrder: [String] = []
    var batchCreateInFlight: Set<String> = []

    var faults: [FakeFault] = []
    var itemFailures: [(code: Int, message: String)] = []
    var requestLog: [FakeRequestLogEntry] = []
    var requestSequence = 0
    var issued = IssuedCounts()

    struct ConsentKey: Hashable {
        let userSub: String
        let clientID: String
    }

    public struct IssuedCounts: Sendable, Codable, Equatable {
        public var authorizationCodes = 0
        public var accessTokens = 0
        public var refreshTokens = 0
        public var idTokens = 0
        public var uploadTokens = 0
    }

    /// - Parameter signingKey: the first ID-token signing key; a new one is generated when nil
    ///   (slow in debug builds, so tests pass `FakeGoogle.testSigningKey`).
    public init(configuration: FakeGoogleConfiguration = .init(), signingKey: JWTKit.Insecure.RSA.PrivateKey? = nil)
        throws
    {
        self.configuration = configuration
        self.users = configuration.users
        self.keys = try FakeSigningKeys(initial: signingKey)
    }

    /// A signing key shared by every fake in this process.
    public static var testSigningKey: JWTKit.Insecure.RSA.PrivateKey { FakeSigningKeys.sharedTestKey }

    var now: Date { Date().addingTimeInterval(clockOffset) }

    var publicBaseURL: String { configuration.publicBaseURL }

    /// Where the fake is reachable; the live server sets it once its port is known.
    public func setPublicBaseURL(_ url: String) {
        configuration.publicBaseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    public func advanceClock(seconds: Double) { clockOffset += seconds }

    public var configurationSnapshot: FakeGoogleConfiguration { configuration }

    public func updateConfiguration(_ change: @Sendable (inout FakeGoogleConfiguration) -> Void) {
        change(&configuration)
    }

    func user(sub: String) -> FakeGoogleUser? { users.first { $0.sub == sub } }

    /// A user by email or `sub`.
    public func user(matching hint: String) -> FakeGoogleUser? {
        users.first { $0.sub == hint || $0.email.lowercased() == hint.lowercased() }
    }

    public var allUsers: [FakeGoogleUser] { users }

    public func addUser(_ user: FakeGoogleUser) {
        users.removeAll { $0.sub == user.sub }
        users.append(user)
    }

    /// Refuses a new record when its table is full even after dropping what has expired, so a
    /// runaway client gets 429s instead of exhausting memory.
    func admitRecord(adding: Int = 1, _ count: () -> Int) throws(GoogleAPIError) {
        guard count() + adding > configuration.maxRecords else { return }
        purgeExpired()
        if count() + adding > configuration.maxRecords {
            throw .resourceExhausted("The fake's record limit (\(configuration.maxRecords)) is reached.")
        }
    }

    func purgeExpired() {
        let now = now
        codes = codes.filter { $0.value.expiresAt > now && !$0.value.used }
        accessTokens = accessTokens.filter { $0.value.expiresAt > now }
        baseURLs = baseURLs.filter { $0.value.expiresAt > now }
        uploads = uploads.filter { $0.value.expiresAt > now && !$0.value.used }
        let cutoff = now.addingTimeInterval(-configuration.authorizationCodeTTL)
        pendingAuthorizations = pendingAuthorizations.filter { $0.value.createdAt > cutoff }
        sessions = sessions.filter { !$0.value.deleted && $0.value.expiresAt > now }
        let liveGrants = Set(accessTokens.values.map(\.grantID))
        grants = grants.filter { entry in
            let grant = entry.value
            let refreshable =
                grant.refreshToken != nil && !grant.revoked && (grant.refreshExpiresAt.map { $0 > now } ?? true)
            return refreshable || liveGrants.contains(grant.id)
        }
        grantByRefreshToken = grantByRefreshToken.filter { grants[$0.value] != nil }
    }

    /// Stores bytes once per content; nil when the fake's byte budget would be exceeded.
    func storeBlob(_ bytes: [UInt8], info: FakePhotoInfo) -> String? {
        let hash = FakeRandom.sha256Hex(bytes)
        if blobs[hash] != nil { return hash }
        guard storedBytes + bytes.count <= configuration.maxStoredBytes else { return nil }
        blobs[hash] = .init(bytes: bytes, info: info)
        storedBytes += bytes.count
        return hash
    }
}
