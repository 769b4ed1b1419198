import ClassifyGoogle
import ClassifyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 4 end to end: `classify serve` as a child process and the fake Google in this process,
/// each on its own loopback port, real HTTP both ways (GoogleFlowHarness.swift). Every test
/// starts its own pair, so each proves one thing from a clean state.
@Suite(.serialized)
struct GoogleFlowTests {
    /// Three sharp, three blurred (motion and defocus).
    static let mixed = [
        "sharp-cat.jpg", "sharp-astronaut.jpg", "sharp-rocket.jpg", "motion-astronaut.jpg", "defocus-astronaut.jpg",
        "defocus-cat.jpg",
    ]
    static let picker = "https://www.googleapis.com/auth/photospicker.mediaitems.readonly"

    // MARK: 1. The happy path

    @Test(.timeLimit(.minutes(3)))
    func happyPathSignInPickSyncAnalyseAndAlbum() async throws {
        try await GoogleFlow.run { flow in
            let alice = flow.browser()
            try await alice.signIn()
            let me = try await alice.userID()

            let status = try await alice.get("/api/v1/google/status")
            #expect(status.status == 200)
            #expect(status.json["configured"].bool == true && status.json["connected"].bool == true)
            #expect(status.json["needs_reauth"].bool == false)
            #expect(status.json["features"].strings == ["album", "album_check", "pick"])
            #expect(status.json["missing"].array.isEmpty)

            // A picker session; syncing before the person pressed Done is refused.
            let created = try await alice.post("/api/v1/photos/google/picker-sessions")
            try #require(created.status == 201, "\(created.summary)")
            let sessionID = try #require(created.json["session_id"].string)
            #expect(created.json["picker_uri"].string == "\(flow.fakeBase)/picker/\(sessionID)")
            #expect(created.json["media_items_set"].bool == false)
            #expect(created.json["poll_interval_seconds"].double == 5)
            let early = try await alice.post("/api/v1/photos/google/picker-sessions/\(sessionID)/sync")
            #expect(early.status == 409 && early.errorCode == "not_picked_yet", "\(early.summary)")

            try await flow.pick(sessionID, Self.mixed)
            let polled = try await alice.get("/api/v1/photos/google/picker-sessions/\(sessionID)")
            #expect(polled.status == 200 && polled.json["media_items_set"].bool == true, "\(polled.summary)")

            // Sync: every picked photo arrives once, as a Google photo.
            let (jobID, total) = try await alice.sync(sessionID)
            #expect(total == Self.mixed.count)
            let job = try await alice.waitJob(jobID)
            #expect(job["status"].string == "done" && job["done"].int == 6 && job["failed"].int == 0, "\(job.value)")
            var photos = try await alice.photos()
            #expect(photos.compactMap { $0["filename"].string }.sorted() == Self.mixed.sorted())
            #expect(photos.allSatisfy { $0["source"].string == "google" })

            // The picker session is deleted at Google once synced.
            try await eventually("the picker session is deleted at Google") {
                await flow.fake.log().contains {
                    $0.method == "DELETE" && $0.path == "/photospicker/v1/sessions/\(sessionID)" && $0.status == 200
                }
            }
            #expect(await flow.fake.state().sessions.first { $0.id == sessionID }?.deleted == true)
            let closed = try await alice.get("/api/v1/photos/google/picker-sessions/\(sessionID)")
            #expect(closed.status == 200 && closed.json["sync_job_id"].string == jobID, "\(closed.summary)")

            // Analysis, then the album of exactly the photos the API calls clear.
            try await alice.analyzeAll()
            photos = try await alice.photos()
            let clear = photos.filter { $0["is_blurred"].bool == false }
            for photo in photos {
                let name = photo["filename"].string ?? ""
                if name.hasPrefix("sharp-") { #expect(photo["is_blurred"].bool == false, "\(name) should be clear") }
                if name.hasPrefix("defocus-") { #expect(photo["is_blurred"].bool == true, "\(name) should be blurred") }
            }
            try #require(!clear.isEmpty && clear.count < photos.count, "no mix of clear and blurred photos")

            let started = try await alice.post(
                "/api/v1/photos/google/unblurred-album/\(me)", #"{"title":"Clear ones"}"#)
            try #require(started.status == 202, "\(started.summary)")
            #expect(started.json["title"].string == "Clear ones")
            #expect(started.json["total"].int == clear.count)
            let albumID = try #require(started.json["album_id"].string)
            let album = try await alice.waitAlbum(albumID)
            #expect(album["status"].string == "done", "\(album.value)")
            #expect(album["done"].int == clear.count && album["failed"].int == 0, "\(album.value)")
            #expect(album["product_url"].string?.hasPrefix(flow.fakeBase) == true, "\(album.value)")

            let state = await flow.fake.state()
            try #require(state.albums.count == 1, "albums at Google: \(state.albums.map(\.title))")
            let googleAlbum = state.albums[0]
            #expect(googleAlbum.title == "Clear ones" && googleAlbum.user == "alice@example.com")
            let clearNames = clear.compactMap { $0["filename"].string }.sorted()
            #expect(googleAlbum.items.map(\.filename).sorted() == clearNames)
            #expect(googleAlbum.items.allSatisfy { $0.description.isEmpty }, "no generated text in descriptions")
            var hashes: [String] = []
            for photo in clear {
                let image = try await alice.get("/api/v1/photos/\(photo["id"].string ?? "")/image?size=original")
                try #require(image.status == 200)
                hashes.append(sha256Hex(image.body))
            }
            #expect(googleAlbum.items.map(\.sha256).sorted() == hashes.sorted(), "the album holds other bytes")
            #expect(state.libraryItems.count == clear.count, "photos were created at Google more than once")

            // The same photos picked again in a new session: nothing to fetch, nothing duplicated.
            let again = try await alice.newPickerSession()
            try await flow.pick(again, Self.mixed)
            let (againJob, againTotal) = try await alice.sync(again)
            #expect(againTotal == 0)
            #expect(try await alice.waitJob(againJob)["status"].string == "done")
            #expect(try await alice.photos().count == Self.mixed.count)
            try await eventually("the second picker session is deleted at Google") {
                await flow.fake.state().sessions.first { $0.id == again }?.deleted == true
            }
        }
    }

    // MARK: 2–5. The sign-in's defences

    @Test(.timeLimit(.minutes(1)))
    func cancelledConsentAnswersForbiddenWithoutSession() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            let authorization = try await browser.startSignIn()
            let state = try #require(browser.cookies["classify_oauth_state"])
            let callback = try await Browser.consent(authorization, decision: "deny")
            #expect(HTTP.query(of: callback)["error"] == "access_denied")
            let answer = try await browser.get(callback)
            #expect(answer.status == 403)
            #expect(answer.text.contains("cancelled"), "\(answer.text.prefix(2000))")
            #expect(!answer.headers("Set-Cookie").contains { $0.hasPrefix("classify_session=") })
            #expect(browser.sessionCookie == nil)
            #expect(try await browser.get("/api/v1/google/status").status == 401)
            // The state was used up: a code presented with it now is refused.
            browser.cookies["classify_oauth_state"] = state
            let replay = try await browser.get(
                "\(flow.redirectURI)?code=4%2Fforged&state=\(HTTP.encodeSegment(state))")
            #expect(replay.status == 400 && browser.sessionCookie == nil, "\(replay.summary)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func callbackRefusesAForeignOrUsedState() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            let authorization = try await browser.startSignIn()
            let callback = try await Browser.consent(authorization)
            let query = HTTP.query(of: callback)
            let code = try #require(query["code"]), state = try #require(query["state"])
            let tokenCalls = await flow.fake.log().filter { $0.path == "/token" }.count

            // A state that is not this browser's cookie.
            let forged = try await browser.get(
                "\(flow.redirectURI)?code=\(HTTP.encodeSegment(code))&state=\(HTTP.encodeSegment(state + "x"))")
            #expect(forged.status == 400 && browser.sessionCookie == nil, "\(forged.summary)")
            // The right state from a browser without the cookie (login CSRF).
            let stranger = flow.browser()
            let noCookie = try await stranger.get(callback)
            #expect(noCookie.status == 400 && stranger.sessionCookie == nil, "\(noCookie.summary)")
            #expect(await flow.fake.log().filter { $0.path == "/token" }.count == tokenCalls, "a code was exchanged")

            // Neither refusal used the state or the code: the genuine answer still works once…
            let owner = flow.browser()
            owner.cookies["classify_oauth_state"] = state
            let good = try await owner.get(callback)
            #expect(good.status == 302 && owner.sessionCookie != nil, "\(good.summary)")

            // …and its state never again, even with the cookie and a fresh code of another sign-in.
            let other = flow.browser()
            let otherCallback = try await Browser.consent(try await other.startSignIn())
            let otherCode = try #require(HTTP.query(of: otherCallback)["code"])
            let replay = flow.browser()
            replay.cookies["classify_oauth_state"] = state
            let used = try await replay.get(
                "\(flow.redirectURI)?code=\(HTTP.encodeSegment(otherCode))&state=\(HTTP.encodeSegment(state))")
            #expect(used.status == 400 && replay.sessionCookie == nil, "\(used.summary)")
            // That refusal did not spend the other sign-in's code.
            let otherGood = try await other.get(otherCallback)
            #expect(otherGood.status == 302 && other.sessionCookie != nil, "\(otherGood.summary)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aUsedCodeIsRefusedOnReplayAndAtTheTokenAPI() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            let signIn = try await browser.signIn()

            let replay = flow.browser()
            replay.cookies["classify_oauth_state"] = signIn.state
            let again = try await replay.get(signIn.callbackURL)
            #expect(again.status == 400 && replay.sessionCookie == nil, "\(again.summary)")

            let mark = await flow.lastSequence()
            let direct = try await HTTP.send(
                "POST", flow.app + "/api/v1/auth/token", headers: [("Content-Type", "application/json")],
                body: Array(
                    #"{"grant_type":"authorization_code","code":"\#(signIn.code)","redirect_uri":"\#(flow.redirectURI)"}"#
                        .utf8))
            #expect(direct.status == 400 && direct.errorCode == "invalid_grant", "\(direct.summary)")
            #expect(direct.json["access_token"].isNull)
            // Google itself refused it.
            #expect(await flow.requests(since: mark).contains { $0.path == "/token" && $0.status == 400 })
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aCodeOfTheAppsRequestNeedsItsPKCEVerifier() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            let authorization = try await browser.startSignIn()
            #expect(HTTP.query(of: authorization)["code_challenge_method"] == "S256")
            #expect(HTTP.query(of: authorization)["code_challenge"]?.isEmpty == false)
            let code = try #require(HTTP.query(of: try await Browser.consent(authorization))["code"])

            func exchange(_ code: String, verifier: String?) async throws -> HTTPAnswer {
                var body =
                    #"{"grant_type":"authorization_code","code":"\#(code)","redirect_uri":"\#(flow.redirectURI)""#
                if let verifier { body += #","code_verifier":"\#(verifier)""# }
                return try await HTTP.send(
                    "POST", flow.app + "/api/v1/auth/token", headers: [("Content-Type", "application/json")],
                    body: Array((body + "}").utf8))
            }
            let wrong = try await exchange(code, verifier: String(repeating: "A", count: 64))
            #expect(wrong.status == 400 && wrong.errorCode == "invalid_grant", "\(wrong.summary)")
            let none = try await exchange(code, verifier: nil)
            #expect(none.status == 400 && none.errorCode == "invalid_grant", "\(none.summary)")

            // Controls: an API client's own request with its own verifier signs in, and so does
            // one that used no PKCE at all (the verifier is optional in the API).
            let verifier = "classify-test-verifier-" + String(repeating: "v", count: 30)
            let challenge = GoogleOAuthClient.codeChallenge(for: verifier)
            func ownCode(_ pkce: [(String, String)]) async throws -> String {
                let url = HTTP.adding(
                    [
                        ("client_id", GoogleFlow.clientID), ("redirect_uri", flow.redirectURI),
                        ("response_type", "code"), ("scope", "openid email profile"), ("state", "api-client"),
                    ] + pkce, to: flow.fakeBase + "/o/oauth2/v2/auth")
                return try #require(HTTP.query(of: try await Browser.consent(url))["code"])
            }
            let right = try await exchange(
                try await ownCode([("code_challenge", challenge), ("code_challenge_method", "S256")]),
                verifier: verifier)
            #expect(right.status == 200 && right.json["access_token"].string?.isEmpty == false, "\(right.summary)")
            #expect(right.json["user"]["email"].string == "alice@example.com")
            let plain = try await exchange(try await ownCode([]), verifier: nil)
            #expect(plain.status == 200 && plain.json["access_token"].string?.isEmpty == false, "\(plain.summary)")
        }
    }

    // MARK: 6–8. Tokens and scopes

    @Test(.timeLimit(.minutes(1)))
    func anExpiredAccessTokenIsRefreshedMidSync() async throws {
        try await GoogleFlow.run(workers: 1) { flow in
            let browser = flow.browser()
            try await browser.signIn()
            let sessionID = try await browser.newPickerSession()
            let names = Array(Self.mixed.prefix(4))
            try await flow.pick(sessionID, names)
            let before = await flow.fake.state().issued

            // Dead before the listing, and dead again while the first photo is being fetched.
            #expect(await flow.fake.expireTokens(kind: "access") > 0)
            let mark = await flow.lastSequence()
            await flow.fake.addFault(FakeFault(pathPrefix: "/lh3/ppa/", method: "GET", count: 1, delayMs: 1000))
            let (jobID, total) = try await browser.sync(sessionID)
            #expect(total == names.count)
            _ = await flow.fake.expireTokens(kind: "access")
            let job = try await browser.waitJob(jobID)
            #expect(job["status"].string == "done" && job["done"].int == names.count, "\(job.value)")
            #expect(try await browser.photos().count == names.count)

            let log = await flow.requests(since: mark)
            #expect(log.contains { $0.path == "/photospicker/v1/mediaItems" && $0.status == 401 })
            let refreshes = log.filter { $0.method == "POST" && $0.path == "/token" && $0.status == 200 }
            #expect(refreshes.count >= 2, "token calls: \(refreshes.count)")
            let after = await flow.fake.state().issued
            // Those were refresh grants: no new code, no new refresh token.
            #expect(after.authorizationCodes == before.authorizationCodes)
            #expect(after.refreshTokens == before.refreshTokens)
            #expect(after.accessTokens >= before.accessTokens + 2)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDeadRefreshTokenAsksForANewSignIn() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            try await browser.signIn()
            let me = try await browser.userID()
            _ = await flow.fake.expireTokens(kind: "access")
            _ = await flow.fake.expireTokens(kind: "refresh")

            let refused = try await browser.post("/api/v1/photos/google/picker-sessions")
            #expect(refused.status == 403 && refused.errorCode == "google_reauth_needed", "\(refused.summary)")
            let status = try await browser.get("/api/v1/google/status")
            #expect(status.json["connected"].bool == true)
            #expect(status.json["needs_reauth"].bool == true, "\(status.summary)")
            #expect(status.json["message"].string?.isEmpty == false)
            let album = try await browser.post("/api/v1/photos/google/unblurred-album/\(me)")
            #expect(album.status == 403 && album.errorCode == "google_reauth_needed", "\(album.summary)")

            // A new sign-in mends it.
            try await browser.signIn()
            #expect(try await browser.get("/api/v1/google/status").json["needs_reauth"].bool == false)
            #expect(try await browser.post("/api/v1/photos/google/picker-sessions").status == 201)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func untickedScopesTurnOffTheAlbumButNotPicking() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            try await browser.signIn(scopes: ["openid", "email", "profile", Self.picker])
            let me = try await browser.userID()

            let status = try await browser.get("/api/v1/google/status")
            #expect(status.json["features"].strings == ["pick"], "\(status.summary)")
            let missing = status.json["missing"].array
            #expect(missing.compactMap { $0["feature"].string } == ["album", "album_check"])
            #expect(missing.allSatisfy { $0["message"].string?.isEmpty == false })

            let album = try await browser.post("/api/v1/photos/google/unblurred-album/\(me)")
            #expect(album.status == 403 && album.errorCode == "google_scope_missing", "\(album.summary)")

            let (_, job) = try await flow.pickAndSync(browser, ["sharp-cat.jpg", "defocus-cat.jpg"])
            #expect(job["status"].string == "done" && job["done"].int == 2, "\(job.value)")
            #expect(await flow.fake.state().albums.isEmpty)
        }
    }

    // MARK: 9–11. Picker sessions, Google's hiccups, dead baseUrls

    @Test(.timeLimit(.minutes(1)))
    func anExpiredPickerSessionIsGone() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            try await browser.signIn()
            let sessionID = try await browser.newPickerSession()
            try await flow.pick(sessionID, ["sharp-cat.jpg"])
            #expect(await flow.fake.expireSession(sessionID))
            let sync = try await browser.post("/api/v1/photos/google/picker-sessions/\(sessionID)/sync")
            #expect(sync.status == 410 && sync.errorCode == "session_expired", "\(sync.summary)")
            let get = try await browser.get("/api/v1/photos/google/picker-sessions/\(sessionID)")
            #expect(get.status == 410 && get.errorCode == "session_expired", "\(get.summary)")
            #expect(try await browser.photos().isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func rateLimitsAndServerErrorsAreRetriedInSyncAndAlbum() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            try await browser.signIn()
            let me = try await browser.userID()
            let sessionID = try await browser.newPickerSession()
            try await flow.pick(sessionID, Self.mixed)

            let mark = await flow.lastSequence()
            for fault in [
                FakeFault(
                    pathPrefix: "/photospicker/v1/mediaItems", method: "GET", count: 1, status: 429, retryAfter: 1),
                FakeFault(pathPrefix: "/photospicker/v1/mediaItems", method: "GET", count: 1, status: 503),
                FakeFault(pathPrefix: "/lh3/ppa/", method: "GET", count: 2, status: 429, retryAfter: 1),
                FakeFault(pathPrefix: "/lh3/ppa/", method: "GET", count: 2, status: 500),
            ] { await flow.fake.addFault(fault) }
            let (jobID, total) = try await browser.sync(sessionID)
            #expect(total == Self.mixed.count)
            let job = try await browser.waitJob(jobID)
            #expect(job["status"].string == "done" && job["done"].int == 6 && job["failed"].int == 0, "\(job.value)")
            #expect(await flow.fake.activeFaults.isEmpty)
            #expect(await flow.requests(since: mark).filter { $0.fault != nil }.count == 6)
            #expect(try await browser.photos().count == Self.mixed.count)

            try await browser.analyzeAll()
            let clear = try await browser.clearPhotos()
            try #require(!clear.isEmpty)
            let albumMark = await flow.lastSequence()
            for fault in [
                FakeFault(pathPrefix: "/photoslibrary/v1/albums", method: "POST", count: 1, status: 503),
                FakeFault(
                    pathPrefix: "/photoslibrary/v1/uploads", method: "POST", count: 1, status: 429, retryAfter: 1),
                FakeFault(pathPrefix: "/photoslibrary/v1/uploads", method: "POST", count: 2, status: 503),
                FakeFault(
                    pathPrefix: "/photoslibrary/v1/mediaItems:batchCreate", method: "POST", count: 1, status: 429,
                    retryAfter: 1),
                FakeFault(
                    pathPrefix: "/photoslibrary/v1/mediaItems:batchCreate", method: "POST", count: 1, status: 500),
            ] { await flow.fake.addFault(fault) }
            await flow.fake.failNextBatchCreateItems(1)
            let started = try await browser.post("/api/v1/photos/google/unblurred-album/\(me)")
            try #require(started.status == 202, "\(started.summary)")
            let album = try await browser.waitAlbum(try #require(started.json["album_id"].string))
            #expect(album["status"].string == "done", "\(album.value)")
            #expect(album["done"].int == clear.count && album["failed"].int == 0, "\(album.value)")
            #expect(await flow.fake.activeFaults.isEmpty)
            #expect(await flow.requests(since: albumMark).filter { $0.fault != nil }.count == 6)

            let state = await flow.fake.state()
            #expect(state.albums.count == 1)
            let names = clear.compactMap { $0["filename"].string }.sorted()
            #expect(state.albums.first?.items.map(\.filename).sorted() == names, "\(state.albums)")
            #expect(state.libraryItems.map(\.filename).sorted() == names, "created at Google more than once")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func deadBaseURLsAreRenewedByListingTheSessionAgain() async throws {
        try await GoogleFlow.run(workers: 1) { flow in
            let browser = flow.browser()
            try await browser.signIn()
            let sessionID = try await browser.newPickerSession()
            let names = Array(Self.mixed.prefix(4))
            try await flow.pick(sessionID, names)

            // The listing of the sync request hands out baseUrls; they die before any is fetched
            // (the first fetch is held at the fake until after the expiry).
            await flow.fake.addFault(FakeFault(pathPrefix: "/lh3/ppa/", method: "GET", count: 1, delayMs: 1000))
            let mark = await flow.lastSequence()
            let (jobID, _) = try await browser.sync(sessionID)
            #expect(await flow.fake.expireBaseURLs() >= names.count)
            let job = try await browser.waitJob(jobID)
            #expect(job["status"].string == "done" && job["done"].int == names.count, "\(job.value)")
            #expect(try await browser.photos().compactMap { $0["filename"].string }.sorted() == names.sorted())

            let log = await flow.requests(since: mark)
            #expect(log.contains { $0.path.hasPrefix("/lh3/ppa/") && $0.status == 403 })
            #expect(
                log.filter { $0.path == "/photospicker/v1/mediaItems" }.count >= 2, "the session was not listed again")
            #expect(log.filter { $0.path.hasPrefix("/lh3/ppa/") && $0.status == 200 }.count == names.count)
        }
    }

    // MARK: 12. Resuming an album after SIGKILL

    @Test(.timeLimit(.minutes(2)))
    func anAlbumKilledMidBatchResumesWithoutDuplicates() async throws {
        try await GoogleFlow.run(workers: 1, environment: ["JOB_LEASE_SECONDS": "2"]) { flow in
            let alice = flow.browser()
            try await alice.signIn()
            let me = try await alice.userID()
            let (_, job) = try await flow.pickAndSync(alice, Self.mixed)
            #expect(job["done"].int == Self.mixed.count)
            try await alice.analyzeAll()
            let clear = try await alice.clearPhotos()
            try #require(!clear.isEmpty)
            let names = clear.compactMap { $0["filename"].string }.sorted()

            // batchCreate is held at Google; the server dies while waiting for its answer.
            await flow.fake.addFault(
                FakeFault(
                    pathPrefix: "/photoslibrary/v1/mediaItems:batchCreate", method: "POST", count: 1, delayMs: 2500))
            let started = try await alice.post("/api/v1/photos/google/unblurred-album/\(me)")
            try #require(started.status == 202, "\(started.summary)")
            let albumID = try #require(started.json["album_id"].string)
            try await eventually("batchCreate reaches Google", seconds: 30) { await flow.fake.activeFaults.isEmpty }
            flow.kill()
            // The dead server had sent the batch and recorded no answer.
            let states = try flow.sqlite("photos").query("SELECT DISTINCT state FROM album_items")
            #expect(states == "creating", "album items at the kill: \(states)")
            // Google finished the batch although nobody heard the answer.
            try await eventually("the held batchCreate lands") {
                await flow.fake.log().contains { $0.path == "/photoslibrary/v1/mediaItems:batchCreate" }
            }
            #expect(await flow.fake.state().albums.first?.items.count == clear.count)

            // Restart on the same DATA_DIR; the album check is slowed so the job is surely still
            // running when the person presses the button again.
            await flow.fake.addFault(
                FakeFault(pathPrefix: "/photoslibrary/v1/mediaItems:search", method: "POST", count: 1, delayMs: 2500))
            let mark = await flow.lastSequence()
            try await flow.restart()
            let resumed = try await alice.post("/api/v1/photos/google/unblurred-album/\(me)")
            #expect(resumed.status == 202 && resumed.json["album_id"].string == albumID, "\(resumed.summary)")
            let album = try await alice.waitAlbum(albumID, seconds: 60)
            #expect(album["status"].string == "done", "\(album.value)")
            #expect(album["done"].int == clear.count && album["failed"].int == 0, "\(album.value)")

            let state = await flow.fake.state()
            #expect(state.albums.count == 1)
            #expect(state.albums.first?.items.map(\.filename).sorted() == names, "\(state.albums)")
            #expect(state.libraryItems.map(\.filename).sorted() == names, "created at Google more than once")
            let log = await flow.requests(since: mark)
            #expect(log.contains { $0.path == "/photoslibrary/v1/mediaItems:search" }, "the album was not checked")
            #expect(!log.contains { $0.path == "/photoslibrary/v1/mediaItems:batchCreate" }, "the batch was sent again")
        }
    }

    /// A Google call that waits longer than the job lease (Retry-After) must not let a second
    /// worker run the same album at the same time.
    @Test(.timeLimit(.minutes(1)))
    func anAlbumWaitingLongerThanItsLeaseIsNotRunTwice() async throws {
        try await GoogleFlow.run(workers: 2, environment: ["JOB_LEASE_SECONDS": "1"]) { flow in
            let alice = flow.browser()
            try await alice.signIn()
            let me = try await alice.userID()
            _ = try await flow.pickAndSync(alice, ["sharp-cat.jpg", "sharp-astronaut.jpg", "sharp-rocket.jpg"])
            try await alice.analyzeAll()
            let clear = try await alice.clearPhotos()
            try #require(!clear.isEmpty)
            let retryAfter = 2
            await flow.fake.addFault(
                FakeFault(
                    pathPrefix: "/photoslibrary/v1/mediaItems:batchCreate", method: "POST", count: 1, status: 429,
                    retryAfter: retryAfter))
            let started = try await alice.post("/api/v1/photos/google/unblurred-album/\(me)")
            try #require(started.status == 202, "\(started.summary)")
            // The worker that met the 429 wakes up after Retry-After: look only after that.
            let settled = Date().addingTimeInterval(Double(retryAfter) + 1.5)
            let album = try await alice.waitAlbum(try #require(started.json["album_id"].string))
            #expect(album["status"].string == "done" && album["done"].int == clear.count, "\(album.value)")
            if settled > Date() { try await Task.sleep(for: .milliseconds(Int(settled.timeIntervalSinceNow * 1000))) }
            let state = await flow.fake.state()
            let names = clear.compactMap { $0["filename"].string }.sorted()
            #expect(state.albums.first?.items.map(\.filename).sorted() == names, "\(state.albums)")
            #expect(state.libraryItems.count == clear.count, "created at Google more than once")
            let batches = await flow.fake.log().filter { $0.path == "/photoslibrary/v1/mediaItems:batchCreate" }
            #expect(batches.count == 2, "batchCreate calls: \(batches.map(\.status))")
        }
    }

    // MARK: 13. Another person's things

    @Test(.timeLimit(.minutes(2)))
    func anotherPersonsPhotosSessionsJobsAndAlbumsAreNotFound() async throws {
        try await GoogleFlow.run { flow in
            let alice = flow.browser(), bob = flow.browser()
            try await alice.signIn(user: "alice@example.com")
            try await bob.signIn(user: "bob@example.com")
            let aliceID = try await alice.userID(), bobID = try await bob.userID()
            #expect(aliceID != bobID)

            let (sessionID, job) = try await flow.pickAndSync(alice, ["sharp-cat.jpg", "defocus-cat.jpg"])
            let jobID = try #require(job["job_id"].string)
            try await alice.analyzeAll()
            let photoID = try #require(try await alice.photos().first?["id"].string)
            let started = try await alice.post("/api/v1/photos/google/unblurred-album/\(aliceID)")
            try #require(started.status == 202, "\(started.summary)")
            let albumID = try #require(started.json["album_id"].string)
            let bobsSession = try await bob.newPickerSession()

            let probes: [(String, String, String?)] = [
                ("GET", "/api/v1/photos/\(photoID)", nil),
                ("GET", "/api/v1/photos/\(photoID)/image", nil),
                ("GET", "/api/v1/photos/\(photoID)/image?size=original", nil),
                ("GET", "/api/v1/photos/\(photoID)/result", nil),
                ("POST", "/api/v1/photos/\(photoID)/analyze", nil),
                ("DELETE", "/api/v1/photos/\(photoID)", nil),
                ("POST", "/api/v1/blur/analyze-batch", #"{"photo_ids":["\#(photoID)"]}"#),
                ("GET", "/api/v1/blur/jobs/\(jobID)", nil),
                ("GET", "/api/v1/photos/google/albums/\(albumID)", nil),
                ("POST", "/api/v1/photos/google/unblurred-album/\(aliceID)", nil),
                ("GET", "/api/v1/photos/google/picker-sessions/\(sessionID)", nil),
                ("POST", "/api/v1/photos/google/picker-sessions/\(sessionID)/sync", nil),
            ]
            for (method, path, body) in probes {
                let answer = try await bob.send(method, path, json: body)
                #expect(answer.status == 404, "bob's \(method) \(path) answered \(answer.summary)")
            }
            #expect(try await bob.photos().isEmpty)
            // Alice's things are untouched; Bob's own session is his.
            #expect(try await alice.get("/api/v1/photos/\(photoID)/result").status == 200)
            #expect(try await alice.get("/api/v1/photos/google/albums/\(albumID)").status == 200)
            #expect(try await bob.get("/api/v1/photos/google/picker-sessions/\(bobsSession)").status == 200)
            #expect(try await alice.get("/api/v1/photos/google/picker-sessions/\(bobsSession)").status == 404)
            _ = try await alice.waitAlbum(albumID)
            let state = await flow.fake.state()
            #expect(state.albums.allSatisfy { $0.user == "alice@example.com" })
            #expect(state.sessions.filter { $0.user == "bob@example.com" }.map(\.id) == [bobsSession])
        }
    }

    // MARK: 14. No route fetches a URL; no secret in the log

    @Test(.timeLimit(.minutes(1)))
    func craftedIDsFetchNothingAndNoSecretReachesTheLog() async throws {
        try await GoogleFlow.run(workers: 1, environment: ["LOG_LEVEL": "trace"]) { flow in
            let alice = flow.browser()
            let signIn = try await alice.signIn()
            let me = try await alice.userID()
            // A refresh and a dead baseUrl, so those paths log too.
            let sessionID = try await alice.newPickerSession()
            try await flow.pick(sessionID, ["sharp-cat.jpg", "defocus-cat.jpg"])
            _ = await flow.fake.expireTokens(kind: "access")
            await flow.fake.addFault(FakeFault(pathPrefix: "/lh3/ppa/", method: "GET", count: 1, delayMs: 1000))
            let (jobID, _) = try await alice.sync(sessionID)
            _ = await flow.fake.expireBaseURLs()
            #expect(try await alice.waitJob(jobID)["done"].int == 2)
            try await eventually("the picker session is deleted") {
                await flow.fake.state().sessions.first { $0.id == sessionID }?.deleted == true
            }
            // A sign-in refused for its state, with a code in the URL.
            _ = try await flow.browser().get("\(flow.redirectURI)?code=4%2Fleaked-code&state=nope")

            let target = flow.fakeBase + "/photospicker/v1/sessions"
            let encoded = HTTP.encodeSegment(target)
            let mark = await flow.lastSequence()
            let probes: [(String, String, String?)] = [
                ("GET", "/api/v1/photos/\(encoded)", nil),
                ("GET", "/api/v1/photos/\(encoded)/image", nil),
                ("GET", "/api/v1/photos/\(encoded)/image?size=original", nil),
                ("GET", "/api/v1/photos/..%2F..%2Fetc%2Fpasswd/image", nil),
                ("GET", "/api/v1/photos/%2E%2E%2F%2E%2E%2Fauth.sqlite/image", nil),
                ("POST", "/api/v1/photos/\(encoded)/analyze", nil),
                ("GET", "/api/v1/photos/google/picker-sessions/\(encoded)", nil),
                ("POST", "/api/v1/photos/google/picker-sessions/\(encoded)/sync", nil),
                ("GET", "/api/v1/photos/google/picker-sessions/..%2F..%2Ffake%2Fstate", nil),
                ("GET", "/api/v1/photos/google/albums/\(encoded)", nil),
                ("POST", "/api/v1/photos/google/unblurred-album/\(encoded)", nil),
                ("GET", "/api/v1/blur/jobs/\(encoded)", nil),
                ("POST", "/api/v1/blur/analyze-batch", #"{"photo_ids":["\#(target)"]}"#),
            ]
            for (method, path, body) in probes {
                let answer = try await alice.send(method, path, json: body)
                // `..` in a path is refused before any route (400); everything else is not found.
                let expected = path.contains("..") || path.contains("%2E%2E") ? [400, 404] : [404]
                #expect(expected.contains(answer.status), "\(method) \(path) answered \(answer.summary)")
            }
            let imported = try await alice.post("/api/v1/photos/import", #"{"path":"\#(target)"}"#)
            #expect(!(200..<300).contains(imported.status), "import answered \(imported.summary)")
            #expect(await flow.requests(since: mark).isEmpty, "the server called Google for a crafted id")

            // What the log must not show.
            let tokens = try flow.storedTokens(userID: me)
            let baseURLs = try flow.sqlite("photos").query("SELECT base_url FROM google_items").split(separator: "\n")
            #expect(baseURLs.count == 2)
            flow.server.terminate()
            #expect(flow.server.waitForExit(seconds: 10))
            let log = flow.serverLog()
            #expect(log.contains("/api/v1/photos/google/picker-sessions"), "the log shows no requests")
            let secrets: [(String, String)] = [
                ("access token", tokens.access), ("refresh token", tokens.refresh), ("code", signIn.code),
                ("state", signIn.state), ("refused code", "leaked-code"), ("session cookie", alice.sessionCookie ?? ""),
                ("CSRF token", alice.csrf ?? ""), ("TOKEN_ENCRYPTION_KEY", flow.key),
                ("client secret", GoogleFlow.clientSecret),
            ]
            for (name, secret) in secrets where !secret.isEmpty {
                let leaked = log.contains(secret)
                #expect(!leaked, "the server log contains the \(name)")
            }
        }
    }

    // MARK: 15. Tokens are sealed at rest, and the key is required

    @Test(.timeLimit(.minutes(1)))
    func googleWithoutTokenEncryptionKeyDoesNotStart() throws {
        let work = try TemporaryDirectory()
        defer { work.remove() }
        for key in [nil, "too-short-to-be-a-key"] {
            var environment = GoogleFlow.googleEnvironment("http://127.0.0.1:9")
            environment["PORT"] = String(try KillRecoveryTests.freePort())
            environment["DATA_DIR"] = work.path + "/data"
            if let key { environment["TOKEN_ENCRYPTION_KEY"] = key }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: HostileInputTests.classifyBinary)
            process.arguments = ["serve"]
            process.environment = environment
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = errors
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0, "serve started without a usable TOKEN_ENCRYPTION_KEY")
            #expect(text.contains("TOKEN_ENCRYPTION_KEY"), "\(text)")
            if let key { #expect(!text.contains(key), "the error shows the key") }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func signingOutRevokesTheGrantAtGoogle() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            try await browser.signIn()
            let tokens = try flow.storedTokens(userID: try await browser.userID())
            let mark = await flow.lastSequence()
            let out = try await browser.post("/api/v1/auth/logout")
            #expect(out.status == 204, "\(out.summary)")
            #expect(await flow.requests(since: mark).contains { $0.path == "/revoke" && $0.status == 200 })
            let info = try await HTTP.send(
                "GET", flow.fakeBase + "/v1/userinfo", headers: [("Authorization", "Bearer \(tokens.access)")])
            #expect(info.status == 401, "the access token still works after sign-out")
            #expect(await flow.fake.state().liveRefreshTokens == 0)
            #expect(try flow.sqlite("auth").query("SELECT COUNT(*) FROM google_accounts") == "0")
            #expect(try await browser.get("/api/v1/google/status").status == 401)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func googleTokensAreSealedAtRest() async throws {
        try await GoogleFlow.run { flow in
            let browser = flow.browser()
            try await browser.signIn()
            let me = try await browser.userID()
            let tokens = try flow.storedTokens(userID: me)
            #expect(tokens.access.hasPrefix("ya29.") && tokens.refresh.hasPrefix("1//"))
            // They are the live tokens Google issued.
            let info = try await HTTP.send(
                "GET", flow.fakeBase + "/v1/userinfo", headers: [("Authorization", "Bearer \(tokens.access)")])
            #expect(info.status == 200 && info.json["email"].string == "alice@example.com", "\(info.summary)")

            let row = try flow.sqlite("auth").query("SELECT * FROM google_accounts")
            #expect(!row.isEmpty)
            #expect(!row.contains(tokens.access) && !row.contains(tokens.refresh))
            // Nowhere in the databases' files either (WAL included).
            let files = try FileManager.default.contentsOfDirectory(atPath: flow.dataDir).filter {
                $0.contains(".sqlite")
            }
            #expect(files.contains("auth.sqlite"))
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: flow.dataDir + "/" + file))
                for secret in [tokens.access, tokens.refresh] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds a token in clear")
                }
            }
        }
    }
}

/// Polls `condition` until it holds, failing the test after `seconds`.
func eventually(
    _ what: String, seconds: Double = 10, _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("not within \(seconds) s: \(what)")
    throw GoogleFlowError.timedOut(what)
}
