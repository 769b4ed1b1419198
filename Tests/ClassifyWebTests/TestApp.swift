import ClassifyServices
import ClassifyStore
import Foundation
import Hummingbird

@testable import ClassifyWeb

/// The gateway wired as ClassifyApp wires it, on a temporary SQLite auth database.
enum TestApp {
    static func with(
        localPassword: String? = nil, checks: [HealthController.Check] = [],
        _ body: @Sendable (Application<RouterResponder<ClassifyRequestContext>>) async throws -> Void
    ) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try await StoreConnection.open(url: "sqlite:" + path)
        try await Migrator.migrate(store, Schema.auth)
        let users = UserRepository(store: store)
        let tokens = try await TokenService(secret: Array(repeating: 7, count: 32), users: users)
        let router = WebRouter.build(
            health: HealthController(version: "test", checks: checks),
            auth: AuthController(tokens: tokens, users: users, localPassword: localPassword))
        do {
            try await body(Application(router: router))
            try await store.shutdown()
        } catch {
            try? await store.shutdown()
            throw error
        }
    }

    static func json(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
    }

    static func decode(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }
}
