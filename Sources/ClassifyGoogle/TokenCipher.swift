import Crypto
import Foundation

/// Encrypts OAuth tokens at rest with AES-256-GCM (DESIGN.md 6).
///
/// Sealed format: `version (1 byte, 0x01) | nonce (12) | ciphertext | tag (16)`. The version byte
/// is authenticated too, so later key rotation can add versions (e.g. with a key id) and still
/// open old values. `associatedData` (e.g. the user id and token kind) binds a value to its row:
/// opening it with other associated data fails.
public struct TokenCipher: Sendable {
    public static let variable = "TOKEN_ENCRYPTION_KEY"
    static let version: UInt8 = 1
    static let nonceSize = 12
    static let tagSize = 16

    private let key: SymmetricKey

    /// A cipher with a 256-bit key.
    public init(key: SymmetricKey) throws(TokenCipherError) {
        guard key.bitCount == 256 else {
            throw .invalidKey(variable: Self.variable, reason: "must be 32 bytes")
        }
        self.key = key
    }

    /// A cipher with a key written as 64 hex characters or as base64 (standard or url-safe) of
    /// 32 bytes. Errors name `variable`, never show the value.
    public init(encodedKey: String, variable: String = TokenCipher.variable) throws(TokenCipherError) {
        let text = encodedKey.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .missingKey(variable: variable) }
        guard let bytes = Self.decodeHex(text) ?? Self.decodeBase64(text), bytes.count == 32 else {
            throw .invalidKey(
                variable: variable,
                reason:
                    "must be 32 random bytes written as 64 hex characters or as base64 (e.g. `openssl rand -base64 32`)"
            )
        }
        self.key = SymmetricKey(data: bytes)
    }

    /// The cipher for `TOKEN_ENCRYPTION_KEY` in `environment`.
    public init(environment: [String: String]) throws(TokenCipherError) {
        try self.init(encodedKey: environment[Self.variable] ?? "", variable: Self.variable)
    }

    // MARK: Seal and open

    public func seal(_ plaintext: some DataProtocol, associatedData: some DataProtocol = Data())
        throws(TokenCipherError)
        -> Data
    {
        do {
            let box = try AES.GCM.seal(
                plaintext, using: key, nonce: AES.GCM.Nonce(), authenticating: Self.aad(associatedData))
            var output = Data([Self.version])
            output.append(contentsOf: box.nonce)
            output.append(box.ciphertext)
            output.append(box.tag)
            return output
        } catch {
            throw .encryptionFailed
        }
    }

    public func open(_ sealed: some DataProtocol, associatedData: some DataProtocol = Data()) throws(TokenCipherError)
        -> Data
    {
        let bytes = Data(sealed)
        guard let version = bytes.first else { throw .malformed }
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard bytes.count >= 1 + Self.nonceSize + Self.tagSize else { throw .malformed }
        let body = bytes.dropFirst()
        do {
            let nonce = try AES.GCM.Nonce(data: body.prefix(Self.nonceSize))
            let box = try AES.GCM.SealedBox(
                nonce: nonce, ciphertext: body.dropFirst(Self.nonceSize).dropLast(Self.tagSize),
                tag: body.suffix(Self.tagSize))
            return try AES.GCM.open(box, using: key, authenticating: Self.aad(associatedData))
        } catch {
            throw .authenticationFailed
        }
    }

    /// A token sealed into base64 text (for a text column).
    public func seal(token: String, associatedData: String = "") throws(TokenCipherError) -> String {
        try seal(Data(token.utf8), associatedData: Data(associatedData.utf8)).base64EncodedString()
    }

    /// The token of `seal(token:associatedData:)`.
    public func open(token sealed: String, associatedData: String = "") throws(TokenCipherError) -> String {
        guard let data = Data(base64Encoded: sealed) else { throw .malformed }
        let plain = try open(data, associatedData: Data(associatedData.utf8))
        guard let token = String(data: plain, encoding: .utf8) else { throw .malformed }
        return token
    }

    private static func aad(_ associatedData: some DataProtocol) -> Data {
        var aad = Data([version])
        aad.append(contentsOf: associatedData)
        return aad
    }

    // MARK: Key text

    private static func decodeHex(_ text: String) -> [UInt8]? {
        guard text.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    private static func decodeBase64(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}

/// Why a token could not be sealed or opened. Never shows a key or a token.
public enum TokenCipherError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingKey(variable: String)
    case invalidKey(variable: String, reason: String)
    case unsupportedVersion(UInt8)
    case malformed
    /// Tampered, truncated, or sealed with another key or associated data.
    case authenticationFailed
    case encryptionFailed

    public var description: String {
        switch self {
        case .missingKey(let variable): "\(variable) is not set: it is required to store Google tokens"
        case .invalidKey(let variable, let reason): "\(variable) \(reason)"
        case .unsupportedVersion(let version): "encrypted token has unknown format version \(version)"
        case .malformed: "encrypted token is malformed"
        case .authenticationFailed: "encrypted token does not open with this key (tampered or another key)"
        case .encryptionFailed: "could not encrypt the token"
        }
    }
}
