import ClassifyGoogle
import ClassifyTestSupport
import Crypto
import Foundation
import Testing

/// The Library client against the fake Google over real HTTP (spec section 3).
@Suite struct GoogleLibraryClientTests {
    typealias Live = LiveFakeGoogle

    static let three = ["sharp-cat.jpg", "sharp-coffee.jpg", "sharp-rocket.jpg"]
    static let scopes = [GoogleScopes.appendOnly, GoogleScopes.readAppCreated]

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Uploads fixture photos and returns their upload tokens, in order.
    static func upload(_ names: [String], live: Live, token: String) async throws -> [String] {
        var tokens: [String] = []
        for name in names {
            tokens.append(
                try await live.library.upload(
                    bytes: try Live.photoBytes(name), mimeType: "image/jpeg", fileName: name, accessToken: token))
        }
        return tokens
    }

    @Test func createAnAlbumUploadThreePhotosAndBatchCreateThemIntoIt() async throws {
        try await Live.run { live in
            let token = try await live.accessToken(Self.scopes)
            let library = live.library
            let album = try await library.createAlbum(title: "Classify – 2026-03-01", accessToken: token)
            #expect(album.title == "Classify – 2026-03-01")
            #expect(album.productURL?.isEmpty == false)
            #expect(album.mediaItemsCount == nil)  // absent for an empty album

            let uploadedAt = await live.lastSequence()
            let uploadTokens = try await Self.upload(Self.three, live: live, token: token)
            #expect(uploadTokens.allSatisfy { $0.hasPrefix("CAIS") })
            #expect(Set(uploadTokens).count == 3)
            let uploads = await live.requests(since: uploadedAt)
            #expect(uploads.map(\.path) == Array(repeating: "/photoslibrary/v1/uploads", count: 3))
            #expect(uploads.allSatisfy { $0.status == 200 && $0.hadBearer })

            let names = ["cat.jpg", "coffee.jpg", "rocket.jpg"]
            let results = try await library.batchCreate(
                albumID: album.id,
                items: zip(uploadTokens, names).map { NewMediaItem(uploadToken: $0, fileName: $1) }, accessToken: token)
            #expect(results.count == 3)
            #expect(results.map(\.uploadToken) == uploadTokens)
            #expect(results.allSatisfy { $0.succeeded && $0.code == 0 && $0.message == "Success" })
            #expect(results.allSatisfy { $0.mediaItemID != nil && $0.productURL != nil })
            #expect(!results[0].description.contains(uploadTokens[0]))

            let state = await live.fake.state()
            let stored = try #require(state.albums.first { $0.id == album.id })
            #expect(stored.items.map(\.filename) == names)
            #expect(stored.items.map(\.id) == results.compactMap(\.mediaItemID))
            #expect(stored.items.map(\.sha256) == (try Self.three.map { Self.sha256(try Live.photoBytes($0)) }))
            #expect(stored.items.allSatisfy { $0.description.isEmpty })
            #expect(state.libraryItems.count == 3)

            let listed = try await library.searchAlbumItems(albumID: album.id, accessToken: token)
            #expect(listed.map(\.id) == results.compactMap(\.mediaItemID))
            #expect(listed.map(\.filename) == names)
            #expect(listed.map(\.productURL) == results.map(\.productURL))

            // Small pages give the same list.
            let searchedAt = await live.lastSequence()
            #expect(try await library.searchAlbumItems(albumID: album.id, accessToken: token, pageSize: 2) == listed)
            #expect(await live.requests(since: searchedAt).count == 2)

            let again = try await library.getAlbum(id: album.id, accessToken: token)
            #expect(again.id == album.id && again.title == album.title && again.mediaItemsCount == 3)
        }
    }

    @Test func batchCreateWithMoreThan50ItemsIsRefusedWithoutARequest() async throws {
        try await Live.run { live in
            let token = try await live.accessToken(Self.scopes)
            let items = (0..<51).map { NewMediaItem(uploadToken: "CAIS\($0)", fileName: "\($0).jpg") }
            await #expect(throws: GooglePhotosError.invalidArgument("batchCreate takes at most 50 items, not 51")) {
                _ = try await live.library.batchCreate(albumID: nil, items: items, accessToken: token)
            }
            await #expect(throws: GooglePhotosError.self) {
                _ = try await live.library.batchCreate(albumID: nil, items: [], accessToken: token)
            }
            #expect(await live.requests().isEmpty)
        }
    }

    @Test func aPerItemFailureIsReportedAndTheOthersSucceed() async throws {
        try await Live.run { live in
            let token = try await live.accessToken(Self.scopes)
            let album = try await live.library.createAlbum(title: "partial", accessToken: token)
            let uploadTokens = try await Self.upload(Self.three, live: live, token: token)
            await live.fake.failNextBatchCreateItems(1)
            let results = try await live.library.batchCreate(
                albumID: album.id, items: uploadTokens.map { NewMediaItem(uploadToken: $0) }, accessToken: token)
            #expect(results.map(\.code) == [13, 0, 0])
            #expect(results[0].message == "INTERNAL: Internal error.")
            #expect(results[0].isTransient && !results[0].succeeded && results[0].mediaItemID == nil)
            #expect(results[1].mediaItemID != nil && results[2].mediaItemID != nil)
            #expect(results.map(\.uploadToken) == uploadTokens)

            // INTERNAL is transient: the same upload token works on a retry.
            let retried = try await live.library.batchCreate(
                albumID: album.id, items: [NewMediaItem(uploadToken: uploadTokens[0], fileName: "again.jpg")],
                accessToken: token)
            #expect(retried.map(\.code) == [0])
            let items = try await live.library.searchAlbumItems(albumID: album.id, accessToken: token)
            #expect(items.count == 3)
            #expect(items.last?.filename == "again.jpg")
        }
    }

    @Test func aReusedUploadTokenFailsThatItemWithCode3() async throws {
        try await Live.run { live in
            let token = try await live.accessToken(Self.scopes)
            let uploadTokens = try await Self.upload(["sharp-cat.jpg", "sharp-coffee.jpg"], live: live, token: token)
            let first = try await live.library.batchCreate(
                items: [NewMediaItem(uploadToken: uploadTokens[0])], accessToken: token)
            #expect(first.map(\.code) == [0])
            let second = try await live.library.batchCreate(
                items: [NewMediaItem(uploadToken: uploadTokens[0]), NewMediaItem(uploadToken: uploadTokens[1])],
                accessToken: token)
            #expect(second.map(\.code) == [3, 0])
            #expect(!second[0].isTransient)
            #expect(second[0].message.hasPrefix("INVALID_ARGUMENT"))
            #expect(await live.fake.state().libraryItems.count == 2)
        }
    }

    @Test func bytesThatAreNotAnImageUploadButFailInBatchCreate() async throws {
        try await Live.run { live in
            let token = try await live.accessToken(Self.scopes)
            let uploadToken = try await live.library.upload(
                bytes: Array("not a photo".utf8), mimeType: "image/jpeg", fileName: nil, accessToken: token)
            let results = try await live.library.batchCreate(
                items: [NewMediaItem(uploadToken: uploadToken, fileName: "x.jpg")], accessToken: token)
            #expect(results.map(\.code) == [3])
            #expect(results[0].message.hasPrefix("BAD_IMAGE"))
        }
    }

    @Test func libraryErrorsMapToTheirCases() async throws {
        try await Live.run { live in
            let token = try await live.accessToken(Self.scopes)
            let library = live.library
            await #expect(throws: GooglePhotosError.notFound("Requested entity was not found.")) {
                _ = try await library.getAlbum(id: "AHsUnknown", accessToken: token)
            }
            await #expect(throws: GooglePhotosError.notFound("Requested entity was not found.")) {
                _ = try await library.searchAlbumItems(albumID: "AHsUnknown", accessToken: token)
            }
            let uploadToken = try await library.upload(
                bytes: try Live.photoBytes("sharp-cat.jpg"), mimeType: "image/jpeg", accessToken: token)
            await #expect(throws: GooglePhotosError.invalidArgument("Invalid album ID: AHsUnknown")) {
                _ = try await library.batchCreate(
                    albumID: "AHsUnknown", items: [NewMediaItem(uploadToken: uploadToken)], accessToken: token)
            }

            // Reading needs readonly.appcreateddata, writing appendonly.
            let appendOnly = try await live.accessToken([GoogleScopes.appendOnly])
            do throws(GooglePhotosError) {
                _ = try await library.getAlbum(id: "AHsUnknown", accessToken: appendOnly)
                Issue.record("read without the read scope")
            } catch {
                #expect(error.insufficientScope)
            }
            let pickerOnly = try await live.accessToken([GoogleScopes.picker])
            do throws(GooglePhotosError) {
                _ = try await library.upload(bytes: [1, 2, 3], mimeType: "image/jpeg", accessToken: pickerOnly)
                Issue.record("uploaded without appendonly")
            } catch {
                #expect(error.insufficientScope)
            }
            #expect(await live.fake.expireTokens(token: token) == 1)
            await #expect(throws: GooglePhotosError.unauthenticated) {
                _ = try await library.createAlbum(title: "late", accessToken: token)
            }
            await #expect(throws: GooglePhotosError.invalidArgument("album title must be 1 to 500 characters")) {
                _ = try await library.createAlbum(title: String(repeating: "a", count: 501), accessToken: appendOnly)
            }
        }
    }
}
