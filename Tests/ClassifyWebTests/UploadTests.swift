import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImageDecoding
import Testing

@testable import ClassifyWeb

@Suite struct UploadTests {
    static func form(_ files: [(name: String, filename: String, bytes: [UInt8])], boundary: String = "XyZ-b0undary")
        -> ByteBuffer
    {
        var body: [UInt8] = []
        for file in files {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ByteBuffer(bytes: body)
    }

    static func photo(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: PhotosAPITests.fixtures.appendingPathComponent(name)))
    }

    @Test func imagesAreStoredOnceAndTextIsRefused() async throws {
        try await TestApp.with { app, parts in
            var multipart = try await PhotosAPITests.bearer(parts, "alice")
            multipart[.contentType] = "multipart/form-data; boundary=XyZ-b0undary"
            let headers = multipart
            try await app.test(.router) { client in
                let cat = try Self.photo("sharp-cat.jpg")
                let body = Self.form([
                    ("file", "cat.jpg", cat), ("file", "../../etc/notes.jpg", Array("just text".utf8)),
                ])
                let created = try await client.execute(
                    uri: "/api/v1/photos/upload", method: .post, headers: headers, body: body
                ) {
                    #expect($0.status == .created)
                    return TestApp.decode($0.body)
                }
                let photos = created["photos"] as? [[String: Any]] ?? []
                #expect(photos.map { $0["filename"] as? String } == ["cat.jpg"])
                #expect(
                    (created["errors"] as? [[String: String]]) == [
                        ["filename": "../../etc/notes.jpg", "error": "not an image"]
                    ])
                // The same bytes again: the same photo.
                let again = try await client.execute(
                    uri: "/api/v1/photos/upload", method: .post, headers: headers,
                    body: Self.form([("file", "copy.jpg", cat)])
                ) { TestApp.decode($0.body) }
                #expect(
                    (again["photos"] as? [[String: Any]])?.first?["id"] as? String == photos.first?["id"] as? String)
                try await client.execute(
                    uri: "/api/v1/photos/upload", method: .post, headers: headers,
                    body: Self.form([("file", "notes.txt", Array("hello".utf8))])
                ) {
                    #expect($0.status == .unsupportedMediaType)
                    #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "not_an_image")
                }
                try await client.execute(uri: "/api/v1/photos", method: .get, headers: headers) {
                    #expect((TestApp.decode($0.body)["photos"] as? [Any])?.count == 1)
                }
            }
        }
    }

    @Test func notMultipartOrMalformedSaysSo() async throws {
        try await TestApp.with { app, parts in
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/photos/upload", method: .post, headers: alice, body: ByteBuffer(string: "x")
                ) {
                    #expect($0.status == .unsupportedMediaType)
                }
                var multipart = alice
                multipart[.contentType] = "multipart/form-data; boundary=abc"
                let headers = multipart
                try await client.execute(
                    uri: "/api/v1/photos/upload", method: .post, headers: headers,
                    body: ByteBuffer(string: "--abc\r\nbroken")
                ) {
                    #expect($0.status == .badRequest)
                    #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "bad_multipart")
                }
            }
        }
    }

    @Test func analyzeTrueQueuesTheNewPhotosAtOnce() async throws {
        try await TestApp.with { app, parts in
            var headers = try await PhotosAPITests.bearer(parts, "alice")
            headers[.contentType] = "multipart/form-data; boundary=XyZ-b0undary"
            let body = Self.form([
                ("file", "cat.jpg", try Self.photo("sharp-cat.jpg")),
                ("file", "blur.jpg", try Self.photo("motion-cat.jpg")),
            ])
            try await app.test(.router) { [headers] client in
                let plain = try await client.execute(
                    uri: "/api/v1/photos/upload", method: .post, headers: headers,
                    body: Self.form([("file", "c.jpg", try Self.photo("defocus-coffee.jpg"))])
                ) { TestApp.decode($0.body) }
                #expect(plain["job_id"] is NSNull)
                let created = try await client.execute(
                    uri: "/api/v1/photos/upload?analyze=true", method: .post, headers: headers, body: body
                ) {
                    #expect($0.status == .created)
                    return TestApp.decode($0.body)
                }
                let jobID = try #require(created["job_id"] as? String)
                while try await parts.worker.processNext() {}
                try await client.execute(uri: "/api/v1/blur/jobs/\(jobID)", method: .get, headers: headers) {
                    let job = TestApp.decode($0.body)
                    #expect(job["total"] as? Int == 2 && job["done"] as? Int == 2 && job["status"] as? String == "done")
                }
            }
        }
    }

    /// What uploads left in the incoming folder (nothing, once a request has ended).
    static func leftovers(_ parts: TestApp.Parts) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: parts.library.incomingDirectory.path)) ?? []
    }

    @Test func bodiesOverTheLimitsCutOffOrMalformedStoreNothing() async throws {
        try await TestApp.with(uploadLimits: .init(maxBytes: 200_000, maxFiles: 2)) { app, parts in
            var multipart = try await PhotosAPITests.bearer(parts, "alice")
            multipart[.contentType] = "multipart/form-data; boundary=XyZ-b0undary"
            let headers = multipart
            let cat = try Self.photo("sharp-cat.jpg")
            try await app.test(.router) { client in
                func send(_ body: ByteBuffer, _ status: HTTPResponse.Status, _ code: String) async throws {
                    try await client.execute(uri: "/api/v1/photos/upload", method: .post, headers: headers, body: body)
                    {
                        #expect($0.status == status)
                        let error = TestApp.decode($0.body)["error"] as? [String: String]
                        #expect(error?["code"] == code, "\(error ?? [:])")
                    }
                }
                try await send(
                    Self.form([("file", "cat.jpg", cat), ("file", "hubble.jpg", try Self.photo("sharp-hubble.jpg"))]),
                    .contentTooLarge, "too_large")
                try await send(
                    Self.form([
                        ("file", "1.jpg", cat), ("file", "2.jpg", try Self.photo("motion-cat.jpg")),
                        ("file", "3.jpg", try Self.photo("defocus-cat.jpg")),
                    ]),
                    .contentTooLarge, "too_many_files")
                var cutOff = Self.form([("file", "cat.jpg", cat)])
                cutOff.moveWriterIndex(to: cutOff.writerIndex - "--XyZ-b0undary--\r\n".utf8.count)
                try await send(cutOff, .badRequest, "bad_multipart")
                try await send(ByteBuffer(string: "--XyZ-b0undary\r\ngarbage"), .badRequest, "bad_multipart")
                try await send(Self.form([("note", "", Array("hello".utf8))]), .badRequest, "no_file")
                try await client.execute(uri: "/api/v1/photos", method: .get, headers: headers) {
                    #expect((TestApp.decode($0.body)["photos"] as? [Any])?.count == 0)
                }
            }
            #expect(Self.leftovers(parts) == [])
        }
    }

    @Test func eachFileIsJudgedOnItsOwnAndStoredByteForByte() async throws {
        try await TestApp.with(decodeLimits: DecodeLimits(maxFileBytes: 60_000)) { app, parts in
            var multipart = try await PhotosAPITests.bearer(parts, "alice")
            multipart[.contentType] = "multipart/form-data; boundary=XyZ-b0undary"
            let headers = multipart
            let cat = try Self.photo("sharp-cat.jpg")
            try await app.test(.router) { client in
                let created = try await client.execute(
                    uri: "/api/v1/photos/upload", method: .post, headers: headers,
                    body: Self.form([
                        ("file", "coffee.jpg", try Self.photo("sharp-coffee.jpg")), ("file", "empty.jpg", []),
                        ("note", "", Array("ignored".utf8)), ("file", "cat.jpg", cat),
                    ])
                ) {
                    #expect($0.status == .created)
                    return TestApp.decode($0.body)
                }
                #expect(
                    (created["errors"] as? [[String: String]]) == [
                        ["filename": "coffee.jpg", "error": "file too large (0.1 MB; limit 0.1 MB)"],
                        ["filename": "empty.jpg", "error": "empty file"],
                    ])
                let photos = try #require(created["photos"] as? [[String: Any]])
                #expect(photos.map { $0["filename"] as? String } == ["cat.jpg"])
                let id = try #require(photos.first?["id"] as? String)
                try await client.execute(
                    uri: "/api/v1/photos/\(id)/image?size=original", method: .get, headers: headers
                ) {
                    #expect(Array(buffer: $0.body) == cat)
                }
            }
            #expect(Self.leftovers(parts) == [])
        }
    }

    @Test func uploadsACrashInterruptedAreSweptAtStart() async throws {
        try await TestApp.with { _, parts in
            let folder = parts.library.incomingDirectory
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let old = folder.appendingPathComponent("upload-old").path
            let fresh = try parts.library.receive()
            #expect(FileManager.default.createFile(atPath: old, contents: Data("half".utf8)))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old)
            #expect(parts.library.sweepIncoming() == 1)
            #expect(Self.leftovers(parts) == [URL(fileURLWithPath: fresh.path).lastPathComponent])
        }
    }
}
