import Crypto
import Foundation

/// What the fake remembers. Plain values owned by the `FakeGoogle` actor.
enum FakeRecord {
    /// An authorization request waiting for the person on the consent page.
    struct PendingAuthorization: Sendable {
        let id: String
        let request: AuthorizationRequest
        let createdAt: Date
    }

    struct AuthorizationRequest: Sendable {
        var clientID: String
        var redirectURI: String
        var scopes: [String]
        var state: String?
        var nonce: String?
        var codeChallenge: String?
        var codeChallengeMethod: String?
        var offline: Bool
        var prompt: Set<String>
        var includeGrantedScopes: Bool
        var loginHint: String?
    }

    struct AuthorizationCode: Sendable {
        let clientID: String
        let redirectURI: String
        let userSub: String
        let scopes: Set<String>
        let nonce: String?
        let codeChallenge: String?
        let codeChallengeMethod: String?
        let issueRefreshToken: Bool
        var expiresAt: Date
        var used = false
    }

    /// One consent: the tokens issued from one code exchange. Revoking any of its tokens
    /// revokes the grant.
    struct Grant: Sendable {
        let id: String
        let clientID: String
        let userSub: String
        let scopes: Set<String>
        var refreshToken: String?
        var refreshExpiresAt: Date?
        var revoked = false
        let createdAt: Date
    }

    struct AccessToken: Sendable {
        let grantID: String
        let clientID: String
        let userSub: String
        let scopes: Set<String>
        var expiresAt: Date
    }

    struct PickingSession: Sendable {
        let id: String
        let userSub: String
        let createdAt: Date
        var expiresAt: Date
        let maxItemCount: Int?
        var itemIDs: [String] = []
        var mediaItemsSet = false
        var deleted = false
    }

    /// Bytes and what Google would know about them, stored once per content hash.
    struct Blob: Sendable {
        let bytes: [UInt8]
        let info: FakePhotoInfo
    }

    /// A photo in a user's library as the picker lists it; the id is stable across sessions.
    struct PickedItem: Sendable {
        let id: String
        let userSub: String
        let blobHash: String
        let filename: String
    }

    /// A capability URL for bytes: `{publicBaseURL}/lh3/{kind}/{token}`.
    struct BaseURL: Sendable {
        let blobHash: String
        let userSub: String
        let requiresBearer: Bool
        let expiresAt: Date
    }

    struct Upload: Sendable {
        let userSub: String
        let clientID: String
        let blobHash: String?
        let fileName: String?
        let expiresAt: Date
        var used = false
    }

    struct Album: Sendable {
        let id: String
        let userSub: String
        let clientID: String
        let title: String
        var itemIDs: [String] = []
        let createdAt: Date
    }

    struct LibraryItem: Sendable {
        let id: String
        let userSub: String
        let clientID: String
        let blobHash: String
        let filename: String
        let description: String
        let createdAt: Date
    }
}

enum FakeRandom {
    /// URL-safe random text with `bytes` bytes of entropy.
    static func token(_ bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }.base64URLEncodedString()
    }

    static func sha256Hex(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
