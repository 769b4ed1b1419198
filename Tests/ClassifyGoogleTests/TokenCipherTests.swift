import ClassifyGoogle
import Crypto
import Foundation
import Testing

@Suite struct TokenCipherTests {
    static let keyBytes = (0..<32).map { UInt8($0 &* 7 &+ 3) }
    static let hexKey = keyBytes.map { String(format: "%02x", $0) }.joined()
    static let base64Key = Data(keyBytes).base64EncodedString()

    @Test func hexAndBase64KeysAreTheSameKeyAndRoundTrip() throws {
        let hex = try TokenCipher(environment: ["TOKEN_ENCRYPTION_KEY": Self.hexKey])
        let base64 = try TokenCipher(encodedKey: Self.base64Key)
        let token = "1//0g-refresh-token-ü"
        let sealed = try hex.seal(token: token, associatedData: "user-1:refresh")
        #expect(!sealed.contains("refresh-token"))
        #expect(try base64.open(token: sealed, associatedData: "user-1:refresh") == token)
        #expect(try hex.open(token: sealed, associatedData: "user-1:refresh") == token)
    }

    @Test func theFormatIsVersionNonceCiphertextTagAndNoncesDiffer() throws {
        let cipher = try TokenCipher(encodedKey: Self.hexKey)
        let plain = Data("ya29.access".utf8)
        let one = try cipher.seal(plain)
        let two = try cipher.seal(plain)
        #expect(one.first == 1)
        #expect(one.count == 1 + 12 + plain.count + 16)
        #expect(one.dropFirst().prefix(12) != two.dropFirst().prefix(12))
        #expect(one != two)
        #expect(try cipher.open(one) == plain)
    }

    @Test func everyTamperedByteAnotherKeyOrAnotherRowFailsCleanly() throws {
        let cipher = try TokenCipher(encodedKey: Self.hexKey)
        let sealed = try cipher.seal(Data("secret-token".utf8), associatedData: Data("row-1".utf8))
        for index in sealed.indices.dropFirst() {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: TokenCipherError.authenticationFailed) {
                _ = try cipher.open(tampered, associatedData: Data("row-1".utf8))
            }
        }
        var version = sealed
        version[version.startIndex] = 2
        #expect(throws: TokenCipherError.unsupportedVersion(2)) { _ = try cipher.open(version) }
        #expect(throws: TokenCipherError.malformed) { _ = try cipher.open(sealed.prefix(20)) }
        #expect(throws: TokenCipherError.malformed) { _ = try cipher.open(Data()) }
        #expect(throws: TokenCipherError.authenticationFailed) {
            _ = try cipher.open(sealed, associatedData: Data("row-2".utf8))
        }
        let other = try TokenCipher(key: SymmetricKey(size: .bits256))
        #expect(throws: TokenCipherError.authenticationFailed) {
            _ = try other.open(sealed, associatedData: Data("row-1".utf8))
        }
        #expect(throws: TokenCipherError.malformed) { _ = try cipher.open(token: "not base64!") }
    }

    @Test func aBadKeyIsAClearErrorNamingTheVariableNotTheValue() {
        for bad in ["short", String(repeating: "z", count: 64), Data(Self.keyBytes.prefix(31)).base64EncodedString()] {
            let error = #expect(throws: TokenCipherError.self) {
                _ = try TokenCipher(environment: ["TOKEN_ENCRYPTION_KEY": bad])
            }
            let message = error.map { "\($0)" } ?? ""
            #expect(message.hasPrefix("TOKEN_ENCRYPTION_KEY "))
            #expect(message.contains("64 hex") && message.contains("base64"))
            #expect(!message.contains(bad))
        }
        #expect(throws: TokenCipherError.missingKey(variable: "TOKEN_ENCRYPTION_KEY")) {
            _ = try TokenCipher(environment: [:])
        }
        #expect(throws: TokenCipherError.self) { _ = try TokenCipher(key: SymmetricKey(size: .bits128)) }
    }
}
