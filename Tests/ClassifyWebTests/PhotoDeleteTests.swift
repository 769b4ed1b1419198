import ClassifyStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyServices
@testable import ClassifyWeb

/// Deleting a photo deletes its bytes and renditions from disk, once no photo of anyone has
/// the same bytes; an upload of the same bytes at that moment keeps its file.
@Suite struct PhotoDeleteTests {
    static let bytes = [UInt8](
        try! Data(contentsOf: PhotosAPITests.fixtures.appendingPathComponent("sharp-cat.jpg")))

    /// The stored file and the cached thumbnail of `hash`.
    static func files(_ parts: TestApp.Parts, _ hash: String) -> (original: String, thumb: String) {
        let original = parts.library.url(forHash: hash)
        let thumb = original.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("cache/\(hash)-thumb.jpg")
        return (original.path, thumb.path)
    }

    @Test func theLastDeleteOfTheSameBytesDeletesTheFiles() async throws {
        try await TestApp.with { app, parts in
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            let bob = try await PhotosAPITests.bearer(parts, "bob")
            let mine = try await parts.library.add(Self.bytes, filename: "cat.jpg", userID: "alice").photo
            let theirs = try await parts.library.add(Self.bytes, filename: "same.jpg", userID: "bob").photo
            let files = Self.files(parts, mine.contentHash)
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/photos/\(mine.id)/image?size=thumb", method: .get, headers: alice
                ) { #expect($0.status == .ok) }
                #expect(FileManager.default.fileExists(atPath: files.thumb))

                try await client.execute(uri: "/api/v1/photos/\(mine.id)", method: .delete, headers: alice) {
                    #expect($0.status == .noContent)
                }
                // Bob's photo has the same bytes: nothing leaves the disk yet.
                #expect(FileManager.default.fileExists(atPath: files.original))
                try await client.execute(
                    uri: "/api/v1/photos/\(theirs.id)/image?size=original", method: .get, headers: bob
                ) { #expect($0.status == .ok && $0.body.readableBytes == Self.bytes.count) }

                try await client.execute(uri: "/api/v1/photos/\(theirs.id)", method: .delete, headers: bob) {
                    #expect($0.status == .noContent)
                }
                #expect(!FileManager.default.fileExists(atPath: files.original))
                #expect(!FileManager.default.fileExists(atPath: files.thumb))
                // Nothing parked is left behind either.
                let incoming = try FileManager.default.contentsOfDirectory(atPath: parts.library.incomingDirectory.path)
                #expect(incoming.isEmpty)

                // The same bytes uploaded again are stored again.
                let again = try await parts.library.add(Self.bytes, filename: "cat.jpg", userID: "alice").photo
                try await client.execute(
                    uri: "/api/v1/photos/\(again.id)/image?size=original", method: .get, headers: alice
                ) { #expect($0.status == .ok && $0.body.readableBytes == Self.bytes.count) }
            }
        }
    }

    /// A delete that a crash cut off after the record went, before the files did, is
    /// finished by the sweep; a stored file that this database never released (a store
    /// folder next to another database) is left alone.
    @Test func theSweepFinishesCutOffDeletesAndNothingElse() async throws {
        try await TestApp.with { _, parts in
            let kept = try await parts.library.add(Self.bytes, filename: "cat.jpg", userID: "alice").photo
            let keptFiles = Self.files(parts, kept.contentHash)
            _ = try parts.library.rendition(of: kept, .thumb)
            let other = [UInt8](
                try Data(contentsOf: PhotosAPITests.fixtures.appendingPathComponent("motion-cat.jpg")))
            let cut = try await parts.library.add(other, filename: "motion.jpg", userID: "bob").photo
            let cutFiles = Self.files(parts, cut.contentHash)
            _ = try parts.library.rendition(of: cut, .thumb)
            let answer = TagRepository.Answer(
                tags: ["cat"], caption: "A cat", model: "m", promptTokens: 1, completionTokens: 1)
            for photo in [kept, cut] {
                try await parts.tags.save(
                    answer, photoID: photo.id, userID: photo.userID, contentHash: photo.contentHash, cached: false,
                    now: 1)
            }
            // The crash: the record and its note went, the files did not.
            let released = Int64(Date().timeIntervalSince1970 * 1000) - 120_000
            #expect(try await parts.library.photos.delete(id: cut.id, userID: "bob", now: released) == cut.contentHash)
            // Not ours: a stored file this database never released.
            let stranger = parts.library.url(forHash: String(repeating: "ab", count: 32))
            try FileManager.default.createDirectory(
                at: stranger.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(Self.bytes).write(to: stranger)

            // A release younger than the sweep's age may be running now: left for later.
            #expect(try await parts.library.sweepReleased(olderThan: 600) == 0)
            #expect(FileManager.default.fileExists(atPath: cutFiles.original))

            #expect(try await parts.library.sweepReleased(olderThan: 60) == 1)
            #expect(!FileManager.default.fileExists(atPath: cutFiles.original))
            #expect(!FileManager.default.fileExists(atPath: cutFiles.thumb))
            #expect(try await parts.tags.cached(contentHash: cut.contentHash, model: "m") == nil)
            #expect(try await parts.library.photos.releasedContent(before: .max).isEmpty)
            #expect(FileManager.default.fileExists(atPath: keptFiles.original))
            #expect(FileManager.default.fileExists(atPath: keptFiles.thumb))
            #expect(try await parts.tags.cached(contentHash: kept.contentHash, model: "m") != nil)
            #expect(FileManager.default.fileExists(atPath: stranger.path))
            #expect(try await parts.library.sweepReleased(olderThan: 0) == 0)
        }
    }

    /// A crash right after a delete moved the file aside, while another photo still has the
    /// same bytes: the sweep puts the file back.
    @Test func theSweepPutsBackAFileACrashLeftMovedAside() async throws {
        try await TestApp.with { _, parts in
            let mine = try await parts.library.add(Self.bytes, filename: "cat.jpg", userID: "alice").photo
            let theirs = try await parts.library.add(Self.bytes, filename: "same.jpg", userID: "bob").photo
            let original = Self.files(parts, mine.contentHash).original
            let released = Int64(Date().timeIntervalSince1970 * 1000) - 120_000
            #expect(try await parts.library.photos.delete(id: mine.id, userID: "alice", now: released) != nil)
            let parked = parts.library.incomingDirectory.appendingPathComponent("released-\(mine.contentHash)")
            try FileManager.default.createDirectory(
                at: parts.library.incomingDirectory, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: original, toPath: parked.path)
            #expect(throws: (any Error).self) { try parts.library.bytes(of: theirs) }

            #expect(try await parts.library.sweepReleased() == 1)
            #expect(try parts.library.bytes(of: theirs) == Self.bytes)
            #expect(!FileManager.default.fileExists(atPath: parked.path))
            #expect(try await parts.library.photos.releasedContent(before: .max).isEmpty)
        }
    }

    /// A photo deleted while a worker holds it (before its file is read, or before its result
    /// is written) ends its item at once as deleted: no retry, nothing left queued.
    @Test(arguments: [false, true])
    func aPhotoDeletedDuringItsAnalysisEndsItsItem(afterTheRead: Bool) async throws {
        try await TestApp.with { app, parts in
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            let photo = try await parts.library.add(Self.bytes, filename: "cat.jpg", userID: "alice").photo
            try await app.test(.router) { client in
                let job = try await client.execute(
                    uri: "/api/v1/photos/\(photo.id)/analyze", method: .post, headers: alice
                ) { TestApp.decode($0.body)["job_id"] as? String ?? "" }
                let claimed = try #require(try await parts.worker.claim())
                if afterTheRead {
                    let record = try await parts.worker.work(claimed)
                    #expect(try await parts.photos.delete(id: photo.id, userID: "alice"))
                    try await record()
                } else {
                    #expect(try await parts.photos.delete(id: photo.id, userID: "alice"))
                    try await parts.worker.work(claimed)()
                }
                try await client.execute(uri: "/api/v1/blur/jobs/\(job)", method: .get, headers: alice) {
                    let status = TestApp.decode($0.body)
                    #expect(status["status"] as? String == "failed" && status["failed"] as? Int == 1, "\(status)")
                    let errors = status["errors"] as? [[String: Any]] ?? []
                    #expect(errors.first?["error"] as? String == "the photo was deleted", "\(status)")
                }
                #expect(try await parts.worker.processNext() == false, "the item was queued again")
            }
        }
    }

    /// Alice deletes the last photo with these bytes while Bob uploads them, many times over:
    /// whichever runs first, Bob's photo must keep its file.
    @Test func anUploadRacingTheLastDeleteKeepsItsFile() async throws {
        try await TestApp.with { _, parts in
            let hash = try await parts.library.add(Self.bytes, filename: "cat.jpg", userID: "alice").photo.contentHash
            let original = Self.files(parts, hash).original
            for round in 0..<200 {
                let mine = try await parts.library.add(Self.bytes, filename: "cat.jpg", userID: "alice").photo
                async let deleted = parts.photos.delete(id: mine.id, userID: "alice")
                async let uploaded: Void = {
                    // Start the upload 0 to 2 ms after the delete, in steps of 50 µs from one
                    // round to the next, so its steps fall between each of the delete's.
                    let start = ContinuousClock.now + .microseconds(50 * (round % 40))
                    while ContinuousClock.now < start { await Task.yield() }
                    let file = try parts.photos.receive()
                    try Self.bytes.withUnsafeBytes { try file.write($0) }
                    _ = try await parts.photos.add(file, filename: "same.jpg", userID: "bob")
                }()
                #expect(try await deleted)
                try await uploaded
                #expect(FileManager.default.fileExists(atPath: original), "round \(round)")
                let theirs = try #require(
                    try await parts.photos.list(
                        userID: "bob", filter: .all, threshold: 0.5, limit: 10, cursor: nil, tag: nil, search: nil
                    ).photos.first)
                #expect(try await parts.photos.delete(id: theirs.id, userID: "bob"))
                #expect(!FileManager.default.fileExists(atPath: original), "round \(round)")
            }
        }
    }
}
