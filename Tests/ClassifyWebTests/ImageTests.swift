import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImageDecoding
import Testing

@testable import ClassifyWeb

@Suite struct ImageTests {
    @Test func renditionsAreServedToTheOwnerOnly() async throws {
        try await TestApp.with { app, parts in
            let ids = try await PhotosAPITests.add(["rotated6-coffee.jpg"], user: "alice", parts)
            let id = try #require(ids["rotated6-coffee.jpg"])
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            let bob = try await PhotosAPITests.bearer(parts, "bob")
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/photos/\(id)/image?size=thumb", method: .get, headers: alice) {
                    #expect($0.status == .ok)
                    #expect($0.headers[.contentType] == "image/jpeg")
                    #expect($0.headers[.xContentTypeOptions] == "nosniff")
                    #expect($0.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                    // Upright (EXIF 6 applied): wider than tall, like the scene.
                    let probe = try ImageDecoder(limits: DecodeLimits(minimumSide: 1)).probe(Array(buffer: $0.body))
                    #expect(
                        probe.format == .jpeg && max(probe.width, probe.height) <= 320 && probe.width > probe.height)
                }
                try await client.execute(uri: "/api/v1/photos/\(id)/image?size=original", method: .get, headers: alice)
                {
                    let original = try Data(
                        contentsOf: PhotosAPITests.fixtures.appendingPathComponent("rotated6-coffee.jpg"))
                    #expect(Data(buffer: $0.body) == original)
                }
                try await client.execute(uri: "/api/v1/photos/\(id)/image?size=huge", method: .get, headers: alice) {
                    #expect($0.status == .badRequest)
                }
                try await client.execute(uri: "/api/v1/photos/\(id)/image?size=thumb", method: .get, headers: bob) {
                    #expect($0.status == .notFound)
                }
            }
        }
    }
}
