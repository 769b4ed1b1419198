import ClassifyCore
import Testing

@testable import ClassifyStore

/// Google sign-in state, picked items and albums on SQLite and on a real PostgreSQL.
@Suite struct GoogleRepositoryTests {
    @Test(arguments: TestDatabases.Engine.allCases)
    func aSignInStateWorksOnceAndNotAfterItExpires(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.auth)
            let accounts = GoogleAccountRepository(store: store)
            let pending = GoogleAccountRepository.PendingSignIn(
                sealedCodeVerifier: "sealed", nonce: "n", redirectURI: "http://127.0.0.1:8080/auth/google/callback")
            try await accounts.storeState(hash: "h1", pending, now: 0, expiresAt: 600_000)
            try await accounts.storeState(hash: "h2", pending, now: 0, expiresAt: 600_000)
            #expect(try await accounts.consumeState(hash: "h1", now: 1) == pending)
            #expect(try await accounts.consumeState(hash: "h1", now: 2) == nil)  // used
            #expect(try await accounts.consumeState(hash: "h2", now: 600_000) == nil)  // expired
            #expect(try await accounts.consumeState(hash: "unknown", now: 3) == nil)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func usersAreKeyedBySubAndARefreshKeepsTheStoredRefreshToken(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.auth)
            let accounts = GoogleAccountRepository(store: store)
            let first = try await accounts.ensureUser(sub: "111", email: "a@x", name: "A", newID: "g-1", now: 0)
            let again = try await accounts.ensureUser(sub: "111", email: "a2@x", name: "A2", newID: "g-2", now: 1)
            #expect(first.id == "g-1" && again.id == "g-1" && again.email == "a2@x")
            let other = try await accounts.ensureUser(sub: "222", email: "a2@x", name: "B", newID: "g-3", now: 2)
            #expect(other.id == "g-3")

            try await accounts.saveTokens(
                .init(
                    sealedAccessToken: "A1", accessExpiresAt: 10, sealedRefreshToken: "R1", scopes: "openid",
                    needsReauth: false), userID: "g-1", now: 3)
            try await accounts.markNeedsReauth(userID: "g-1", now: 4)
            #expect(try await accounts.tokens(userID: "g-1")?.needsReauth == true)
            // A refresh answer has no refresh token: the stored one stays; needs_reauth clears.
            try await accounts.saveTokens(
                .init(
                    sealedAccessToken: "A2", accessExpiresAt: 20, sealedRefreshToken: nil, scopes: "openid email",
                    needsReauth: false), userID: "g-1", now: 5)
            let stored = try #require(try await accounts.tokens(userID: "g-1"))
            #expect(stored.sealedAccessToken == "A2" && stored.sealedRefreshToken == "R1" && !stored.needsReauth)
            #expect(stored.scopes == "openid email" && stored.accessExpiresAt == 20)
            try await accounts.deleteTokens(userID: "g-1")
            #expect(try await accounts.tokens(userID: "g-1") == nil)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func pickedItemsAreRecordedOnceAndOnlyThoseWithoutAPhotoAreFetched(_ engine: TestDatabases.Engine)
        async throws
    {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.photos)
            let google = GooglePhotosRepository(store: store)
            let photos = PhotoRepository(store: store)
            try await google.addSession(id: "s1", userID: "alice", pickerURI: "http://p/s1", expireTime: 99, now: 0)
            #expect(try await google.session(id: "s1", userID: "bob") == nil)
            func item(_ id: String, url: String) -> GooglePhotosRepository.PickedItem {
                .init(
                    googlePhotoID: id, sessionID: "s1", baseURL: url, baseURLAt: 1, filename: "\(id).jpg",
                    mimeType: "image/jpeg", createTime: 5, width: 4000, height: 3000, camera: "SONY DSC")
            }
            try await google.upsertItems([item("m1", url: "u1"), item("m2", url: "u2")], userID: "alice")
            try await google.upsertItems([item("m1", url: "u1-new")], userID: "alice")
            #expect(try await google.item(googlePhotoID: "m1", userID: "alice")?.baseURL == "u1-new")
            #expect(try await google.item(googlePhotoID: "m1", userID: "bob") == nil)
            #expect(try await google.itemsWithoutPhoto(["m1", "m2"], userID: "alice") == ["m1", "m2"])

            var photo = PhotoRepositoryTests.photo("p1", time: 5)
            photo.googlePhotoID = "m1"
            photo.camera = "SONY DSC"
            let (stored, _) = try await photos.insert(photo)
            #expect(stored.googlePhotoID == "m1" && stored.camera == "SONY DSC")
            try await google.linkPhoto(googlePhotoID: "m1", photoID: "p1", userID: "alice")
            #expect(try await google.itemsWithoutPhoto(["m1", "m2"], userID: "alice") == ["m2"])
            // A deleted photo is fetched again on the next sync.
            #expect(try await photos.delete(id: "p1", userID: "alice") != nil)
            #expect(try await google.itemsWithoutPhoto(["m1", "m2"], userID: "alice") == ["m1", "m2"])

            #expect(try await google.markSessionDeleted(id: "s1", userID: "alice", now: 3))
            #expect(try await google.markSessionDeleted(id: "s1", userID: "alice", now: 4) == false)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func anAlbumKeepsEachPhotosStepAndResumesWithFailedAndNewPhotos(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.photos)
            let google = GooglePhotosRepository(store: store)
            try await google.addAlbum(
                id: "a1", userID: "alice", jobID: "j1", title: "T", photoIDs: ["p1", "p2", "p3"], now: 0)
            #expect(try await google.album(id: "a1", userID: "bob") == nil)
            try await google.setGoogleAlbum(id: "a1", googleAlbumID: "G1", productURL: "http://album")
            try await google.updateAlbumItem(
                albumID: "a1", photoID: "p1", state: "done", uploadToken: nil, uploadedAt: nil, mediaItemID: "M1",
                error: nil)
            try await google.updateAlbumItem(
                albumID: "a1", photoID: "p2", state: "failed", uploadToken: nil, uploadedAt: nil, mediaItemID: nil,
                error: "BAD_IMAGE")
            try await google.resumeAlbum(id: "a1", jobID: "j2", newPhotoIDs: ["p4", "p1"])
            let album = try #require(try await google.latestAlbum(userID: "alice"))
            #expect(album.jobID == "j2" && album.googleAlbumID == "G1" && album.productURL == "http://album")
            let items = try await google.albumItems(albumID: "a1")
            #expect(items.map(\.photoID) == ["p1", "p2", "p3", "p4"])
            #expect(items.map(\.state) == ["done", "pending", "pending", "pending"])
            #expect(items[0].mediaItemID == "M1" && items[1].error == nil)
        }
    }
}
