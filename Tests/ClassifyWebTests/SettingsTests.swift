import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyWeb

/// Moving the threshold re-labels the gallery and the statistics without re-analysis.
@Suite struct SettingsTests {
    @Test func theThresholdRelabelsStoredScores() async throws {
        try await TestApp.with { app, parts in
            _ = try await PhotosAPITests.add(
                ["sharp-cat.jpg", "motion-coffee.jpg", "defocus-cat.jpg"], user: "alice", parts)
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            try await app.test(.router) { client in
                _ = try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post, headers: alice, body: TestApp.json([:])
                ) { _ in }
                while try await parts.worker.processNext() {}
                let stats = {
                    try await client.execute(uri: "/api/v1/stats", method: .get, headers: alice) {
                        TestApp.decode($0.body)
                    }
                }
                let before = try await stats()
                #expect(
                    before["total"] as? Int == 3 && before["blurred"] as? Int == 2 && before["unprocessed"] as? Int == 0
                )
                #expect((before["histogram"] as? [Int])?.reduce(0, +) == 3)
                #expect((before["blur_types"] as? [String: Int])?.values.reduce(0, +) == 2)

                try await client.execute(
                    uri: "/api/v1/users/me/settings", method: .patch, headers: alice,
                    body: TestApp.json(["blur_threshold": 0.99])
                ) {
                    #expect($0.status == .ok)
                    #expect(TestApp.decode($0.body)["blur_threshold"] as? Double == 0.99)
                }
                let after = try await stats()
                #expect((after["blurred"] as? Int ?? 0) < 2)
                #expect(after["threshold"] as? Double == 0.99)
                try await client.execute(
                    uri: "/api/v1/users/me/settings", method: .patch, headers: alice,
                    body: TestApp.json(["blur_threshold": 1.5])
                ) {
                    #expect($0.status == .badRequest)
                    #expect((TestApp.decode($0.body)["error"] as? [String: String])?["code"] == "bad_threshold")
                }
            }
        }
    }
}
