import ClassifyStore
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
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try await StoreConnection.open(url: "sqlite:" + path)
        let health = HealthController(
            version: "test",
            checks: [
                .init(name: "photos_db") { _ = try await store.sql.raw("SELECT 1").all() }
            ])
        let app = Application(router: WebRouter.build(health: health))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"status\":\"ok\""))
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"photos_db\":\"ok\""))
            }
        }
        try await store.shutdown()
    }

    @Test func notReadyNamesTheFailingDependency() async throws {
        let health = HealthController(
            version: "test",
            checks: [
                .init(name: "photos_db") {},
                .init(name: "queue") { throw Down() },
            ])
        let app = Application(router: WebRouter.build(health: health))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = String(buffer: response.body)
                #expect(body.contains("\"queue\":\"failing: connection refused\""))
                #expect(body.contains("\"status\":\"not ready\""))
            }
        }
    }
}
