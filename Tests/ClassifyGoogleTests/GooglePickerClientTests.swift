import ClassifyGoogle
import ClassifyTestSupport
import Foundation
import Synchronization
import Testing

/// The Picker client against the fake Google over real HTTP (spec section 2, 4), plus the
/// error envelope and `GoogleRetry`.
@Suite struct GooglePickerClientTests {
    typealias Live = LiveFakeGoogle

    static let three = ["sharp-cat.jpg", "sharp-coffee.jpg", "sharp-rocket.jpg"]

    // MARK: The whole flow

    @Test func createPickListFetchAndDeleteASession() async throws {
        try await Live.run { live in
            await live.fake.updateConfiguration { $0.shortPickerPages = true }
            let token = try await live.accessToken([GoogleScopes.picker])
            let picker = live.picker

            let created = try await picker.createSession(accessToken: token, maxItemCount: 10)
            #expect(!created.id.isEmpty)
            #expect(created.pickerURI == "\(live.baseURL)/picker/\(created.id)")
            #expect(created.autoclosePickerURI == "\(live.baseURL)/picker/\(created.id)/autoclose")
            #expect(created.mediaItemsSet == false)
            #expect(created.pollInterval == 5)
            #expect(try #require(created.pollTimeout) > 1790 && created.pollTimeout! <= 1800)
            #expect(created.maxItemCount == 10)
            let expires = try #require(created.expireTime)
            #expect(abs(expires.timeIntervalSinceNow - 1800) < 60)

            try await live.pick(created.id, Self.three)
            let picked = try await picker.getSession(id: created.id, accessToken: token)
            #expect(picked.mediaItemsSet)
            #expect(picked.pollInterval == nil && picked.pollTimeout == nil)
            #expect(picked.id == created.id)

            // pageSize 2 with short pages: 1 item a page, so three list calls.
            let before = await live.lastSequence()
            let items = try await picker.allMediaItems(sessionID: created.id, accessToken: token, pageSize: 2)
            let lists = await live.requests(since: before).filter { $0.path == "/photospicker/v1/mediaItems" }
            #expect(lists.count == 3)
            #expect(lists.allSatisfy { $0.hadBearer && $0.status == 200 })
            #expect(items.map(\.filename) == Self.three)
            #expect(Set(items.map(\.id)).count == 3)
            let cat = try #require(items.first)
            #expect(cat.type == "PHOTO" && cat.isPhoto)
            #expect(cat.mimeType == "image/jpeg")
            #expect(cat.width == 451 && cat.height == 300)
            #expect(cat.createTime != nil)
            #expect(cat.baseURL.hasPrefix("\(live.baseURL)/lh3/ppa/"))
            #expect(!cat.description.contains(cat.baseURL))

            // Pages by hand: a short first page, then the rest and no token.
            let first = try await picker.listMediaItems(sessionID: created.id, pageSize: 3, accessToken: token)
            #expect(first.items.count == 2 && first.nextPageToken != nil)
            let last = try await picker.listMediaItems(
                sessionID: created.id, pageToken: first.nextPageToken, pageSize: 100, accessToken: token)
            #expect(last.items.map(\.id) == [items[2].id] && last.nextPageToken == nil)

            let fetchedAt = await live.lastSequence()
            let (bytes, mimeType) = try await picker.fetchBytes(
                baseURL: cat.baseURL, width: 200, height: 200, accessToken: token, maxBytes: 1 << 20)
            #expect(mimeType == "image/jpeg")
            #expect(Array(bytes.prefix(3)) == [0xFF, 0xD8, 0xFF])
            let info = try #require(FakePhotoInfo.read(bytes))
            #expect(info.mimeType == "image/jpeg")
            #expect(info.width <= 200 && info.height <= 200 && info.width > info.height)
            let fetch = await live.requests(since: fetchedAt)
            #expect(fetch.map(\.path) == ["/lh3/ppa/<token>=w200-h200"])
            #expect(fetch.first?.hadBearer == true)

            try await picker.deleteSession(id: created.id, accessToken: token)
            await #expect(throws: GooglePhotosError.notFound("Session not found.")) {
                _ = try await picker.getSession(id: created.id, accessToken: token)
            }
            #expect(await live.fake.state().sessions.first { $0.id == created.id }?.deleted == true)
        }
    }

    @Test func listingBeforePickingIsAFailedPrecondition() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            let session = try await live.picker.createSession(accessToken: token)
            #expect(session.maxItemCount == nil)
            await #expect(
                throws: GooglePhotosError.failedPrecondition(
                    "The user has not finished picking media items in this session.")
            ) {
                _ = try await live.picker.listMediaItems(sessionID: session.id, accessToken: token)
            }
        }
    }

    @Test func aMissingMediaItemsSetReadsAsFalse() async throws {
        try await Live.run({ $0.omitMediaItemsSetWhenFalse = true }) { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            let session = try await live.picker.createSession(accessToken: token)
            #expect(session.mediaItemsSet == false)
            #expect(session.pollInterval == 5)
        }
    }

    @Test func aUserWithoutGooglePhotosCannotCreateASession() async throws {
        try await Live.run { live in
            await live.fake.addUser(
                FakeGoogleUser(
                    sub: "100000000000000000009", email: "carol@example.com", name: "Carol", hasPhotosAccount: false))
            let token = try await live.accessToken([GoogleScopes.picker], user: "carol@example.com")
            await #expect(
                throws: GooglePhotosError.failedPrecondition("The user does not have an active Google Photos account.")
            ) {
                _ = try await live.picker.createSession(accessToken: token)
            }
        }
    }

    @Test func anOutOfRangeMaxItemCountOrNegativePageSizeIsRefusedWithoutARequest() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            await #expect(throws: GooglePhotosError.invalidArgument("maxItemCount must be between 1 and 2000")) {
                _ = try await live.picker.createSession(accessToken: token, maxItemCount: 2001)
            }
            await #expect(throws: GooglePhotosError.invalidArgument("pageSize must not be negative")) {
                _ = try await live.picker.listMediaItems(sessionID: "s", pageSize: -1, accessToken: token)
            }
            #expect(await live.requests().isEmpty)
        }
    }

    // MARK: Errors

    @Test func anExpiredAccessTokenIsUnauthenticated() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            #expect(await live.fake.expireTokens(token: token) == 1)
            await #expect(throws: GooglePhotosError.unauthenticated) {
                _ = try await live.picker.createSession(accessToken: token)
            }
            await #expect(throws: GooglePhotosError.unauthenticated) {
                _ = try await live.picker.getSession(id: "anything", accessToken: "not-a-token")
            }
        }
    }

    @Test func aTokenWithoutThePickerScopeIsPermissionDeniedForScope() async throws {
        try await Live.run { live in
            let token = try await live.accessToken(["openid", "email", GoogleScopes.appendOnly])
            do throws(GooglePhotosError) {
                _ = try await live.picker.createSession(accessToken: token)
                Issue.record("createSession succeeded without the picker scope")
            } catch {
                #expect(
                    error
                        == .permissionDenied(
                            reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                            message: "Request had insufficient authentication scopes."))
                #expect(error.insufficientScope)
                #expect(!error.isRetryable)
                #expect(!error.description.contains(token))
            }
        }
    }

    @Test func anExpiredSessionIsNotFound() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            let session = try await live.picker.createSession(accessToken: token)
            try await live.pick(session.id, ["sharp-cat.jpg"])
            #expect(await live.fake.expireSession(session.id))
            await #expect(throws: GooglePhotosError.notFound("Session not found.")) {
                _ = try await live.picker.getSession(id: session.id, accessToken: token)
            }
            await #expect(throws: GooglePhotosError.notFound("Session not found.")) {
                _ = try await live.picker.allMediaItems(sessionID: session.id, accessToken: token)
            }

            // Time passing does the same.
            let other = try await live.picker.createSession(accessToken: token)
            await live.fake.advanceClock(seconds: 1801)
            await #expect(throws: GooglePhotosError.notFound("Session not found.")) {
                _ = try await live.picker.getSession(id: other.id, accessToken: token)
            }
        }
    }

    @Test func expiredBaseURLsAreMediaUnavailableUntilListedAgain() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            let session = try await live.picker.createSession(accessToken: token)
            try await live.pick(session.id, ["sharp-cat.jpg"])
            let item = try #require(
                try await live.picker.allMediaItems(sessionID: session.id, accessToken: token).first)
            #expect(await live.fake.expireBaseURLs() >= 1)
            await #expect(throws: GooglePhotosError.mediaUnavailable(status: 403)) {
                _ = try await live.picker.fetchBytes(
                    baseURL: item.baseURL, width: 100, height: 100, accessToken: token, maxBytes: 1 << 20)
            }
            // Another user's token (or one without the scope) is refused the same way.
            let fresh = try #require(
                try await live.picker.allMediaItems(sessionID: session.id, accessToken: token).first)
            let bob = try await live.accessToken([GoogleScopes.picker], user: "bob@example.com")
            await #expect(throws: GooglePhotosError.mediaUnavailable(status: 403)) {
                _ = try await live.picker.fetchBytes(
                    baseURL: fresh.baseURL, width: 100, height: 100, accessToken: bob, maxBytes: 1 << 20)
            }
            let bytes = try await live.picker.fetchBytes(
                baseURL: fresh.baseURL, width: 100, height: 100, accessToken: token, maxBytes: 1 << 20
            ).bytes
            #expect(Array(bytes.prefix(2)) == [0xFF, 0xD8])
        }
    }

    @Test func aBodyOverMaxBytesIsTooLarge() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            let session = try await live.picker.createSession(accessToken: token)
            try await live.pick(session.id, ["sharp-hubble.jpg"])
            let item = try #require(
                try await live.picker.allMediaItems(sessionID: session.id, accessToken: token).first)
            await #expect(throws: GooglePhotosError.tooLarge(limit: 1000)) {
                _ = try await live.picker.fetchBytes(
                    baseURL: item.baseURL, width: 800, height: 800, accessToken: token, maxBytes: 1000)
            }
        }
    }

    @Test func aBaseURLThatIsNotAbsoluteHTTPIsRefusedWithoutARequest() async throws {
        try await Live.run { live in
            let picker = live.picker
            for bad in ["/lh3/ppa/x", "ftp://example.com/x", "https://example.com/x?y=1", "not a url", ""] {
                do throws(GooglePhotosError) {
                    _ = try await picker.fetchBytes(baseURL: bad, width: 10, height: 10, accessToken: "t", maxBytes: 10)
                    Issue.record("\(bad) was fetched")
                } catch {
                    guard case .invalidArgument = error else {
                        Issue.record("\(bad): \(error)")
                        continue
                    }
                }
            }
            #expect(await live.requests().isEmpty)
        }
    }

    @Test func aServerErrorOnABaseURLIsRetryableNotMediaUnavailable() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            let session = try await live.picker.createSession(accessToken: token)
            try await live.pick(session.id, ["sharp-cat.jpg"])
            let item = try #require(
                try await live.picker.allMediaItems(sessionID: session.id, accessToken: token).first)
            await live.fake.addFault(FakeFault(pathPrefix: "/lh3/", status: 503, retryAfter: 2))
            await #expect(throws: GooglePhotosError.unavailable(status: 503, retryAfter: 2)) {
                _ = try await live.picker.fetchBytes(
                    baseURL: item.baseURL, width: 10, height: 10, accessToken: token, maxBytes: 1 << 20)
            }
        }
    }

    // MARK: Retry

    @Test func a429WithRetryAfterIsWaitedOutThenSucceeds() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            await live.fake.addFault(
                FakeFault(pathPrefix: "/photospicker/v1/sessions", method: "POST", status: 429, retryAfter: 1))
            let sleeps = SleepRecorder()
            let attempts = Counter()
            let session = try await GoogleRetry.run(sleep: sleeps.sleep) { () async throws(GooglePhotosError) in
                attempts.increment()
                return try await live.picker.createSession(accessToken: token)
            }
            #expect(!session.id.isEmpty)
            #expect(attempts.value == 2)
            #expect(sleeps.requested.count == 1)
            #expect(try #require(sleeps.requested.first).inSeconds >= 1)
            let statuses = await live.requests().map(\.status)
            #expect(statuses == [429, 200])
        }
    }

    @Test func aDailyQuota429IsNotRetried() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            await live.fake.addFault(
                FakeFault(pathPrefix: "/photospicker/v1/sessions", status: 429, retryAfter: 1, dailyQuota: true))
            let sleeps = SleepRecorder()
            do throws(GooglePhotosError) {
                _ = try await GoogleRetry.run(sleep: sleeps.sleep) { () async throws(GooglePhotosError) in
                    try await live.picker.createSession(accessToken: token)
                }
                Issue.record("a daily-quota 429 succeeded")
            } catch {
                #expect(error == .rateLimited(retryAfter: 1, dailyQuota: true))
                #expect(!error.isRetryable)
            }
            #expect(sleeps.requested.isEmpty)
            #expect(await live.requests().count == 1)
        }
    }

    @Test func a503IsRetriedWithBackoffAndGivesUpAfterMaxAttempts() async throws {
        try await Live.run { live in
            let token = try await live.accessToken([GoogleScopes.picker])
            await live.fake.addFault(FakeFault(pathPrefix: "/photospicker/v1/sessions", count: 2, status: 503))
            let sleeps = SleepRecorder()
            let session = try await GoogleRetry.run(sleep: sleeps.sleep) { () async throws(GooglePhotosError) in
                try await live.picker.createSession(accessToken: token)
            }
            #expect(!session.id.isEmpty)
            let waits = sleeps.requested.map(\.inSeconds)
            #expect(waits.count == 2)
            #expect(waits.count == 2 && (0.5...1).contains(waits[0]) && (1...2).contains(waits[1]))

            await live.fake.addFault(FakeFault(pathPrefix: "/photospicker/v1/sessions", count: 10, status: 504))
            let more = SleepRecorder()
            await #expect(throws: GooglePhotosError.unavailable(status: 504, retryAfter: nil)) {
                _ = try await GoogleRetry.run(maxAttempts: 3, sleep: more.sleep) { () async throws(GooglePhotosError) in
                    try await live.picker.createSession(accessToken: token)
                }
            }
            #expect(more.requested.count == 2)
        }
    }

    @Test func retryLeavesNonRetryableErrorsAndLongRetryAfterToTheCaller() async throws {
        let sleeps = SleepRecorder()
        let attempts = Counter()
        for error in [
            GooglePhotosError.unauthenticated, .notFound("x"), .failedPrecondition("x"),
            .permissionDenied(reason: nil, message: "x"), .mediaUnavailable(status: 403),
            .rateLimited(retryAfter: 600, dailyQuota: false),
        ] {
            await #expect(throws: error) {
                try await GoogleRetry.run(sleep: sleeps.sleep) { () async throws(GooglePhotosError) -> Int in
                    attempts.increment()
                    throw error
                }
            }
        }
        #expect(attempts.value == 6)
        #expect(sleeps.requested.isEmpty)

        // Backoff doubles up to maxDelay.
        let capped = SleepRecorder()
        await #expect(throws: GooglePhotosError.transport("x")) {
            try await GoogleRetry.run(maxAttempts: 8, maxDelay: .seconds(4), sleep: capped.sleep) {
                () async throws(GooglePhotosError) -> Int in throw .transport("x")
            }
        }
        let waits = capped.requested.map(\.inSeconds)
        #expect(waits.count == 7)
        #expect(waits.allSatisfy { $0 <= 4 })
        #expect(waits.suffix(3).allSatisfy { $0 >= 2 })
    }

    @Test func retryCanBeCalledFromAnActorUsingItsState() async throws {
        let owner = RetryingOwner()
        #expect(try await owner.run() == 3)
    }

    // MARK: Parsing

    @Test func errorEnvelopesMapToCases() {
        func envelope(_ code: Int, _ status: String, _ message: String, reason: String? = nil, legacy: String? = nil)
            -> [UInt8]
        {
            var error: [String: Any] = ["code": code, "status": status, "message": message]
            if let reason {
                error["details"] = [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason]]
            }
            if let legacy { error["errors"] = [["message": message, "domain": "global", "reason": legacy]] }
            return [UInt8](try! JSONSerialization.data(withJSONObject: ["error": error]))
        }
        #expect(GooglePhotosError(status: 401, body: envelope(401, "UNAUTHENTICATED", "x")) == .unauthenticated)
        let scope = GooglePhotosError(
            status: 403,
            body: envelope(
                403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
        #expect(scope.insufficientScope)
        let legacyScope = GooglePhotosError(
            status: 403,
            body: envelope(
                403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                legacy: "insufficientPermissions"))
        #expect(
            legacyScope
                == .permissionDenied(
                    reason: "insufficientPermissions", message: "Request had insufficient authentication scopes."))
        #expect(legacyScope.insufficientScope)
        #expect(
            !GooglePhotosError(status: 403, body: envelope(403, "PERMISSION_DENIED", "no sharing")).insufficientScope)
        #expect(
            GooglePhotosError(status: 400, body: envelope(400, "FAILED_PRECONDITION", "not yet"))
                == .failedPrecondition("not yet"))
        #expect(
            GooglePhotosError(status: 400, body: envelope(400, "INVALID_ARGUMENT", "bad")) == .invalidArgument("bad"))
        #expect(
            GooglePhotosError(status: 400, body: envelope(400, "OUT_OF_RANGE", "far")) == .invalidArgument("far"))
        #expect(GooglePhotosError(status: 404, body: envelope(404, "NOT_FOUND", "gone")) == .notFound("gone"))
        #expect(
            GooglePhotosError(
                status: 429,
                body: envelope(
                    429, "RESOURCE_EXHAUSTED",
                    "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service",
                    reason: "RATE_LIMIT_EXCEEDED"), retryAfter: 30) == .rateLimited(retryAfter: 30, dailyQuota: true))
        let perMinute = GooglePhotosError(
            status: 429, body: envelope(429, "RESOURCE_EXHAUSTED", "per minute", legacy: "rateLimitExceeded"),
            retryAfter: nil)
        #expect(perMinute == .rateLimited(retryAfter: nil, dailyQuota: false))
        #expect(perMinute.isRetryable)
        #expect(
            GooglePhotosError(status: 409, body: envelope(409, "ABORTED", "again"), retryAfter: 2)
                == .unavailable(status: 409, retryAfter: 2))
        #expect(
            GooglePhotosError(status: 409, body: envelope(409, "ALREADY_EXISTS", "dup"))
                == .unexpectedResponse(status: 409, reason: "ALREADY_EXISTS: dup"))
        for status in [500, 503, 504] {
            let error = GooglePhotosError(status: status, body: Array("<html>oops</html>".utf8))
            #expect(error == .unavailable(status: status, retryAfter: nil))
            #expect(error.isRetryable)
        }
        #expect(GooglePhotosError(status: 404, body: Array("<html>404</html>".utf8)) == .notFound("HTTP 404"))
        #expect(GooglePhotosError(status: 400, body: []) == .invalidArgument("HTTP 400"))
        #expect(
            GooglePhotosError(status: 501, body: envelope(501, "UNIMPLEMENTED", "no"))
                == .unexpectedResponse(status: 501, reason: "UNIMPLEMENTED: no"))
        #expect(
            GooglePhotosError(status: 413, body: envelope(413, "INVALID_ARGUMENT", "big")) == .invalidArgument("big"))
        #expect(GooglePhotosError.rateLimited(retryAfter: 3, dailyQuota: false).retryAfter == 3)
        #expect(GooglePhotosError.transport("x").isRetryable)
        #expect(!GooglePhotosError.unauthenticated.isRetryable)
    }

    @Test func sessionsParseDurationsTimestampsAndStringCounts() throws {
        func session(_ json: String) throws -> PickingSession {
            try JSONDecoder().decode(PickingSession.self, from: Data(json.utf8))
        }
        let polling = try session(
            #"{"id":"s1","pickerUri":"https://photos.google.com/picker/s1","pollingConfig":{"pollInterval":"3.5s","timeoutIn":"1799.5s"},"expireTime":"2026-03-01T12:34:56.789Z","pickingConfig":{"maxItemCount":"50"}}"#
        )
        #expect(polling.pollInterval == 3.5 && polling.pollTimeout == 1799.5)
        #expect(polling.mediaItemsSet == false)
        #expect(polling.maxItemCount == 50)
        let base = Date(timeIntervalSince1970: 1_772_368_496)  // 2026-03-01T12:34:56Z
        #expect(abs(try #require(polling.expireTime).timeIntervalSince(base) - 0.789) < 1e-6)
        #expect(polling.autoclosePickerURI == "https://photos.google.com/picker/s1/autoclose")

        for (text, fraction) in [
            ("2026-03-01T12:34:56Z", 0.0), ("2026-03-01T12:34:56.5Z", 0.5), ("2026-03-01T12:34:56.123456Z", 0.123456),
            ("2026-03-01T12:34:56.123456789Z", 0.123456789), ("2026-03-01T13:34:56.250+01:00", 0.25),
        ] {
            let parsed = try session(#"{"id":"s","pickerUri":"u","mediaItemsSet":true,"expireTime":"\#(text)"}"#)
            #expect(abs(try #require(parsed.expireTime).timeIntervalSince(base) - fraction) < 1e-6, "\(text)")
            #expect(parsed.mediaItemsSet && parsed.pollInterval == nil)
        }
        let stop = try session(
            #"{"id":"s","pickerUri":"u","pollingConfig":{"pollInterval":"5s","timeoutIn":"0s"},"pickingConfig":{"maxItemCount":7}}"#
        )
        #expect(stop.pollTimeout == 0 && stop.maxItemCount == 7)
        #expect(try session(#"{"id":"s","expireTime":"garbage"}"#).expireTime == nil)
    }

    @Test func itemsTakeIntegerOrStringSizesAndKeepVideos() throws {
        let json = #"""
            {"mediaItems":[
              {"id":"a","createTime":"2010-03-14T15:06:31Z","type":"PHOTO","mediaFile":{"baseUrl":"https://lh3.example/ppa/a","mimeType":"image/jpeg","filename":"DSC01664.JPG","mediaFileMetadata":{"width":4000,"height":3000,"cameraMake":"SONY","cameraModel":"DSC-W220","photoMetadata":{"focalLength":5.35,"exposureTime":"0.033333335s"}}}},
              {"id":"b","type":"VIDEO","mediaFile":{"baseUrl":"https://lh3.example/ppa/b","mediaFileMetadata":{"width":"1920","height":"1080","videoMetadata":{"fps":30}}}},
              {"id":"c","mediaFile":{"baseUrl":"https://lh3.example/ppa/c","mediaFileMetadata":{"width":"wide"}}}
            ],"nextPageToken":"next"}
            """#
        let page = try JSONDecoder().decode(PickedMediaItemPage.self, from: Data(json.utf8))
        #expect(page.nextPageToken == "next")
        #expect(page.items.map(\.id) == ["a", "b", "c"])
        let photo = page.items[0]
        #expect(photo.width == 4000 && photo.height == 3000)
        #expect(photo.cameraMake == "SONY" && photo.cameraModel == "DSC-W220")
        #expect(photo.filename == "DSC01664.JPG" && photo.mimeType == "image/jpeg")
        #expect(photo.createTime == Date(timeIntervalSince1970: 1_268_579_191))
        #expect(page.items[1].type == "VIDEO" && page.items[1].width == 1920 && page.items[1].height == 1080)
        #expect(!page.items[1].isPhoto)
        #expect(page.items[2].type == "TYPE_UNSPECIFIED" && page.items[2].width == nil)
        #expect(!photo.description.contains("/ppa/a"))

        let empty = try JSONDecoder().decode(PickedMediaItemPage.self, from: Data("{}".utf8))
        #expect(empty.items.isEmpty && empty.nextPageToken == nil)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(PickedMediaItemPage.self, from: Data(#"{"mediaItems":[{"id":"x"}]}"#.utf8))
        }
    }
}

/// Counts calls from a retried closure.
final class Counter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func increment() { count.withLock { $0 += 1 } }
}

/// An actor whose retried closure touches its own state.
actor RetryingOwner {
    private var attempts = 0

    func run() async throws(GooglePhotosError) -> Int {
        try await GoogleRetry.run(sleep: { _ in }) { () async throws(GooglePhotosError) -> Int in
            attempts += 1
            if attempts < 3 { throw .unavailable(status: 503, retryAfter: 0) }
            return attempts
        }
    }
}
