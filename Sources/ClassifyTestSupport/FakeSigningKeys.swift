import Crypto
import CryptoExtras
import Foundation
import JWTKit

/// The RSA keys that sign the fake's ID tokens (RS256) and the JWKS that publishes them.
/// Like Google, the newest key signs and the previous one stays published for a while so
/// that tokens signed just before a rotation still verify.
struct FakeSigningKeys: Sendable {
    struct Key: Sendable {
        let kid: String
        let privateKey: JWTKit.Insecure.RSA.PrivateKey
    }

    /// Newest first; `published[0]` signs.
    private(set) var published: [Key]

    init(initial: JWTKit.Insecure.RSA.PrivateKey? = nil) throws {
        published = [try Self.makeKey(initial)]
    }

    var currentKID: String { published[0].kid }

    /// A new key signs from now on. `keepOld`: the previous key stays in the JWKS (Google keeps
    /// two keys published); otherwise it disappears at once and its tokens stop verifying.
    mutating func rotate(keepOld: Bool, newKey: JWTKit.Insecure.RSA.PrivateKey? = nil) throws {
        let key = try Self.makeKey(newKey)
        published = keepOld ? [key, published[0]] : [key]
    }

    func sign(_ claims: FakeIDTokenClaims) async throws -> String {
        let keys = JWTKeyCollection()
        let key = published[0]
        await keys.add(rsa: key.privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: key.kid))
    }

    /// `{"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid", "n", "e"}]}`
    func jwks() throws -> [String: Any] {
        let keys: [[String: Any]] = try published.map { key in
            let primitives = try key.privateKey.publicKey.getKeyPrimitives()
            return [
                "kty": "RSA", "alg": "RS256", "use": "sig", "kid": key.kid,
                "n": primitives.modulus.base64URLEncodedString(),
                "e": primitives.publicExponent.base64URLEncodedString(),
            ]
        }
        return ["keys": keys]
    }

    private static func makeKey(_ given: JWTKit.Insecure.RSA.PrivateKey?) throws -> Key {
        let privateKey =
            try given ?? JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        // Google's kids are 40 hex digits; derive ours from the key so it is stable per key.
        let der = privateKey.publicKey.derRepresentation
        let kid = SHA256.hash(data: der).prefix(20).map { String(format: "%02x", $0) }.joined()
        return Key(kid: kid, privateKey: privateKey)
    }

    /// One key per process for tests that do not care which: RSA key generation is slow in debug builds.
    static let sharedTestKey: JWTKit.Insecure.RSA.PrivateKey = {
        // A failure here is a broken crypto library, not a test condition.
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }()
}

/// The claims of a Google ID token (spec 1.8).
struct FakeIDTokenClaims: JWTPayload {
    var iss: String
    var azp: String
    var aud: String
    var sub: String
    var email: String?
    var email_verified: Bool?
    var at_hash: String?
    var nonce: String?
    var name: String?
    var given_name: String?
    var family_name: String?
    var picture: String?
    var locale: String?
    var hd: String?
    var iat: Int
    var exp: Int

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

extension Data {
    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Sequence<UInt8> {
    func base64URLEncodedString() -> String { Data(self).base64URLEncodedString() }
}
