import ClassifyCore
import Foundation
import HTTPTypes
import Hummingbird

/// AI tags (issue 5): `POST /api/v1/photos/{id}/tag` (the seed's route) and
/// `POST /api/v1/tags/batch` queue tagging; `GET /api/v1/tags` says whether tagging is on, the
/// tags in use and what tagging cost. With tagging off they answer 503 with the reason.
struct TagsController: Sendable {
    let tags: (any TagService)?
    let photos: any PhotosService
    let auth: any AuthService

    struct BatchRequest: Decodable {
        let photo_ids: [String]?
        let filter: String?
        let force: Bool?
    }

    struct Accepted: ResponseEncodable {
        let job_id: String
        let status: String
        let total: Int
    }

    struct TagCountJSON: Encodable {
        let tag: String
        let count: Int
    }

    struct UsageJSON: Encodable {
        let calls: Int
        let cached_calls: Int
        let prompt_tokens: Int
        let completion_tokens: Int
        let estimated_cost_usd: Double?

        enum CodingKeys: String, CodingKey {
            case calls, cached_calls, prompt_tokens, completion_tokens, estimated_cost_usd
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(calls, forKey: .calls)
            try container.encode(cached_calls, forKey: .cached_calls)
            try container.encode(prompt_tokens, forKey: .prompt_tokens)
            try container.encode(completion_tokens, forKey: .completion_tokens)
            try container.encode(estimated_cost_usd, forKey: .estimated_cost_usd)
        }
    }

    /// `GET /api/v1/tags`, and the `tagging` part of `/stats`.
    struct Overview: ResponseEncodable {
        let enabled: Bool
        let model: String?
        let reason: String?
        let tagged_photos: Int
        let tags: [TagCountJSON]
        let usage: UsageJSON

        enum CodingKeys: String, CodingKey { case enabled, model, reason, tagged_photos, tags, usage }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(enabled, forKey: .enabled)
            try container.encode(model, forKey: .model)
            try container.encode(reason, forKey: .reason)
            try container.encode(tagged_photos, forKey: .tagged_photos)
            try container.encode(tags, forKey: .tags)
            try container.encode(usage, forKey: .usage)
        }
    }

    static let notBuilt = "set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server) and restart"

    static func overview(_ tags: (any TagService)?, userID: String) async throws -> Overview {
        let status = tags?.status ?? TaggingStatus(enabled: false, model: nil, reason: notBuilt)
        let summary =
            try await tags?.summary(userID: userID)
            ?? TagSummary(
                taggedPhotos: 0, tags: [], calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0,
                estimatedCostUSD: 0)
        return Overview(
            enabled: status.enabled, model: status.model, reason: status.reason, tagged_photos: summary.taggedPhotos,
            tags: summary.tags.map { TagCountJSON(tag: $0.tag, count: $0.count) },
            usage: UsageJSON(
                calls: summary.calls, cached_calls: summary.cachedCalls, prompt_tokens: summary.promptTokens,
                completion_tokens: summary.completionTokens, estimated_cost_usd: summary.estimatedCostUSD))
    }

    func register(on api: RouterGroup<ClassifyRequestContext>) {
        api.get("tags") { _, context in try await Self.overview(tags, userID: try context.requireUser()) }
        api.post("photos/:id/tag") { request, context in
            let userID = try context.requireUser()
            let id = try context.parameters.require("id")
            guard try await photos.photo(id: id, userID: userID) != nil else { throw PhotosController.notFound }
            let force = request.uri.queryParameters["force"].map { $0 == "true" || $0 == "1" } ?? false
            return try await queue(photoIDs: [id], filter: .all, force: force, userID: userID)
        }
        api.post("tags/batch") { request, context in
            let userID = try context.requireUser()
            let body = try await request.decode(as: BatchRequest.self, context: context)
            guard let filter = PhotoFilter(rawValue: body.filter ?? "all") else {
                throw APIError(
                    .badRequest, code: "bad_filter", "filter must be all, blurred, not_blurred or unprocessed")
            }
            return try await queue(photoIDs: body.photo_ids, filter: filter, force: body.force ?? false, userID: userID)
        }
    }

    func queue(photoIDs: [String]?, filter: PhotoFilter, force: Bool, userID: String) async throws
        -> EditedResponse<Accepted>
    {
        guard let tags else {
            throw APIError(.serviceUnavailable, code: "tagging_off", "AI tagging is off: \(Self.notBuilt)")
        }
        let threshold = try await auth.user(id: userID)?.blurThreshold ?? BlurThreshold.standard.value
        do {
            let (jobID, total) = try await tags.tag(
                photoIDs: photoIDs, filter: filter, threshold: threshold, force: force, userID: userID)
            return EditedResponse(
                status: .accepted,
                response: Accepted(job_id: jobID, status: total == 0 ? "done" : "queued", total: total))
        } catch let failure as TagServiceFailure {
            switch failure {
            case .off: throw APIError(.serviceUnavailable, code: "tagging_off", failure.description)
            case .noSuchPhoto: throw APIError(.notFound, code: "not_found", failure.description)
            }
        } catch let failure as BlurServiceFailure {
            throw APIError(.badRequest, code: "too_many_photos", failure.description)
        }
    }
}
