import ClassifyCore
import Hummingbird

/// `GET/PATCH /api/v1/users/me/settings` and `GET /api/v1/stats`. Changing the threshold
/// re-labels stored scores at once: nothing is analysed again.
public struct SettingsController: Sendable {
    let auth: any AuthService
    let photos: any PhotosService
    let tags: (any TagService)?

    public init(auth: any AuthService, photos: any PhotosService, tags: (any TagService)? = nil) {
        self.auth = auth
        self.photos = photos
        self.tags = tags
    }

    struct Settings: ResponseEncodable {
        let blur_threshold: Double
    }

    struct SettingsPatch: Decodable {
        let blur_threshold: Double?
    }

    struct Stats: ResponseEncodable {
        let threshold: Double
        let total: Int
        let blurred: Int
        let not_blurred: Int
        let unprocessed: Int
        let blur_types: [String: Int]
        let histogram: [Int]
        let mean_processing_ms: Double?
        let p95_processing_ms: Double?
        /// AI tags: on or off (and why), tag counts, tokens and estimated cost.
        let tagging: TagsController.Overview
    }

    func register(on api: RouterGroup<ClassifyRequestContext>) {
        api.get("users/me/settings") { _, context in
            Settings(blur_threshold: try await user(context).blurThreshold)
        }
        api.patch("users/me/settings") { request, context in
            let userID = try context.requireUser()
            let patch = try await request.decode(as: SettingsPatch.self, context: context)
            if let value = patch.blur_threshold {
                guard let threshold = BlurThreshold(value) else {
                    throw APIError(.badRequest, code: "bad_threshold", "blur_threshold must be between 0 and 1")
                }
                try await auth.setThreshold(threshold, userID: userID)
            }
            return Settings(blur_threshold: try await user(context).blurThreshold)
        }
        api.get("stats") { _, context in
            let user = try await user(context)
            let counts = try await photos.counts(userID: user.id, threshold: user.blurThreshold)
            let statistics = try await photos.statistics(userID: user.id, threshold: user.blurThreshold)
            return Stats(
                threshold: user.blurThreshold, total: counts[.all] ?? 0, blurred: counts[.blurred] ?? 0,
                not_blurred: counts[.notBlurred] ?? 0, unprocessed: counts[.unprocessed] ?? 0,
                blur_types: statistics.blurTypes, histogram: statistics.histogram,
                mean_processing_ms: statistics.meanProcessingMs, p95_processing_ms: statistics.p95ProcessingMs,
                tagging: try await TagsController.overview(tags, userID: user.id))
        }
    }

    func user(_ context: ClassifyRequestContext) async throws -> User {
        guard let user = try await auth.user(id: try context.requireUser()) else {
            throw APIError(.unauthorized, code: "unauthorized", "the account no longer exists")
        }
        return user
    }
}
