import ClassifyCore
import ClassifyServices
import ClassifyStore
import Foundation
import Hummingbird
import ImageDecoding

@testable import ClassifyWeb

/// The gateway wired as ClassifyApp wires it, on a temporary SQLite auth database.
enum TestApp {
    /// What a test needs besides the HTTP client: the services behind the routes.
    struct Parts: Sendable {
        let tokens: TokenService
        let sessions: SessionService
        let users: UserRepository
        let library: PhotoLibrary
        let photos: LocalPhotosService
        let worker: AnalysisWorker
        let tags: TagRepository
        /// Every route the router registered, as "GET /api/v1/photos/{id}" (OpenAPITests).
        var routes: [String] = []
    }

    static func with(
        localPassword: String? = nil, signInAttempts: Int = 1000, checks: [HealthController.Check] = [],
        services: [HealthController.ServiceCheck] = [], uploadLimits: PhotosController.UploadLimits = .init(),
        decodeLimits: DecodeLimits = .standard,
        _ body: @Sendable (Application<RouterResponder<ClassifyRequestContext>>, Parts) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let authStore = try await StoreConnection.open(
            url: "sqlite:" + directory.appendingPathComponent("auth.sqlite").path)
        let photoStore = try await StoreConnection.open(
            url: "sqlite:" + directory.appendingPathComponent("photos.sqlite").path)
        try await Migrator.migrate(authStore, Schema.auth)
        try await Migrator.migrate(photoStore, Schema.photos)
        let users = UserRepository(store: authStore)
        let tokens = try await TokenService(secret: Array(repeating: 7, count: 32), users: users)
        let sessions = SessionService(secret: Array(repeating: 7, count: 32), users: users)
        let limiter = SignInLimiter(attempts: signInAttempts)
        let photos = PhotoRepository(store: photoStore)
        let queue = SQLJobQueue(store: photoStore)
        let library = PhotoLibrary(
            photos: photos, directory: directory.appendingPathComponent("photos"),
            decoder: ImageDecoder(limits: decodeLimits))
        let photosService = LocalPhotosService(
            repository: photos, library: library, tags: TagRepository(store: photoStore))
        let router = try await WebRouter.build(
            .init(
                auth: LocalAuthService(tokens: tokens, users: users, localPassword: localPassword),
                photos: photosService,
                blur: QueueBlurService(queue: queue, photos: photos), source: nil, sessions: sessions,
                limiter: limiter, uploadLimits: uploadLimits),
            health: HealthController(
                version: "test", checks: checks, services: services, workers: 1, queueDepth: { try await queue.depth() }
            ),
            page: .init(
                version: "test", localMode: true, googleConfigured: false, localPassword: localPassword,
                importDirectory: directory.path, secureCookies: false))
        var parts = Parts(
            tokens: tokens, sessions: sessions, users: users, library: library, photos: photosService,
            worker: AnalysisWorker(queue: queue, photos: photos, library: library, owner: "test"),
            tags: TagRepository(store: photoStore))
        parts.routes = router.routes.map(\.description)
        do {
            try await body(Application(router: router), parts)
            try await authStore.shutdown()
            try await photoStore.shutdown()
        } catch {
            try? await authStore.shutdown()
            try? await photoStore.shutdown()
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
