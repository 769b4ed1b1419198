import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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

    @Test func boundaryParsing() {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(contentType: "application/json") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
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
}
