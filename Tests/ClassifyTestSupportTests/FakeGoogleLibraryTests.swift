import Foundation
import HTTPTypes
import Testing

@testable import ClassifyTestSupport

/// The Library API after March 2025 (spec section 3).
@Suite struct FakeGoogleLibraryTests {
    typealias H = FakeGoogleHarness

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: H.photos + "/" + name)))
    }

    func upload(_ h: H, _ bytes: [UInt8], token: String, raw: Bool = true) async throws -> H.Reply {
        var headers: HTTPFields = [
            .authorization: "Bearer \(token)", .contentType: "application/octet-stream",
            HTTPField.Name("X-Goog-Upload-Content-Type")!: "image/jpeg",
        ]
        if raw { headers[HTTPField.Name("X-Goog-Upload-Protocol")!] = "raw" }
        return try await h.request(.post, "/photoslibrary/v1/uploads", headers: headers, body: bytes)
    }

    func createAlbum(_ h: H, token: String) async throws -> String {
        let album = try await h.postJSON(
            "/photoslibrary/v1/albums", ["album": ["title": "Classify – test"]], bearer: token)
        #expect(album.status == 200)
        #expect(album.json["isWriteable"] as? Bool == true)
        #expect(album.json["mediaItemsCount"] == nil)  // absent while empty
        return try #require(album.json["id"] as? String)
    }

    static func items(_ tokens: [String]) -> [[String: Any]] {
        tokens.map { ["simpleMediaItem": ["uploadToken": $0, "fileName": "photo.jpg"]] }
    }

    @Test func uploadsThenBatchCreateIntoAnAlbumWithPerItemStatus() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let albumID = try await createAlbum(h, token: token)
            let names = ["sharp-cat.jpg", "sharp-coffee.jpg"]
            var uploadTokens: [String] = []
            for name in names {
                let reply = try await upload(h, try Self.bytes(name), token: token)
                #expect(reply.status == 200)
                #expect(reply.text.hasPrefix("CAIS"))
                uploadTokens.append(reply.text)
            }
            let garbage = try await upload(h, Array("not an image".utf8), token: token).text
            await h.fake.failNextBatchCreateItems(1)  // first item: transient INTERNAL
            var newItems = Self.items(uploadTokens + [garbage])
            newItems[0] = ["simpleMediaItem": ["uploadToken": uploadTokens[0], "fileName": names[0]]]
            newItems[1] = ["simpleMediaItem": ["uploadToken": uploadTokens[1], "fileName": names[1]]]
            let created = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:batchCreate", ["albumId": albumID, "newMediaItems": newItems],
                bearer: token)
            #expect(created.status == 200)
            let results = try #require(created.json["newMediaItemResults"] as? [[String: Any]])
            let statuses = results.map { ($0["status"] as? [String: Any])?["code"] as? Int ?? 0 }
            #expect(statuses == [13, 0, 3])
            #expect((results[1]["status"] as? [String: Any])?["message"] as? String == "Success")
            #expect(
                ((results[1]["mediaItem"] as? [String: Any])?["mediaMetadata"] as? [String: Any])?["width"] as? String
                    == "600")
            #expect(results[0]["mediaItem"] == nil)
            #expect(((results[2]["status"] as? [String: Any])?["message"] as? String)?.hasPrefix("BAD_IMAGE") == true)

            // Retry only the failed token; a used token is refused per item.
            let retry = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:batchCreate",
                ["albumId": albumID, "newMediaItems": [newItems[0], newItems[1]]], bearer: token)
            let retried = try #require(retry.json["newMediaItemResults"] as? [[String: Any]])
            #expect(retried.map { ($0["status"] as? [String: Any])?["code"] as? Int ?? 0 } == [0, 3])

            let album = try await h.get("/photoslibrary/v1/albums/\(albumID)", bearer: token)
            #expect(album.json["mediaItemsCount"] as? String == "2")
            let search = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:search", ["albumId": albumID], bearer: token)
            let listed = (search.json["mediaItems"] as? [[String: Any]])?.compactMap { $0["filename"] as? String }
            #expect(Set(listed ?? []) == Set(names))
            let state = await h.fake.state()
            #expect(
                Set(state.albums.first?.items.map(\.sha256) ?? [])
                    == Set(try names.map { FakeRandom.sha256Hex(try Self.bytes($0)) }))
        }
    }

    @Test func batchCreateTakesAtMostFiftyItems() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let upload = try await upload(h, try Self.bytes("sharp-cat.jpg"), token: token).text
            let reply = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:batchCreate",
                ["newMediaItems": Self.items(Array(repeating: upload, count: 51))], bearer: token)
            #expect(reply.status == 400)
            #expect(reply.errorStatus == "INVALID_ARGUMENT")
            #expect(((reply.json["error"] as? [String: Any])?["message"] as? String)?.contains("less than 50") == true)
            let fifty = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:batchCreate",
                ["newMediaItems": Self.items(Array(repeating: upload, count: 50))], bearer: token)
            #expect(fifty.status == 200)
            let codes = (fifty.json["newMediaItemResults"] as? [[String: Any]])?.map {
                ($0["status"] as? [String: Any])?["code"] as? Int ?? 0
            }
            #expect(codes?.filter { $0 == 0 }.count == 1)  // the token works once
        }
    }

    @Test func uploadTokensExpireAfterADay() async throws {
        try await H.run { h in
            let token = try await h.accessToken(scopes: [GoogleScope.appendOnly])
            let upload = try await upload(h, try Self.bytes("sharp-cat.jpg"), token: token).text
            await h.fake.advanceClock(seconds: 86_401)
            let fresh = try await h.accessToken(scopes: [GoogleScope.appendOnly])
            let reply = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:batchCreate", ["newMediaItems": Self.items([upload])], bearer: fresh)
            #expect(
                (reply.json["newMediaItemResults"] as? [[String: Any]])?.first.flatMap {
                    ($0["status"] as? [String: Any])?["code"] as? Int
                } == 3)
        }
    }

    @Test func scopesAndUploadHeadersAreChecked() async throws {
        try await H.run { h in
            let pickerOnly = try await h.accessToken(scopes: [GoogleScope.picker])
            #expect(try await upload(h, try Self.bytes("sharp-cat.jpg"), token: pickerOnly).status == 403)
            let appendOnly = try await h.accessToken(scopes: [GoogleScope.appendOnly])
            #expect(try await upload(h, try Self.bytes("sharp-cat.jpg"), token: appendOnly, raw: false).status == 400)
            let albumID = try await createAlbum(h, token: appendOnly)
            let read = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:search", ["albumId": albumID], bearer: appendOnly)
            #expect(read.status == 403)
            let both = try await h.accessToken(scopes: [GoogleScope.readAppCreated])
            let bad = try await h.postJSON(
                "/photoslibrary/v1/mediaItems:search", ["albumId": albumID, "filters": [:]], bearer: both)
            #expect(bad.errorStatus == "INVALID_ARGUMENT")
            // Albums and items of another app (client) are invisible.
            #expect(try await h.get("/photoslibrary/v1/albums/\(albumID)", bearer: both).status == 200)
            let bob = try await h.accessToken(scopes: [GoogleScope.readAppCreated], user: "bob@example.com")
            #expect(try await h.get("/photoslibrary/v1/albums/\(albumID)", bearer: bob).status == 404)
            let list = try await h.get("/photoslibrary/v1/albums?pageSize=1", bearer: both)
            #expect((list.json["albums"] as? [Any])?.count == 1)
        }
    }

    @Test func batchAddMediaItemsIsAllOrNothingAndSharingIsGone() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let albumID = try await createAlbum(h, token: token)
            let bad = try await h.postJSON(
                "/photoslibrary/v1/albums/\(albumID):batchAddMediaItems", ["mediaItemIds": ["nope"]], bearer: token)
            #expect(bad.status == 400)
            #expect(bad.errorStatus == "INVALID_ARGUMENT")
            let share = try await h.postJSON("/photoslibrary/v1/albums/\(albumID):share", bearer: token)
            #expect(share.status == 403)
            #expect(try await h.get("/photoslibrary/v1/sharedAlbums", bearer: token).status == 403)
        }
    }

    @Test func overlappingBatchCreateCallsForOneUserAreThrottled() async throws {
        try await H.run({ $0.batchCreateLatencyMs = 300 }) { h in
            let token = try await h.accessToken()
            let upload = try await upload(h, try Self.bytes("sharp-cat.jpg"), token: token).text
            let body = ["newMediaItems": Self.items([upload])]
            let data = try JSONSerialization.data(withJSONObject: body)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await h.request(
                            .post, "/photoslibrary/v1/mediaItems:batchCreate",
                            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                            body: Array(data)
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 429])
        }
    }
}
