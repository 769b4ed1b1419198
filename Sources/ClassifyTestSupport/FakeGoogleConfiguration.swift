import Foundation

/// An OAuth client registered with the fake, as in Google Cloud Console: its id, its secret and
/// the redirect URIs it may use (compared exactly, as Google does).
public struct FakeGoogleClient: Sendable, Equatable {
    public var id: String
    public var secret: String
    public var redirectURIs: [String]

    public init(id: String, secret: String, redirectURIs: [String]) {
        self.id = id
        self.secret = secret
        self.redirectURIs = redirectURIs
    }

    public static let `default` = FakeGoogleClient(
        id: "fake-client-id.apps.googleusercontent.com", secret: "fake-client-secret",
        redirectURIs: ["http://127.0.0.1:8080/auth/google/callback", "http://localhost:8080/auth/google/callback"])
}

/// A Google account known to the fake. `sub` is the stable id Google puts in ID tokens.
public struct FakeGoogleUser: Sendable, Equatable, Codable {
    public var sub: String
    public var email: String
    public var emailVerified: Bool
    public var name: String
    public var givenName: String
    public var familyName: String
    public var picture: String
    public var locale: String
    /// Workspace domain, only for Workspace accounts.
    public var hd: String?
    /// false: the account has no Google Photos, so `sessions.create` answers FAILED_PRECONDITION.
    public var hasPhotosAccount: Bool

    public init(
        sub: String, email: String, name: String, emailVerified: Bool = true, picture: String? = nil,
        locale: String = "en", hd: String? = nil, hasPhotosAccount: Bool = true
    ) {
        self.sub = sub
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        self.givenName = parts.first ?? name
        self.familyName = parts.count > 1 ? parts[1] : ""
        self.picture = picture ?? "https://lh3.googleusercontent.com/a/fake-\(sub)=s96-c"
        self.locale = locale
        self.hd = hd
        self.hasPhotosAccount = hasPhotosAccount
    }

    public static let alice = FakeGoogleUser(
        sub: "100000000000000000001", email: "alice@example.com", name: "Alice Example")
    public static let bob = FakeGoogleUser(sub: "100000000000000000002", email: "bob@example.com", name: "Bob Example")
}

/// Everything that shapes the fake's behaviour. Durations are in seconds. The defaults are
/// Google's documented values; tests shorten them or move the fake clock instead.
public struct FakeGoogleConfiguration: Sendable {
    public var clients: [FakeGoogleClient] = [.default]
    public var users: [FakeGoogleUser] = [.alice, .bob]
    /// `iss` of the ID tokens. Google uses `https://accounts.google.com` and sometimes
    /// `accounts.google.com`; set either (or the fake's own URL) to test a client's check.
    public var issuer = "https://accounts.google.com"
    /// Where the fake is reachable, without a trailing slash: used in `baseUrl`s, `pickerUri`s
    /// and `productUrl`s. The live server helper and `classify-fakes` fill it in.
    public var publicBaseURL = "http://127.0.0.1:4444"
    /// Folder offered by the picker page's "pick everything" button and by `{"all": true}` picks.
    public var photosDirectory: String?

    public var authorizationCodeTTL: Double = 600
    public var accessTokenTTL: Double = 3599
    /// nil: refresh tokens live until revoked. 604800 (7 days) imitates a consent screen in
    /// "Testing" status.
    public var refreshTokenTTL: Double?
    /// Google keeps at most this many live refresh tokens per user and client; older ones die.
    public var maxRefreshTokensPerUserClient = 100
    public var idTokenTTL: Double = 3600
    /// Whether a PKCE `code_challenge` is required on the authorization request (Google: no).
    public var requirePKCE = false

    public var pickingSessionTTL: Double = 1800
    public var pollInterval: Double = 5
    public var maxOpenSessionsPerUser = 20
    public var baseURLTTL: Double = 3600
    /// proto3 JSON may leave out `mediaItemsSet: false`; clients must cope with both.
    public var omitMediaItemsSetWhenFalse = false
    /// Picker pages hold one item fewer than asked for (still ending with a nextPageToken),
    /// so a client that stops on a short page is caught.
    public var shortPickerPages = false

    public var uploadTokenTTL: Double = 86_400
    public var maxUploadBytes = 200 * 1_048_576
    public var maxAlbumItems = 20_000
    /// Google throttles parallel batchCreate calls for one user; the fake answers 429 to a
    /// batchCreate that overlaps another one for the same user.
    public var rejectConcurrentBatchCreate = true
    /// How long each batchCreate takes (ms), so that overlapping calls can be seen.
    public var batchCreateLatencyMs = 0

    /// `Cache-Control: max-age` of the JWKS response.
    public var jwksMaxAge = 21_600
    /// How the authorization page behaves without a person: show the consent page, or answer
    /// at once as if the user allowed (all scopes) or denied.
    public var consentMode: ConsentMode = .page

    /// Memory bounds so that a misbehaving client cannot exhaust the fake.
    public var maxStoredBytes = 1_024 * 1_048_576
    public var maxRecords = 50_000
    public var requestLogCapacity = 5_000

    public enum ConsentMode: String, Sendable, Codable, CaseIterable {
        case page, allow, deny
    }

    public init() {}

    func client(_ id: String) -> FakeGoogleClient? { clients.first { $0.id == id } }
}
