import Foundation

/// What a person can do with Google, each behind one of the scopes Classify asks for. With
/// granular consent a person may untick some; the app then works without that feature.
public enum GoogleFeature: String, Sendable, CaseIterable, Codable {
    /// Photos Picker (`photospicker.mediaitems.readonly`).
    case pick
    /// Creating the album of clear photos (`photoslibrary.appendonly`).
    case album
    /// Checking an album that Classify made (`photoslibrary.readonly.appcreateddata`); used to
    /// resume an album job without duplicates.
    case albumCheck = "album_check"

    /// What the person loses without it, for the page.
    public var missingText: String {
        switch self {
        case .pick: "You did not allow Classify to see the photos you pick, so Pick Photos and Sync Photos are off."
        case .album: "You did not allow Classify to add photos to Google Photos, so Create Album is off."
        case .albumCheck:
            "You did not allow Classify to read the albums it made; an interrupted album can then not be checked for duplicates."
        }
    }
}

/// A person's link to Google as the page shows it.
public struct GoogleConnection: Sendable, Equatable {
    public var connected: Bool
    /// Google refused the stored refresh token (revoked, expired): sign in again.
    public var needsReauth: Bool
    public var features: Set<GoogleFeature>

    public init(connected: Bool, needsReauth: Bool, features: Set<GoogleFeature>) {
        self.connected = connected
        self.needsReauth = needsReauth
        self.features = features
    }

    public var missing: [GoogleFeature] { GoogleFeature.allCases.filter { !features.contains($0) } }
}

/// The start of a sign-in: send the browser to `url`; bind `state` to the browser (cookie).
public struct GoogleSignInStart: Sendable {
    public var url: URL
    public var state: String

    public init(url: URL, state: String) {
        self.url = url
        self.state = state
    }
}

/// Why a Google sign-in did not finish; each has a sentence for the person.
public enum GoogleSignInFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The person pressed Cancel on Google's consent page.
    case accessDenied
    /// The answer's `state` is unknown, used, expired or not this browser's.
    case stateMismatch
    /// Google refused the code (used, expired, other redirect URI, PKCE mismatch).
    case codeRejected
    /// The ID token did not verify (signature, issuer, audience, expiry, nonce).
    case unverifiedIdentity(String)
    /// Google answered without an ID token (`openid` not granted).
    case noIdentity
    /// Google could not be reached or answered an error; try again.
    case googleUnavailable(String)
    /// Any other error Google named (e.g. `invalid_request` on its page).
    case google(String)

    public var description: String {
        switch self {
        case .accessDenied: "You cancelled signing in with Google. Nothing was shared."
        case .stateMismatch:
            "This sign-in was already used, expired, or was started in another browser. Please start again."
        case .codeRejected: "Google did not accept the sign-in (it may have been used already). Please start again."
        case .unverifiedIdentity(let reason): "Google's answer could not be verified (\(reason)). Please try again."
        case .noIdentity: "Google did not say who you are (the openid permission is needed to sign in)."
        case .googleUnavailable(let reason): "Google could not be reached: \(reason). Please try again in a moment."
        case .google(let error): "Google refused the sign-in (\(error))."
        }
    }
}

/// Google accounts: signing in, the stored grant, and ending it.
public protocol GoogleAccountService: Sendable {
    /// A new sign-in whose answer comes back to `redirectURI`.
    func beginSignIn(redirectURI: String) async throws -> GoogleSignInStart
    /// Finishes a sign-in started by `beginSignIn`: the state is used up whatever happens.
    func completeSignIn(code: String, state: String) async throws -> User
    /// Uses up a state whose answer was an error (e.g. `access_denied`).
    func abandonSignIn(state: String) async throws
    /// For API clients that ran the code flow themselves (the seed's `POST auth/token`).
    func signIn(code: String, codeVerifier: String?, redirectURI: String) async throws -> User
    func connection(userID: String) async throws -> GoogleConnection
    /// Revokes the grant at Google (best effort) and forgets the tokens.
    func signOut(userID: String) async throws
}

/// Why a call that needs the person's Google access cannot be made.
public enum GoogleAccessFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case notConnected
    case needsReauth
    case missingFeature(GoogleFeature)
    case unavailable(String)

    public var description: String {
        switch self {
        case .notConnected: "This account is not signed in with Google."
        case .needsReauth: "Google access has expired or was revoked. Sign in with Google again."
        case .missingFeature(let feature): feature.missingText
        case .unavailable(let reason): "Google could not be reached: \(reason)"
        }
    }
}
