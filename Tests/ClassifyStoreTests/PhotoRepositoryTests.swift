import BlurDetection
import ClassifyCore
import Testing

@testable import ClassifyStore

/// The same suite on SQLite and on a real PostgreSQL.
@Suite struct PhotoRepositoryTests {
    static func photo(_ id: String, user: String = "alice", hash: String? = nil, time: Int64) -> Photo {
        Photo(
            id: id, userID: user, filename: "\(id).jpg", contentHash: hash ?? "hash-\(id)", mimeType: "image/jpeg",
            byteSize: 1000, width: 640, height: 480, createdTime: time, importedAt: time)
    }

    static func analysis(_ score: Double) -> PhotoAnalysis {
        PhotoAnalysis(
            blurScore: score, likelyType: .motion, directionDegrees: 30, processingTimeMs: 7.5,
            sharpnessMap: SharpnessMap(columns: 2, rows: 1, values: [0.9, nil]), analyzedAt: 42)
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func migrationsApplyOnce(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let first = try await Migrator.migrate(store, Schema.photos)
            let second = try await Migrator.migrate(store, Schema.photos)
            #expect(first == Schema.photos.map(\.id))
            #expect(second == [])
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func sameBytesGiveTheSamePhotoAndOwnersAreSeparate(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.photos)
            let photos = PhotoRepository(store: store)
            let first = try await photos.insert(Self.photo("p1", hash: "same", time: 10))
            let again = try await photos.insert(Self.photo("p2", hash: "same", time: 11))
            #expect(first.created && !again.created)
            #expect(again.photo.id == "p1")
            let bob = try await photos.insert(Self.photo("p3", user: "bob", hash: "same", time: 12))
            #expect(bob.created)
            #expect(try await photos.photo(id: "p1", userID: "bob") == nil)
            #expect(try await photos.delete(id: "p1", userID: "bob") == nil)
            #expect(try await photos.photo(id: "p1", userID: "alice")?.filename == "p1.jpg")
            #expect(try await photos.delete(id: "p1", userID: "alice") == "same")
            #expect(try await photos.photo(id: "p1", userID: "alice") == nil)
            // Bob's photo still has the bytes; once it goes, nobody has them.
            #expect(try await photos.hasContent("same"))
            #expect(try await photos.delete(id: "p3", userID: "bob", now: 20) == "same")
            #expect(try await photos.hasContent("same") == false)
            // Each delete noted the hash until its bytes are dealt with.
            #expect(try await photos.releasedContent(before: 19).isEmpty)
            #expect(try await photos.releasedContent(before: 20) == ["same"])
            try await photos.forgetReleased("same")
            #expect(try await photos.releasedContent(before: .max).isEmpty)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func filtersFollowTheThresholdAndPagesAreStable(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.photos)
            let photos = PhotoRepository(store: store)
            for index in 0..<7 {
                _ = try await photos.insert(Self.photo("p\(index)", time: Int64(100 + index / 2)))
            }
            try await photos.saveAnalysis(Self.analysis(0.9), photoID: "p0", userID: "alice")
            try await photos.saveAnalysis(Self.analysis(0.6), photoID: "p1", userID: "alice")
            try await photos.saveAnalysis(Self.analysis(0.2), photoID: "p2", userID: "alice")
            // Idempotent, and never across owners.
            try await photos.saveAnalysis(Self.analysis(0.2), photoID: "p2", userID: "alice")
            #expect(try await photos.saveAnalysis(Self.analysis(0.99), photoID: "p3", userID: "bob") == false)

            let ids = { (list: [Photo]) in list.map(\.id) }
            #expect(
                ids(try await photos.list(userID: "alice", filter: .blurred, threshold: 0.5, limit: 50).photos) == [
                    "p1", "p0",
                ])
            #expect(
                ids(try await photos.list(userID: "alice", filter: .blurred, threshold: 0.7, limit: 50).photos) == [
                    "p0"
                ])
            #expect(
                ids(try await photos.list(userID: "alice", filter: .notBlurred, threshold: 0.7, limit: 50).photos) == [
                    "p2", "p1",
                ])
            #expect(
                try await photos.list(userID: "alice", filter: .unprocessed, threshold: 0.5, limit: 50).photos.count
                    == 4)
            #expect(
                try await photos.counts(userID: "alice", threshold: 0.5) == [
                    .all: 7, .blurred: 2, .notBlurred: 1, .unprocessed: 4,
                ])

            // Newest first, ties broken by id; walking the pages sees each photo once.
            var seen: [String] = []
            var cursor: PhotoRepository.Cursor? = nil
            repeat {
                let page = try await photos.list(userID: "alice", filter: .all, threshold: 0.5, limit: 3, after: cursor)
                seen += ids(page.photos)
                cursor = page.next
            } while cursor != nil
            #expect(seen == ["p6", "p5", "p4", "p3", "p2", "p1", "p0"])

            let stored = try #require(try await photos.photo(id: "p0", userID: "alice")?.analysis)
            #expect(stored == Self.analysis(0.9))
        }
    }

    @Test func cursorTextRoundTrips() {
        let cursor = PhotoRepository.Cursor(createdTime: 1_700_000_000_123, id: "abc_def")
        #expect(PhotoRepository.Cursor(cursor.description) == cursor)
        #expect(PhotoRepository.Cursor("nonsense") == nil)
        #expect(PhotoRepository.Cursor("12_") == nil)
    }
}
