import AsyncHTTPClient
import Foundation
import JWTKit
import Logging

/// Who signed in, from a verified ID token (spec 1.8). Key users by `sub`, not by email.
public struct GoogleIdentity: Sendable, Equatable {
    public var subject: String
    public var email: String?
    public var emailVerified: Bool
    public var name: String?
    public var picture: String?
    /// Workspace domain, when Google sent one.
    public var hostedDomain: String?
    public var issuer: String
    public var expiresAt: Date
}

/// Why an ID token was refused. Never carries the token.
public enum GoogleIDTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed
    /// Not RS256 (e.g. `none` or `HS256`).
    case unsupportedAlgorithm(String)
    /// No published key has this `kid`, even after fetching the JWKS again (if allowed).
    case unknownKey(kid: String)
    case badSignature
    case wrongIssuer(String)
    case wrongAudience
    case expired
    case issuedInFuture
    case nonceMismatch
    /// The JWKS could not be fetched or read.
    case keysUnavailable(String)

    public var description: String {
        switch self {
        case .malformed: "ID token is malformed"
        case .unsupportedAlgorithm(let alg): "ID token algorithm \(alg) is not RS256"
        case .unknownKey(let kid): "ID token is signed with unknown key \(kid)"
        case .badSignature: "ID token signature does not verify"
        case .wrongIssuer(let issuer): "ID token issuer \(issuer) is not accepted"
        case .wrongAudience: "ID token is for another client"
        case .expired: "ID token has expired"
        case .issuedInFuture: "ID token is issued in the future"
        case .nonceMismatch: "ID token nonce does not match the sign-in request"
        case .keysUnavailable(let reason): "Google's signing keys are unavailable: \(reason)"
        }
    }
}

/// Verifies Google ID tokens against the JWKS: RS256 only, signature by the key whose `kid`
/// matches, issuer, audience, expiry (with leeway), nonce. The JWKS is cached for its
/// `Cache-Control: max-age`; an unknown `kid` fetches it again, at most once per
/// `minimumRefetchInterval`.
public actor GoogleIDTokenVerifier {
    public let clientID: String
    public let issuers: Set<String>
    private let jwksURL: URL
    private let httpClient: HTTPClient
    private let timeout: Duration
    private let leeway: TimeInterval
    private let minimumRefetchInterval: TimeInterval
    private let defaultMaxAge: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger

    private struct KeySet {
        var collection: JWTKeyCollection
        var kids: Set<String>
        var fetchedAt: Date
        var maxAge: TimeInterval
    }

    private var keys: KeySet?
    private var lastFetchAttempt: Date?
    private var inFlight: Task<KeySet, any Error>?
    /// How many times the JWKS was fetched (for tests and metrics).
    public private(set) var fetchCount = 0

    public init(
        clientID: String, endpoints: GoogleEndpoints = .google, httpClient: HTTPClient = .shared,
        timeout: Duration = .seconds(10), leeway: TimeInterval = 60, minimumRefetchInterval: TimeInterval = 60,
        defaultMaxAge: TimeInterval = 3600, logger: Logger = Logger(label: "classify.google.idtoken"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.clientID = clientID
        self.issuers = endpoints.issuers
        self.jwksURL = endpoints.jwks
        self.httpClient = httpClient
        self.timeout = timeout
        self.leeway = leeway
        self.minimumRefetchInterval = minimumRefetchInterval
        self.defaultMaxAge = defaultMaxAge
        self.logger = logger
        self.now = now
    }

    /// Verifies `idToken`; `nonce` is the one sent in the authorization request (`nil` skips the
    /// nonce check: only for refresh answers, where no nonce was sent).
    public func verify(_ idToken: String, nonce: String?) async throws(GoogleIDTokenError) -> GoogleIdentity {
        let header = try Self.header(of: idToken)
        guard header.alg == "RS256" else { throw .unsupportedAlgorithm(header.alg ?? "none") }
        guard let kid = header.kid, !kid.isEmpty else { throw .unknownKey(kid: "") }

        var keySet = try await currentKeys(mayRefetch: false)
        if !keySet.kids.contains(kid) {
            keySet = try await currentKeys(mayRefetch: true)
            guard keySet.kids.contains(kid) else { throw .unknownKey(kid: kid) }
        }

        let claims: Claims
        do {
            claims = try await keySet.collection.verify(idToken, as: Claims.self)
        } catch {
            throw .badSignature
        }

        guard issuers.contains(claims.iss) else { throw .wrongIssuer(claims.iss) }
        guard claims.aud.value.contains(clientID) else { throw .wrongAudience }
        if claims.aud.value.count > 1, claims.azp != clientID { throw .wrongAudience }
        let current = now()
        guard claims.exp.value.addingTimeInterval(leeway) > current else { throw .expired }
        if let iat = claims.iat?.value, iat.addingTimeInterval(-leeway) > current { throw .issuedInFuture }
        if let nonce, claims.nonce != nonce { throw .nonceMismatch }
        return GoogleIdentity(
            subject: claims.sub.value, email: claims.email, emailVerified: claims.emailVerified?.value ?? false,
            name: claims.name, picture: claims.picture, hostedDomain: claims.hd, issuer: claims.iss,
            expiresAt: claims.exp.value)
    }

    // MARK: Keys

    /// The cached keys, fetched when there are none or they are stale; with `mayRefetch`, fetched
    /// again unless the last fetch was less than `minimumRefetchInterval` ago.
    private func currentKeys(mayRefetch: Bool) async throws(GoogleIDTokenError) -> KeySet {
        let current = now()
        if let keys {
            let stale = current.timeIntervalSince(keys.fetchedAt) >= keys.maxAge
            if !stale && !mayRefetch { return keys }
            if let last = lastFetchAttempt, current.timeIntervalSince(last) < minimumRefetchInterval {
                return keys
            }
        }
        do {
            return try await fetch()
        } catch let error as GoogleIDTokenError {
            // Stale keys are better than none while Google's JWKS is unreachable.
            if let keys, !mayRefetch { return keys }
            throw error
        } catch {
            throw .keysUnavailable("\(type(of: error))")
        }
    }

    private func fetch() async throws -> KeySet {
        if let inFlight { return try await inFlight.value }
        lastFetchAttempt = now()
        fetchCount += 1
        let task = Task { [jwksURL, httpClient, timeout, defaultMaxAge, now] () throws -> KeySet in
            let request = HTTPClientRequest(url: jwksURL.absoluteString)
            let reply: GoogleHTTP.Reply
            do {
                reply = try await GoogleHTTP.send(request, client: httpClient, timeout: timeout)
            } catch {
                throw GoogleIDTokenError.keysUnavailable("\(error)")
            }
            guard reply.status == 200 else { throw GoogleIDTokenError.keysUnavailable("JWKS answered \(reply.status)") }
            let (collection, kids) = try await Self.keys(fromJWKS: reply.body)
            let maxAge = GoogleHTTP.maxAge(reply.header("Cache-Control")) ?? defaultMaxAge
            return KeySet(collection: collection, kids: kids, fetchedAt: now(), maxAge: maxAge)
        }
        inFlight = task
        defer { inFlight = nil }
        do {
            let keySet = try await task.value
            keys = keySet
            logger.debug("fetched Google JWKS: \(keySet.kids.count) keys")
            return keySet
        } catch {
            logger.warning("could not fetch Google JWKS: \(error)")
            throw error
        }
    }

    private struct JWKSDocument: Decodable {
        struct Key: Decodable {
            var kty: String?
            var kid: String?
            var alg: String?
            var use: String?
            var n: String?
            var e: String?
        }
        var keys: [Key]
    }

    /// The RSA signing keys of a JWKS, each bound to RS256 whatever else the document says.
    private static func keys(fromJWKS body: [UInt8]) async throws -> (JWTKeyCollection, Set<String>) {
        guard let document = try? JSONDecoder().decode(JWKSDocument.self, from: Data(body)) else {
            throw GoogleIDTokenError.keysUnavailable("JWKS is not a key set")
        }
        let collection = JWTKeyCollection()
        var kids: Set<String> = []
        for key in document.keys {
            guard key.kty == "RSA", key.alg == nil || key.alg == "RS256", key.use == nil || key.use == "sig",
                let kid = key.kid, let n = key.n, let e = key.e,
                let publicKey = try? Insecure.RSA.PublicKey(modulus: n, exponent: e)
            else { continue }
            await collection.add(rsa: publicKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            kids.insert(kid)
        }
        return (collection, kids)
    }

    // MARK: Token parts

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private static func header(of token: String) throws(GoogleIDTokenError) -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: data)
        else { throw .malformed }
        return header
    }

    /// Claims are checked after the signature, in `verify`, against the injected clock.
    private struct Claims: JWTPayload {
        var iss: String
        var aud: AudienceClaim
        var azp: String?
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim?
        var nonce: String?
        var email: String?
        var emailVerified: LenientBool?
        var name: String?
        var picture: String?
        var hd: String?

        enum CodingKeys: String, CodingKey {
            case iss, aud, azp, sub, exp, iat, nonce, email, name, picture, hd
            case emailVerified = "email_verified"
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// `email_verified` is a JSON boolean, but older tokens sent the string `"true"`.
    private struct LenientBool: Codable {
        var value: Bool

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let bool = try? container.decode(Bool.self) {
                value = bool
            } else {
                value = try container.decode(String.self).lowercased() == "true"
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }
}
