import ClassifyCore
import Testing

@testable import ClassifyStore

/// AI tags, their cache and usage, and listing by tag or text, on SQLite and PostgreSQL.
@Suite struct TagRepositoryTests {
    static func answer(_ tags: [String], _ caption: String, prompt: Int = 2900, completion: Int = 21)
        -> TagRepository.Answer
    {
        .init(tags: tags, caption: caption, model: "gpt-4o-mini", promptTokens: prompt, completionTokens: completion)
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func tagsReplaceOlderOnesAndTheCacheAndUsageRecordTheCost(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.photos)
            let photos = PhotoRepository(store: store)
            let tags = TagRepository(store: store)
            for (id, hash) in [("p1", "h1"), ("p2", "h2"), ("p3", "h1-bob")] {
                _ = try await photos.insert(
                    PhotoRepositoryTests.photo(id, user: id == "p3" ? "bob" : "alice", hash: hash, time: 1))
            }
            try await tags.save(
                Self.answer(["beach", "sea"], "A beach"), photoID: "p1", userID: "alice", contentHash: "h1",
                cached: false, now: 5)
            try await tags.save(
                Self.answer(["beach", "sunset", "sea"], "Sunset on a beach"), photoID: "p1", userID: "alice",
                contentHash: "h1", cached: false, now: 6)
            #expect(
                try await tags.tags(photoIDs: ["p1", "p2"], userID: "alice") == ["p1": ["beach", "sea", "sunset"]])
            #expect(try await tags.tags(photoIDs: ["p1"], userID: "bob").isEmpty)
            #expect(try await tags.cached(contentHash: "h1", model: "gpt-4o-mini")?.caption == "Sunset on a beach")
            #expect(try await tags.cached(contentHash: "h1", model: "other") == nil)
            // A cached answer costs nothing.
            try await tags.save(
                Self.answer(["dog", "park", "grass"], "A dog"), photoID: "p2", userID: "alice", contentHash: "h2",
                cached: true, now: 7)
            let usage = try #require(try await tags.usage(userID: "alice").first)
            #expect(usage.calls == 3 && usage.cachedCalls == 1)
            #expect(usage.promptTokens == 5800 && usage.completionTokens == 42)
            #expect(try await tags.taggedCount(userID: "alice") == 2)
            let counts = try await tags.tagCounts(userID: "alice")
            #expect(counts.first?.tag == "beach" && counts.first?.count == 1 && counts.count == 6)
            // Already tagged by the model: left out unless forced.
            #expect(
                try await tags.photoIDsToTag(
                    userID: "alice", filter: .all, threshold: 0.5, model: "gpt-4o-mini", force: false
                ).isEmpty)
            #expect(
                try await tags.photoIDsToTag(
                    userID: "alice", filter: .all, threshold: 0.5, model: "gpt-4o-mini", force: true
                ).sorted() == ["p1", "p2"])
            // Deleting a photo deletes its tags; the model's answer for its bytes is forgotten
            // once no photo has them.
            _ = try await photos.insert(PhotoRepositoryTests.photo("p4", user: "carol", hash: "h1", time: 1))
            #expect(try await photos.delete(id: "p1", userID: "alice") == "h1")
            #expect(try await tags.tags(photoIDs: ["p1"], userID: "alice").isEmpty)
            try await photos.forgetContent("h1")
            #expect(try await tags.cached(contentHash: "h1", model: "gpt-4o-mini") != nil)
            #expect(try await photos.delete(id: "p4", userID: "carol") == "h1")
            try await photos.forgetContent("h1")
            #expect(try await tags.cached(contentHash: "h1", model: "gpt-4o-mini") == nil)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func photosAreListedByTagAndByWordsInTagsOrCaption(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await Migrator.migrate(store, Schema.photos)
            let photos = PhotoRepository(store: store)
            let tags = TagRepository(store: store)
            for (index, id) in ["p1", "p2", "p3"].enumerated() {
                _ = try await photos.insert(PhotoRepositoryTests.photo(id, time: Int64(index)))
            }
            try await photos.saveAnalysis(PhotoRepositoryTests.analysis(0.9), photoID: "p2", userID: "alice")
            try await tags.save(
                Self.answer(["beach", "sea", "sand"], "Kids building a sandcastle"), photoID: "p1", userID: "alice",
                contentHash: "hash-p1", cached: false, now: 5)
            try await tags.save(
                Self.answer(["beach", "sunset", "sky"], "100% orange sky"), photoID: "p2", userID: "alice",
                contentHash: "hash-p2", cached: false, now: 5)
            func ids(tag: String? = nil, q: String? = nil, filter: PhotoFilter = .all) async throws -> [String] {
                try await photos.list(
                    userID: "alice", filter: filter, threshold: 0.5, limit: 50, tag: tag, search: q
                ).photos.map(\.id)
            }
            #expect(try await ids(tag: "beach") == ["p2", "p1"])
            #expect(try await ids(tag: "BEACH", filter: .blurred) == ["p2"])
            #expect(try await ids(tag: "beach", filter: .notBlurred).isEmpty)  // p1 unanalysed
            #expect(try await ids(q: "sandcastle") == ["p1"])
            #expect(try await ids(q: "Sky BEACH") == ["p2"])
            #expect(try await ids(q: "su") == ["p2"])  // part of a tag (sunset)
            #expect(try await ids(q: "100%") == ["p2"])  // % is a character, not a wildcard
            #expect(try await ids(q: "_").isEmpty)
            #expect(try await ids(q: "whale").isEmpty)
            #expect(try await photos.photo(id: "p1", userID: "alice")?.caption == "Kids building a sandcastle")
        }
    }
}
