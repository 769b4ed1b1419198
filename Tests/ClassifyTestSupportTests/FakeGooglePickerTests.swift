import Foundation
import Testing

@testable import ClassifyTestSupport

/// The Picker API (spec section 2).
@Suite struct FakeGooglePickerTests {
    typealias H = FakeGoogleHarness

    static var photoCount: Int { (try? FakePhotoInfo.imageFiles(in: H.photos).count) ?? 0 }

    @Test func sessionLifecycleFromCreateToDelete() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let created = try await h.postJSON("/photospicker/v1/sessions", [String: Any](), bearer: token)
            #expect(created.status == 200)
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["pickerUri"] as? String == "\(H.base)/picker/\(id)")
            #expect(created.json["mediaItemsSet"] as? Bool == false)
            let polling = try #require(created.json["pollingConfig"] as? [String: Any])
            #expect(polling["pollInterval"] as? String == "5s")
            #expect((polling["timeoutIn"] as? String)?.hasSuffix("s") == true)
            let expireTime = try #require(created.json["expireTime"] as? String)
            #expect(try Date(expireTime, strategy: .iso8601) > Date())

            let early = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token)
            #expect(early.status == 400)
            #expect(early.errorStatus == "FAILED_PRECONDITION")

            let pick = try await h.postJSON("/fake/sessions/\(id)/pick", ["folder": H.photos])
            #expect(pick.status == 200)
            let done = try await h.get("/photospicker/v1/sessions/\(id)", bearer: token)
            #expect(done.json["mediaItemsSet"] as? Bool == true)
            #expect(done.json["pollingConfig"] == nil)

            var ids: [String] = [], pageToken: String?, pages = 0
            repeat {
                var uri = "/photospicker/v1/mediaItems?sessionId=\(id)&pageSize=7"
                if let pageToken { uri += "&pageToken=\(FakeHTTP.encode(pageToken))" }
                let page = try await h.get(uri, bearer: token)
                #expect(page.status == 200)
                let items = page.json["mediaItems"] as? [[String: Any]] ?? []
                #expect(items.count <= 7)
                ids += items.compactMap { $0["id"] as? String }
                pageToken = page.json["nextPageToken"] as? String
                pages += 1
            } while pageToken != nil && pages < 20
            #expect(ids.count == Self.photoCount)
            #expect(Set(ids).count == ids.count)
            #expect(pages == (Self.photoCount + 6) / 7)

            #expect(
                try await h.request(
                    .delete, "/photospicker/v1/sessions/\(id)", headers: [.authorization: "Bearer \(token)"]
                ).text == "{}")
            let gone = try await h.get("/photospicker/v1/sessions/\(id)", bearer: token)
            #expect(gone.status == 404)
            #expect(gone.errorStatus == "NOT_FOUND")
            #expect(try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token).status == 404)
        }
    }

    @Test func pickedItemsCarryTheSpecsFields() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let id = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
            let file = H.photos + "/sharp-cat.jpg"
            _ = try await h.postJSON("/fake/sessions/\(id)/pick", ["files": [file]])
            let list = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token)
            let item = try #require((list.json["mediaItems"] as? [[String: Any]])?.first)
            #expect(list.json["nextPageToken"] == nil)
            #expect(item["type"] as? String == "PHOTO")
            #expect(item["createTime"] is String)
            let mediaFile = try #require(item["mediaFile"] as? [String: Any])
            #expect(mediaFile["filename"] as? String == "sharp-cat.jpg")
            #expect(mediaFile["mimeType"] as? String == "image/jpeg")
            #expect((mediaFile["baseUrl"] as? String)?.hasPrefix("\(H.base)/lh3/ppa/") == true)
            let metadata = try #require(mediaFile["mediaFileMetadata"] as? [String: Any])
            #expect(metadata["width"] as? Int == 451)
            #expect(metadata["height"] as? Int == 300)

            // The id is stable: the same photo picked in another session has the same id.
            let second = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
            _ = try await h.postJSON("/fake/sessions/\(second)/pick", ["files": [file]])
            let again = try await h.get("/photospicker/v1/mediaItems?sessionId=\(second)", bearer: token)
            #expect((again.json["mediaItems"] as? [[String: Any]])?.first?["id"] as? String == item["id"] as? String)
        }
    }

    @Test func pageSizeRules() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let id = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
            _ = try await h.postJSON("/fake/sessions/\(id)/pick", ["all": true])
            let negative = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)&pageSize=-1", bearer: token)
            #expect(negative.status == 400)
            #expect(negative.errorStatus == "INVALID_ARGUMENT")
            let huge = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)&pageSize=1000", bearer: token)
            #expect((huge.json["mediaItems"] as? [Any])?.count == Self.photoCount)
            let badToken = try await h.get(
                "/photospicker/v1/mediaItems?sessionId=\(id)&pageToken=garbage", bearer: token)
            #expect(badToken.errorStatus == "INVALID_ARGUMENT")
            let noSession = try await h.get("/photospicker/v1/mediaItems", bearer: token)
            #expect(noSession.errorStatus == "INVALID_ARGUMENT")
        }
    }

    @Test func shortPagesStillEndOnlyWithoutANextPageToken() async throws {
        try await H.run({ $0.shortPickerPages = true }) { h in
            let token = try await h.accessToken()
            let id = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
            _ = try await h.postJSON("/fake/sessions/\(id)/pick", ["all": true])
            let page = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)&pageSize=5", bearer: token)
            #expect((page.json["mediaItems"] as? [Any])?.count == 4)
            #expect(page.json["nextPageToken"] is String)
        }
    }

    @Test func aSessionExpires() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let id = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
            _ = try await h.postJSON("/fake/sessions/\(id)/pick", ["all": true])
            #expect(try await h.postJSON("/fake/sessions/\(id)/expire").status == 200)
            #expect(try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token).status == 404)

            let other = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
            await h.fake.advanceClock(seconds: 1801)
            #expect(try await h.get("/photospicker/v1/sessions/\(other)", bearer: token).status == 404)
        }
    }

    @Test func authenticationAndScopeAreChecked() async throws {
        try await H.run { h in
            let missing = try await h.postJSON("/photospicker/v1/sessions")
            #expect(missing.status == 401)
            #expect(missing.headers[.wwwAuthenticate] != nil)
            let libraryOnly = try await h.accessToken(scopes: [GoogleScope.appendOnly])
            let denied = try await h.postJSON("/photospicker/v1/sessions", bearer: libraryOnly)
            #expect(denied.status == 403)
            #expect(denied.errorStatus == "PERMISSION_DENIED")
            // Someone else's session is not found.
            let alice = try await h.accessToken()
            let bob = try await h.accessToken(user: "bob@example.com")
            let id = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: alice).json["id"] as? String)
            #expect(try await h.get("/photospicker/v1/sessions/\(id)", bearer: bob).status == 404)
        }
    }

    @Test func tooManyOpenSessionsIsResourceExhausted() async throws {
        try await H.run({ $0.maxOpenSessionsPerUser = 2 }) { h in
            let token = try await h.accessToken()
            #expect(try await h.postJSON("/photospicker/v1/sessions", bearer: token).status == 200)
            #expect(try await h.postJSON("/photospicker/v1/sessions", bearer: token).status == 200)
            let third = try await h.postJSON("/photospicker/v1/sessions", bearer: token)
            #expect(third.status == 429)
            #expect(third.errorStatus == "RESOURCE_EXHAUSTED")
        }
    }

    @Test func anAccountWithoutGooglePhotosCannotPick() async throws {
        try await H.run { h in
            _ = try await h.postJSON("/fake/users", ["email": "nophotos@example.com", "hasPhotosAccount": false])
            let token = try await h.accessToken(user: "nophotos@example.com")
            let reply = try await h.postJSON("/photospicker/v1/sessions", bearer: token)
            #expect(reply.status == 400)
            #expect(reply.errorStatus == "FAILED_PRECONDITION")
        }
    }

    @Test func maxItemCountIsAnInt64StringAndLimitsThePick() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let bad = try await h.postJSON(
                "/photospicker/v1/sessions", ["pickingConfig": ["maxItemCount": "abc"]], bearer: token)
            #expect(bad.errorStatus == "INVALID_ARGUMENT")
            let created = try await h.postJSON(
                "/photospicker/v1/sessions", ["pickingConfig": ["maxItemCount": "2"]], bearer: token)
            #expect((created.json["pickingConfig"] as? [String: Any])?["maxItemCount"] as? String == "2")
            let id = try #require(created.json["id"] as? String)
            #expect(try await h.postJSON("/fake/sessions/\(id)/pick", ["all": true]).status == 400)
        }
    }

    @Test func mediaItemsSetCanBeLeftOutWhenFalse() async throws {
        try await H.run({ $0.omitMediaItemsSetWhenFalse = true }) { h in
            let created = try await h.postJSON("/photospicker/v1/sessions", bearer: try await h.accessToken())
            #expect(created.json["mediaItemsSet"] == nil)
            #expect(created.json["pollingConfig"] != nil)
        }
    }

    @Test func aPersonCanPickOnThePickerPage() async throws {
        try await H.run { h in
            let token = try await h.accessToken()
            let session = try await h.postJSON("/photospicker/v1/sessions", bearer: token)
            let pickerURI = try #require(session.json["pickerUri"] as? String)
            let page = try await h.get(pickerURI + "/autoclose")
            #expect(page.status == 200)
            #expect(page.text.contains("value=\"sharp-cat.jpg\""))
            let done = try await h.postForm(
                pickerURI, [("file", "sharp-cat.jpg"), ("file", "motion-cat.jpg"), ("pick", "selected")])
            #expect(done.status == 200)
            let id = try #require(session.json["id"] as? String)
            let list = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token)
            #expect((list.json["mediaItems"] as? [Any])?.count == 2)
            #expect(try await h.get(pickerURI).status == 410)  // a finished picker URI stops working
            let traversal = try await h.postForm(
                "/picker/\(try #require(try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String))",
                [("file", "../../Package.swift")])
            #expect(traversal.status == 400)
        }
    }
}
