import BlurDetection
import ClassifyCore
import ClassifyServices
import Foundation
import Hummingbird

/// The gallery's API: list, read and delete the caller's photos, read a photo's verdict, and
/// queue blur analysis (DESIGN.md 5.1). Another person's photo id answers 404.
public struct PhotosController: Sendable {
    let photos: any PhotosService
    let auth: any AuthService
    let blur: any BlurService
    /// Folders on this machine (local mode only; nil otherwise).
    let source: (any PhotoSource)?
    let uploadLimits: UploadLimits

    /// What one `POST /photos/upload` may hold.
    public struct UploadLimits: Sendable {
        /// Largest request body.
        public var maxBytes: Int
        /// Most files in one request.
        public var maxFiles: Int

        public init(maxBytes: Int = 256 * 1_048_576, maxFiles: Int = 100) {
            self.maxBytes = maxBytes
            self.maxFiles = maxFiles
        }
    }

    public init(
        photos: any PhotosService, auth: any AuthService, blur: any BlurService, source: (any PhotoSource)? = nil,
        uploadLimits: UploadLimits = UploadLimits()
    ) {
        self.photos = photos
        self.auth = auth
        self.blur = blur
        self.source = source
        self.uploadLimits = uploadLimits
    }

    struct ImportRequest: Decodable {
        let path: String
    }

    struct PhotoJSON: Encodable {
        let id: String
        let filename: String
        let created_time: String
        let width: Int
        let height: Int
        let blur_score: Double?
        let is_blurred: Bool?
        let blur_type: String?
        /// Motion or defocus: what the blur would be called at any threshold that makes it
        /// blurred (lets a page re-label live without asking again).
        let likely_type: String?
        let image_url: String
        let thumbnail_url: String
        /// `google` (synced from Google Photos) or `local` (uploaded or imported).
        let source: String
        let camera: String?
        /// AI tags (empty until tagged) and the one-line caption (null until tagged).
        let tags: [String]
        let caption: String?

        init(_ photo: Photo, threshold: Double) {
            id = photo.id
            filename = photo.filename
            created_time = Date(timeIntervalSince1970: Double(photo.createdTime) / 1000).formatted(
                Date.ISO8601FormatStyle())
            width = photo.width
            height = photo.height
            blur_score = photo.analysis?.blurScore
            is_blurred = photo.analysis.map { $0.blurScore >= threshold }
            blur_type = photo.analysis.map {
                $0.blurScore >= threshold ? $0.likelyType.rawValue : BlurType.none.rawValue
            }
            likely_type = photo.analysis?.likelyType.rawValue
            image_url = "/api/v1/photos/\(photo.id)/image?size=display"
            thumbnail_url = "/api/v1/photos/\(photo.id)/image?size=thumb"
            source = photo.googlePhotoID == nil ? "local" : "google"
            camera = photo.camera
            tags = photo.tags
            caption = photo.caption
        }

        enum CodingKeys: String, CodingKey {
            case id, filename, created_time, width, height, blur_score, is_blurred, blur_type, likely_type, image_url
            case thumbnail_url, source, camera, tags, caption
        }

        /// Every key is always there; an unanalysed photo has `null` scores.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(filename, forKey: .filename)
            try container.encode(created_time, forKey: .created_time)
            try container.encode(width, forKey: .width)
            try container.encode(height, forKey: .height)
            try container.encode(blur_score, forKey: .blur_score)
            try container.encode(is_blurred, forKey: .is_blurred)
            try container.encode(blur_type, forKey: .blur_type)
            try container.encode(likely_type, forKey: .likely_type)
            try container.encode(image_url, forKey: .image_url)
            try container.encode(thumbnail_url, forKey: .thumbnail_url)
            try container.encode(source, forKey: .source)
            try container.encode(camera, forKey: .camera)
            try container.encode(tags, forKey: .tags)
            try container.encode(caption, forKey: .caption)
        }
    }

    struct PhotoList: ResponseEncodable {
        let photos: [PhotoJSON]
        /// `null` on the last page.
        let next_cursor: String?

        enum CodingKeys: String, CodingKey { case photos, next_cursor }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(photos, forKey: .photos)
            try container.encode(next_cursor, forKey: .next_cursor)
        }
    }

    struct ResultJSON: ResponseEncodable {
        let photo_id: String
        let blur_score: Double
        let is_blurred: Bool
        let threshold: Double
        let processing_time_ms: Double
        let blur_type: String
        let blur_direction_deg: Double?
        let sharpness_map: SharpnessMap?
    }

    struct BatchRequest: Decodable {
        let photo_ids: [String]?
    }

    struct BatchResponse: ResponseEncodable {
        let job_id: String
        let status: String
        let total: Int
    }

    struct JobJSON: ResponseEncodable {
        struct Failure: Encodable {
            let photo_id: String
            let error: String
        }
        let job_id: String
        let status: String
        let total: Int
        let done: Int
        let failed: Int
        let errors: [Failure]
    }

    func register(on api: RouterGroup<ClassifyRequestContext>) {
        api.get("photos") { request, context in try await list(request, context) }
        api.get("photos/:id") { _, context -> EditedResponse<PhotoList> in
            let (photo, threshold) = try await owned(context)
            return EditedResponse(
                response: PhotoList(photos: [PhotoJSON(photo, threshold: threshold)], next_cursor: nil))
        }
        api.delete("photos/:id") { _, context -> HTTPResponse.Status in
            guard try await photos.delete(id: try context.parameters.require("id"), userID: try context.requireUser())
            else { throw Self.notFound }
            return .noContent
        }
        api.get("photos/:id/result") { _, context in try await result(context) }
        api.post("photos/upload") { request, context in try await upload(request, context) }
        api.post("photos/import") { request, context in try await importFolder(request, context) }
        api.post("photos/:id/analyze") { _, context in try await analyzeOne(context) }
        api.get("photos/:id/image") { request, context in try await image(request, context) }
        api.post("blur/analyze-batch") { request, context in try await analyzeBatch(request, context) }
        api.get("blur/jobs/:job_id") { _, context in try await job(context) }
    }

    static let notFound = APIError(.notFound, code: "not_found", "no such photo")

    func threshold(_ userID: String) async throws -> Double {
        try await auth.user(id: userID)?.blurThreshold ?? BlurThreshold.standard.value
    }

    func owned(_ context: ClassifyRequestContext) async throws -> (Photo, Double) {
        let userID = try context.requireUser()
        guard let photo = try await photos.photo(id: try context.parameters.require("id"), userID: userID) else {
            throw Self.notFound
        }
        return (photo, try await threshold(userID))
    }

    func list(_ request: Request, _ context: ClassifyRequestContext) async throws -> PhotoList {
        let userID = try context.requireUser()
        let query = request.uri.queryParameters
        guard let filter = PhotoFilter(rawValue: query["filter"].map(String.init) ?? "all") else {
            throw APIError(.badRequest, code: "bad_filter", "filter must be all, blurred, not_blurred or unprocessed")
        }
        let limit = query["limit"].flatMap { Int($0) } ?? 50
        guard (1...200).contains(limit) else { throw APIError(.badRequest, code: "bad_limit", "limit must be 1…200") }
        let threshold = try await threshold(userID)
        // Forms and URLSearchParams write a space as `+`.
        func text(_ name: Substring) -> String? {
            query[name].map { String($0).replacingOccurrences(of: "+", with: " ").trimmingCharacters(in: .whitespaces) }
                .flatMap { $0.isEmpty ? nil : $0 }
        }
        let tag = text("tag")
        let search = text("q")
        guard (tag?.count ?? 0) <= 100, (search?.count ?? 0) <= 200 else {
            throw APIError(.badRequest, code: "bad_query", "tag must be ≤ 100 characters and q ≤ 200")
        }
        let page: PhotoPage
        do {
            page = try await photos.list(
                userID: userID, filter: filter, threshold: threshold, limit: limit,
                cursor: query["cursor"].map(String.init), tag: tag, search: search)
        } catch PhotosFailure.badCursor {
            throw APIError(.badRequest, code: "bad_cursor", PhotosFailure.badCursor.description)
        }
        return PhotoList(photos: page.photos.map { PhotoJSON($0, threshold: threshold) }, next_cursor: page.nextCursor)
    }

    struct UploadResponse: ResponseEncodable {
        struct Refused: Encodable {
            let filename: String
            let error: String
        }
        let photos: [PhotoJSON]
        let errors: [Refused]
        /// With `?analyze=true`: the job analysing the stored photos.
        let job_id: String?

        enum CodingKeys: String, CodingKey { case photos, errors, job_id }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(photos, forKey: .photos)
            try container.encode(errors, forKey: .errors)
            try container.encode(job_id, forKey: .job_id)
        }
    }

    /// `multipart/form-data`, one or more parts named `file`. Content is sniffed: a part that
    /// is not an image is refused with its reason and nothing is stored for it; the others
    /// are stored (201). The same bytes again return the existing photo. The body is parsed as
    /// it arrives, each file written aside and hashed on the way (`PhotosService.receive`);
    /// photos are made only once the whole body was read, so a body over the limits, cut off
    /// or malformed stores nothing.
    func upload(_ request: Request, _ context: ClassifyRequestContext) async throws -> EditedResponse<UploadResponse> {
        let userID = try context.requireUser()
        guard let boundary = MultipartParser.boundary(contentType: request.headers[.contentType] ?? "") else {
            throw APIError(.unsupportedMediaType, code: "not_multipart", MultipartParser.Failure.noBoundary.description)
        }
        let files = try await receive(request.body, boundary: boundary)
        guard !files.isEmpty else {
            throw APIError(.badRequest, code: "no_file", "send the photos as parts named \"file\"")
        }
        let threshold = try await threshold(userID)
        var stored: [PhotoJSON] = []
        var refused: [UploadResponse.Refused] = []
        for (filename, file) in files {
            do {
                let photo = try await photos.add(file, filename: filename, userID: userID).photo
                stored.append(PhotoJSON(photo, threshold: threshold))
            } catch let failure as PhotosFailure {
                guard case .notAccepted = failure else { throw Self.storageError(failure) }
                refused.append(.init(filename: filename, error: failure.description))
            }
        }
        if stored.isEmpty, let first = refused.first {
            throw APIError(.unsupportedMediaType, code: "not_an_image", "\(first.filename): \(first.error)")
        }
        // `?analyze=true` queues the new photos at once, so analysis overlaps the next upload.
        var jobID: String? = nil
        if ["true", "1"].contains(request.uri.queryParameters["analyze"].map(String.init) ?? "") {
            let fresh = stored.filter { $0.blur_score == nil }.map(\.id)
            if !fresh.isEmpty { jobID = try await blur.analyze(photoIDs: fresh, userID: userID).jobID }
        }
        return EditedResponse(
            status: .created, response: UploadResponse(photos: stored, errors: refused, job_id: jobID))
    }

    /// Reads a multipart body as it streams in; each part named `file` goes to its own
    /// `IncomingFile` (other parts are skipped). Files not made photos are deleted when the
    /// returned (or, on an error, the local) references go.
    func receive(_ body: RequestBody, boundary: String) async throws -> [(filename: String, file: any IncomingFile)] {
        var parser = MultipartParser(boundary: boundary)
        var files: [(filename: String, file: any IncomingFile)] = []
        var current: (filename: String, file: any IncomingFile)? = nil
        var total = 0
        var otherParts = 0
        let limits = uploadLimits
        let photos = photos
        do {
            for try await chunk in body {
                total += chunk.readableBytes
                guard total <= limits.maxBytes else {
                    throw APIError(
                        .contentTooLarge, code: "too_large",
                        "uploads are limited to \(limits.maxBytes / 1_048_576) MB per request")
                }
                try chunk.withUnsafeReadableBytes { bytes in
                    try parser.feed(bytes) { event in
                        switch event {
                        case let .partStart(name, filename):
                            guard name == "file" else {
                                current = nil
                                otherParts += 1
                                guard otherParts <= 100 else {
                                    throw MultipartParser.Failure.malformed("more than 100 parts that are not files")
                                }
                                return
                            }
                            guard files.count < limits.maxFiles else {
                                throw APIError(
                                    .contentTooLarge, code: "too_many_files",
                                    "at most \(limits.maxFiles) files per upload; send the rest next")
                            }
                            current = (filename ?? "photo", try photos.receive())
                        case let .bytes(bytes):
                            try current?.file.write(bytes)
                        case .partEnd:
                            if let done = current { files.append(done) }
                            current = nil
                        }
                    }
                }
            }
            try parser.finish()
        } catch let failure as MultipartParser.Failure {
            throw APIError(.badRequest, code: "bad_multipart", failure.description)
        } catch let failure as PhotosFailure {
            throw Self.storageError(failure)
        }
        return files
    }

    static func storageError(_ failure: PhotosFailure) -> APIError {
        if case .notStored(_, diskFull: true) = failure {
            return APIError(
                .init(code: 507, reasonPhrase: "Insufficient Storage"), code: "disk_full", failure.description)
        }
        return APIError(.internalServerError, code: "not_stored", failure.description)
    }

    /// `GET /photos/{id}/image?size=thumb|display|original`, only to the photo's owner.
    func image(_ request: Request, _ context: ClassifyRequestContext) async throws -> Response {
        let (photo, _) = try await owned(context)
        let sizeName = request.uri.queryParameters["size"].map(String.init) ?? "display"
        guard let size = PhotoSize(rawValue: sizeName) else {
            throw APIError(.badRequest, code: "bad_size", "size must be thumb, display or original")
        }
        let rendition: (bytes: [UInt8], mimeType: String)
        do {
            rendition = try await photos.image(of: photo, size: size)
        } catch let failure as PhotosFailure {
            throw APIError(.unprocessableContent, code: "unreadable_image", failure.description)
        }
        return Response(
            status: .ok,
            headers: [.contentType: rendition.mimeType, .cacheControl: "private, max-age=86400"],
            body: .init(byteBuffer: ByteBuffer(bytes: rendition.bytes)))
    }

    func result(_ context: ClassifyRequestContext) async throws -> ResultJSON {
        let (photo, threshold) = try await owned(context)
        guard let analysis = photo.analysis else {
            throw APIError(.notFound, code: "not_analysed", "this photo has not been analysed yet")
        }
        let blurred = analysis.blurScore >= threshold
        return ResultJSON(
            photo_id: photo.id, blur_score: analysis.blurScore, is_blurred: blurred, threshold: threshold,
            processing_time_ms: analysis.processingTimeMs,
            blur_type: blurred ? analysis.likelyType.rawValue : BlurType.none.rawValue,
            blur_direction_deg: blurred && analysis.likelyType == .motion ? analysis.directionDegrees : nil,
            sharpness_map: analysis.sharpnessMap)
    }

    func analyzeBatch(_ request: Request, _ context: ClassifyRequestContext) async throws -> EditedResponse<
        BatchResponse
    > {
        let userID = try context.requireUser()
        let body = try await request.decode(as: BatchRequest.self, context: context)
        do {
            let (jobID, total) = try await blur.analyze(photoIDs: body.photo_ids, userID: userID)
            return EditedResponse(
                status: .accepted, response: BatchResponse(job_id: jobID, status: "queued", total: total))
        } catch let failure as BlurServiceFailure {
            switch failure {
            case .noSuchPhoto: throw APIError(.notFound, code: "not_found", failure.description)
            case .tooManyPhotos: throw APIError(.contentTooLarge, code: "too_many_photos", failure.description)
            }
        }
    }

    /// `POST /photos/{id}/analyze`: (re-)analyses one photo through the queue.
    func analyzeOne(_ context: ClassifyRequestContext) async throws -> EditedResponse<BatchResponse> {
        let userID = try context.requireUser()
        let (photo, _) = try await owned(context)
        let (jobID, total) = try await blur.analyze(photoIDs: [photo.id], userID: userID)
        return EditedResponse(status: .accepted, response: BatchResponse(job_id: jobID, status: "queued", total: total))
    }

    /// `POST /photos/import {"path"}`: adds a folder on this machine (local mode only, inside
    /// IMPORT_DIR). Answers the report as JSON; asked with `Accept: application/x-ndjson`, it
    /// answers as it goes instead, one JSON object a line: `{"done", "total"}` once the files
    /// are counted and after each one, then `{"report": {...}}`. A refused path answers its
    /// error status either way, before any line. An import goes on if the client leaves.
    func importFolder(_ request: Request, _ context: ClassifyRequestContext) async throws -> Response {
        let userID = try context.requireUser()
        guard let source else {
            throw APIError(.notFound, code: "import_unavailable", "importing folders works only in local mode")
        }
        let body = try await request.decode(as: ImportRequest.self, context: context)
        guard !body.path.isEmpty, body.path.utf8.count <= 4096, !body.path.contains("\0") else {
            throw APIError(.badRequest, code: "bad_path", "path must be a folder or file path")
        }
        guard request.headers[.accept]?.contains("application/x-ndjson") == true else {
            do {
                let report = try await source.importPhotos(from: body.path, userID: userID)
                return try context.responseEncoder.encode(report, from: request, context: context)
            } catch let error as PhotoSourceError {
                throw Self.importError(error)
            }
        }
        let (lines, output) = AsyncStream<ByteBuffer>.makeStream()
        let (start, started) = AsyncStream<PhotoSourceError?>.makeStream()
        let path = body.path
        Task {
            do throws(PhotoSourceError) {
                let report = try await source.importPhotos(from: path, userID: userID) { progress in
                    if progress.done == 0 { started.yield(nil) }
                    output.yield(Self.line(progress))
                }
                output.yield(Self.line(ImportDone(report: report)))
            } catch {
                started.yield(error)
            }
            started.finish()
            output.finish()
        }
        for await refused in start {
            if let refused { throw Self.importError(refused) }
            break
        }
        return Response(
            status: .ok, headers: [.contentType: "application/x-ndjson", .cacheControl: "no-store"],
            body: ResponseBody(asyncSequence: lines))
    }

    struct ImportDone: Encodable {
        let report: ImportReport
    }

    /// One line of an NDJSON answer.
    static func line(_ value: some Encodable) -> ByteBuffer {
        var buffer = ByteBuffer(data: (try? JSONEncoder().encode(value)) ?? Data("{}".utf8))
        buffer.writeString("\n")
        return buffer
    }

    static func importError(_ error: PhotoSourceError) -> APIError {
        switch error {
        case .outsideAllowedFolder: APIError(.forbidden, code: "outside_import_dir", error.description)
        case .notFound: APIError(.notFound, code: "not_found", error.description)
        case .unavailable: APIError(.serviceUnavailable, code: "unavailable", error.description)
        }
    }

    func job(_ context: ClassifyRequestContext) async throws -> JobJSON {
        guard
            let status = try await blur.job(
                id: try context.parameters.require("job_id"), userID: try context.requireUser())
        else { throw APIError(.notFound, code: "not_found", "no such job") }
        return JobJSON(
            job_id: status.id, status: status.state.rawValue, total: status.total, done: status.done,
            failed: status.failed,
            errors: status.errors.sorted { $0.key < $1.key }.map { .init(photo_id: $0.key, error: $0.value) })
    }
}

extension ImportReport: ResponseEncodable {}
