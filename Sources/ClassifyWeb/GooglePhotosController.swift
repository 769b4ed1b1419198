import ClassifyCore
import Foundation
import HTTPTypes
import Hummingbird

/// Google Photos routes of the gateway (`/api/v1/photos/google/…`): picker sessions, sync, and
/// the album of clear photos. No route takes a URL: the server fetches only the `baseUrl`s the
/// picker returned for the caller. Without Google configured they answer 503 with the reason.
struct GooglePhotosController: Sendable {
    let google: (any GooglePhotosService)?

    struct SessionJSON: ResponseEncodable {
        let session_id: String
        let picker_uri: String
        let media_items_set: Bool
        let poll_interval_seconds: Double?
        let poll_timeout_seconds: Double?
        let expire_time: String?
        let sync_job_id: String?

        init(_ view: PickerSessionView) {
            session_id = view.id
            picker_uri = view.pickerURI
            media_items_set = view.mediaItemsSet
            poll_interval_seconds = view.pollIntervalSeconds
            poll_timeout_seconds = view.pollTimeoutSeconds
            expire_time = view.expireTime.map {
                Date(timeIntervalSince1970: Double($0) / 1000).formatted(Date.ISO8601FormatStyle())
            }
            sync_job_id = view.syncJobID
        }

        enum CodingKeys: String, CodingKey {
            case session_id, picker_uri, media_items_set, poll_interval_seconds, poll_timeout_seconds, expire_time
            case sync_job_id
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(session_id, forKey: .session_id)
            try container.encode(picker_uri, forKey: .picker_uri)
            try container.encode(media_items_set, forKey: .media_items_set)
            try container.encode(poll_interval_seconds, forKey: .poll_interval_seconds)
            try container.encode(poll_timeout_seconds, forKey: .poll_timeout_seconds)
            try container.encode(expire_time, forKey: .expire_time)
            try container.encode(sync_job_id, forKey: .sync_job_id)
        }
    }

    struct SyncJSON: ResponseEncodable {
        let job_id: String
        let status: String
        let total: Int
    }

    struct AlbumRequest: Decodable {
        let title: String?
    }

    struct AlbumJSON: ResponseEncodable {
        let album_id: String
        let job_id: String
        let title: String
        let status: String
        let total: Int
        let done: Int
        let failed: Int
        let product_url: String?
        let errors: [String: String]
        let error: String?

        init(_ progress: AlbumProgress) {
            album_id = progress.id
            job_id = progress.jobID
            title = progress.title
            status = progress.state.rawValue
            total = progress.total
            done = progress.done
            failed = progress.failed
            product_url = progress.productURL
            errors = progress.errors
            error = progress.jobError
        }

        enum CodingKeys: String, CodingKey {
            case album_id, job_id, title, status, total, done, failed, product_url, errors, error
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(album_id, forKey: .album_id)
            try container.encode(job_id, forKey: .job_id)
            try container.encode(title, forKey: .title)
            try container.encode(status, forKey: .status)
            try container.encode(total, forKey: .total)
            try container.encode(done, forKey: .done)
            try container.encode(failed, forKey: .failed)
            try container.encode(product_url, forKey: .product_url)
            try container.encode(errors, forKey: .errors)
            try container.encode(error, forKey: .error)
        }
    }

    func register(on api: RouterGroup<ClassifyRequestContext>) {
        api.post("photos/google/picker-sessions") { _, context in
            let userID = try context.requireUser()
            return try await mapped {
                EditedResponse(
                    status: .created, response: SessionJSON(try await service().createPickerSession(userID: userID)))
            }
        }
        api.get("photos/google/picker-sessions/:session_id") { _, context in
            let userID = try context.requireUser()
            let id = try context.parameters.require("session_id")
            return try await mapped { SessionJSON(try await service().pickerSession(id: id, userID: userID)) }
        }
        api.post("photos/google/picker-sessions/:session_id/sync") { _, context in
            let userID = try context.requireUser()
            let id = try context.parameters.require("session_id")
            return try await mapped {
                let (jobID, total) = try await service().sync(sessionID: id, userID: userID)
                return EditedResponse(
                    status: .accepted,
                    response: SyncJSON(job_id: jobID, status: total == 0 ? "done" : "queued", total: total))
            }
        }
        api.post("photos/google/unblurred-album/:user_id") { request, context in
            let userID = try context.requireUser()
            // Only the caller's own id; another id is as unknown as a missing one.
            guard try context.parameters.require("user_id") == userID else {
                throw APIError(.notFound, code: "not_found", "no such user")
            }
            let body = try await Self.optionalBody(AlbumRequest.self, request, context)
            return try await mapped {
                let progress = try await service().createAlbum(userID: userID, title: body?.title)
                return EditedResponse(status: .accepted, response: AlbumJSON(progress))
            }
        }
        api.get("photos/google/albums/:album_id") { _, context in
            let userID = try context.requireUser()
            let id = try context.parameters.require("album_id")
            return try await mapped {
                guard let progress = try await service().album(id: id, userID: userID) else {
                    throw APIError(.notFound, code: "not_found", "no such album")
                }
                return AlbumJSON(progress)
            }
        }
    }

    func service() throws -> any GooglePhotosService {
        guard let google else {
            throw APIError(.serviceUnavailable, code: "google_not_configured", PageController.googleReason)
        }
        return google
    }

    static func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ClassifyRequestContext)
        async throws -> T?
    {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        guard body.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch {
            throw APIError(.badRequest, code: "invalid_json", "the body is not the expected JSON: \(error)")
        }
    }

    /// Google failures as API errors that say what to do.
    func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as GoogleAccessFailure {
            throw Self.error(failure)
        } catch let failure as GooglePhotosFailure {
            switch failure {
            case .access(let access): throw Self.error(access)
            case .noSuchSession: throw APIError(.notFound, code: "not_found", failure.description)
            case .notPickedYet: throw APIError(.conflict, code: "not_picked_yet", failure.description)
            case .sessionExpired: throw APIError(.gone, code: "session_expired", failure.description)
            case .noClearPhotos: throw APIError(.conflict, code: "no_clear_photos", failure.description)
            case .google: throw APIError(.badGateway, code: "google_error", failure.description)
            }
        }
    }

    static func error(_ failure: GoogleAccessFailure) -> APIError {
        switch failure {
        case .notConnected: APIError(.conflict, code: "google_not_connected", failure.description)
        case .needsReauth: APIError(.forbidden, code: "google_reauth_needed", failure.description)
        case .missingFeature: APIError(.forbidden, code: "google_scope_missing", failure.description)
        case .unavailable: APIError(.badGateway, code: "google_unavailable", failure.description)
        }
    }
}
