import ClassifyServices
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyWeb

/// Photos through the API: import real photos, queue analysis, let the worker run, read the
/// gallery, and check that nobody reaches another person's photos.
@Suite struct PhotosAPITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/photos").standardizedFileURL

    static func add(_ names: [String], user: String, _ parts: TestApp.Parts) async throws -> [String: String] {
        var ids: [String: String] = [:]
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
            ids[name] = try await parts.library.add(bytes, filename: name, userID: user).photo.id
        }
        return ids
    }

    static func bearer(_ parts: TestApp.Parts, _ user: String) async throws -> HTTPFields {
        _ = try await parts.users.ensureUser(id: user, email: nil, name: user, now: 0)
        return [.authorization: "Bearer \(try await parts.tokens.issue(userID: user, now: Date()).accessToken)"]
    }

    @Test func analyseABatchThenFilterTheGallery() async throws {
        try await TestApp.with { app, parts in
            let ids = try await Self.add(
                ["sharp-cat.jpg", "motion-cat.jpg", "defocus-coffee.jpg"], user: "alice", parts)
            let alice = try await Self.bearer(parts, "alice")
            try await app.test(.router) { client in
                let job = try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post, headers: alice, body: TestApp.json([:])
                ) { response in
                    #expect(response.status == .accepted)
                    return TestApp.decode(response.body)
                }
                #expect(job["total"] as? Int == 3 && job["status"] as? String == "queued")
                while try await parts.worker.processNext() {}
                try await client.execute(
                    uri: "/api/v1/blur/jobs/\(job["job_id"] as? String ?? "")", method: .get, headers: alice
                ) {
                    let status = TestApp.decode($0.body)
                    #expect(status["status"] as? String == "done" && status["done"] as? Int == 3)
                }
                let blurred = try await client.execute(
                    uri: "/api/v1/photos?filter=blurred", method: .get, headers: alice
                ) {
                    (TestApp.decode($0.body)["photos"] as? [[String: Any]] ?? []).compactMap {
                        $0["filename"] as? String
                    }
                }
                #expect(Set(blurred) == ["motion-cat.jpg", "defocus-coffee.jpg"])
                try await client.execute(
                    uri: "/api/v1/photos/\(ids["motion-cat.jpg"]!)/result", method: .get, headers: alice
                ) {
                    let result = TestApp.decode($0.body)
                    #expect(result["is_blurred"] as? Bool == true && result["blur_type"] as? String == "motion")
                    #expect(result["threshold"] as? Double == 0.5)
                    #expect((result["sharpness_map"] as? [String: Any])?["columns"] as? Int == 8)
                }
                try await client.execute(uri: "/api/v1/photos?filter=unprocessed", method: .get, headers: alice) {
                    #expect((TestApp.decode($0.body)["photos"] as? [Any])?.isEmpty == true)
                }
            }
        }
    }

    @Test func anotherPersonsPhotoIsNotFound() async throws {
        try await TestApp.with { app, parts in
            let ids = try await Self.add(["sharp-cat.jpg"], user: "alice", parts)
            let bob = try await Self.bearer(parts, "bob")
            let id = ids["sharp-cat.jpg"]!
            try await app.test(.router) { client in
                for (uri, method) in [
                    ("/api/v1/photos/\(id)", HTTPRequest.Method.get), ("/api/v1/photos/\(id)", .delete),
                    ("/api/v1/photos/\(id)/result", .get),
                ] {
                    try await client.execute(uri: uri, method: method, headers: bob) { #expect($0.status == .notFound) }
                }
                try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post, headers: bob,
                    body: TestApp.json(["photo_ids": [id]])
                ) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/v1/photos", method: .get, headers: bob) {
                    #expect((TestApp.decode($0.body)["photos"] as? [Any])?.isEmpty == true)
                }
                try await client.execute(uri: "/api/v1/photos", method: .get) { #expect($0.status == .unauthorized) }
            }
        }
    }

    @Test func aBrokenPhotoFailsItsItemNotTheBatch() async throws {
        try await TestApp.with { app, parts in
            let good = try await Self.add(["sharp-cat.jpg"], user: "alice", parts)
            // Accepted by its header, then truncated on disk: the analysis must fail cleanly.
            let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("sharp-coffee.jpg")))
            let broken = try await parts.library.add(bytes, filename: "broken.jpg", userID: "alice").photo
            try Data(bytes.prefix(bytes.count / 3)).write(to: parts.library.url(forHash: broken.contentHash))
            let alice = try await Self.bearer(parts, "alice")
            try await app.test(.router) { client in
                let job = try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post, headers: alice, body: TestApp.json([:])
                ) { TestApp.decode($0.body) }
                while try await parts.worker.processNext() {}
                try await client.execute(
                    uri: "/api/v1/blur/jobs/\(job["job_id"] as? String ?? "")", method: .get, headers: alice
                ) {
                    let status = TestApp.decode($0.body)
                    #expect(status["status"] as? String == "done")
                    #expect(status["done"] as? Int == 1 && status["failed"] as? Int == 1)
                    let errors = status["errors"] as? [[String: String]] ?? []
                    #expect(errors == [["photo_id": broken.id, "error": "truncated JPEG"]])
                }
                #expect(good.count == 1)
            }
        }
    }

    @Test func badQueriesSayWhy() async throws {
        try await TestApp.with { app, parts in
            let alice = try await Self.bearer(parts, "alice")
            try await app.test(.router) { client in
                for (query, code) in [
                    ("filter=sharpish", "bad_filter"), ("limit=0", "bad_limit"), ("cursor=xyz", "bad_cursor"),
                ] {
                    try await client.execute(uri: "/api/v1/photos?\(query)", method: .get, headers: alice) {
                        #expect($0.status == .badRequest)
                        #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == code)
                    }
                }
            }
        }
    }

    @Test func tagsAndCaptionsFilterAndSearchTheGallery() async throws {
        try await TestApp.with { app, parts in
            let alice = try await Self.bearer(parts, "alice")
            let ids = try await Self.add(["sharp-cat.jpg", "motion-cat.jpg"], user: "alice", parts)
            let cat = try #require(ids["sharp-cat.jpg"])
            _ = try await Self.bearer(parts, "bob")
            try await parts.tags.save(
                .init(
                    tags: ["balanced exposure", "cat", "indoor"], caption: "A cat on a low contrast sofa",
                    model: "gpt-4o-mini", promptTokens: 2900, completionTokens: 40),
                photoID: cat, userID: "alice", contentHash: "unused", cached: false, now: 1)
            try await app.test(.router) { client in
                // Forms and URLSearchParams send spaces as `+`; `%20` works too.
                for query in [
                    "tag=balanced+exposure", "tag=balanced%20exposure", "tag=CAT", "q=low+contrast", "q=Sofa%20cat",
                ] {
                    try await client.execute(uri: "/api/v1/photos?\(query)", method: .get, headers: alice) {
                        let photos = TestApp.decode($0.body)["photos"] as? [[String: Any]] ?? []
                        #expect(photos.map { $0["id"] as? String } == [cat], "\(query)")
                        #expect(photos.first?["tags"] as? [String] == ["balanced exposure", "cat", "indoor"])
                        #expect(photos.first?["caption"] as? String == "A cat on a low contrast sofa")
                    }
                }
                for query in ["tag=dog", "q=zebra", "tag=cat&filter=blurred"] {
                    try await client.execute(uri: "/api/v1/photos?\(query)", method: .get, headers: alice) {
                        #expect((TestApp.decode($0.body)["photos"] as? [Any])?.isEmpty == true, "\(query)")
                    }
                }
                // An untagged photo has empty tags and a null caption.
                try await client.execute(
                    uri: "/api/v1/photos/\(try #require(ids["motion-cat.jpg"]))", method: .get, headers: alice
                ) {
                    let photo = (TestApp.decode($0.body)["photos"] as? [[String: Any]])?.first
                    #expect(photo?["tags"] as? [String] == [] && photo?["caption"] is NSNull)
                }
            }
        }
    }

    @Test func analyseOnePhotoAndOnlyYourOwn() async throws {
        try await TestApp.with { app, parts in
            let ids = try await Self.add(["motion-cat.jpg"], user: "alice", parts)
            let alice = try await Self.bearer(parts, "alice")
            let bob = try await Self.bearer(parts, "bob")
            let id = ids["motion-cat.jpg"]!
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/photos/\(id)/analyze", method: .post, headers: bob) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/photos/\(id)/result", method: .get, headers: alice) {
                    #expect($0.status == .notFound)
                    #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "not_analysed")
                }
                let job = try await client.execute(uri: "/api/v1/photos/\(id)/analyze", method: .post, headers: alice) {
                    #expect($0.status == .accepted)
                    return TestApp.decode($0.body)
                }
                #expect(job["total"] as? Int == 1)
                #expect(try await parts.worker.processNext())
                #expect(try await parts.worker.processNext() == false)
                try await client.execute(uri: "/api/v1/photos/\(id)/result", method: .get, headers: alice) {
                    #expect($0.status == .ok)
                    #expect(TestApp.decode($0.body)["is_blurred"] as? Bool == true)
                }
                try await client.execute(
                    uri: "/api/v1/blur/jobs/\(job["job_id"] as? String ?? "")", method: .get, headers: bob
                ) { #expect($0.status == .notFound) }
            }
        }
    }

    @Test func allUnprocessedLeavesOutWhatIsAlreadyQueued() async throws {
        try await TestApp.with { app, parts in
            _ = try await Self.add(["sharp-cat.jpg", "motion-cat.jpg"], user: "alice", parts)
            let alice = try await Self.bearer(parts, "alice")
            try await app.test(.router) { client in
                for expected in [2, 0] {
                    try await client.execute(
                        uri: "/api/v1/blur/analyze-batch", method: .post, headers: alice, body: TestApp.json([:])
                    ) { #expect(TestApp.decode($0.body)["total"] as? Int == expected) }
                }
                var analysed = 0
                while try await parts.worker.processNext() { analysed += 1 }
                #expect(analysed == 2)
            }
        }
    }
}
