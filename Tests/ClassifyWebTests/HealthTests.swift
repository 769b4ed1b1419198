import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyWeb

@Suite struct HealthTests {
    struct Down: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    @Test func liveAndReadyWhenEveryCheckAnswers() async throws {
        try await TestApp.with(checks: [.init(name: "photos_db") {}]) { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(TestApp.decode(response.body)["status"] as? String == "ok")
                }
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect((TestApp.decode(response.body)["checks"] as? [String: String]) == ["photos_db": "ok"])
                }
            }
        }
    }

    @Test func notReadyNamesTheFailingDependency() async throws {
        try await TestApp.with(checks: [.init(name: "photos_db") {}, .init(name: "queue") { throw Down() }]) { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = TestApp.decode(response.body)
                    #expect(body["status"] as? String == "not ready")
                    #expect((body["checks"] as? [String: String])?["queue"] == "failing: connection refused")
                }
            }
        }
    }
}
