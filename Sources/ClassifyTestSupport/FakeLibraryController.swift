import HTTPTypes
import Hummingbird

/// The Library API under `/photoslibrary` (spec section 3).
struct FakeLibraryController {
    let fake: FakeGoogle

    func add(to router: Router<BasicRequestContext>) {
        let api = router.group("/photoslibrary/v1")
        api.post("/uploads") { request, _ in try await upload(request) }
        api.post("/albums") { request, _ in
            try await FakePickerController.withJSON(request) { body async throws(GoogleAPIError) in
                try await fake.createAlbum(bearer: FakeHTTP.bearer(request), body: body)
            }
        }
        api.get("/albums") { request, _ in
            let query = FakePickerController.query(request)
            return await FakePickerController.answer { () async throws(GoogleAPIError) in
                try await fake.listAlbums(bearer: FakeHTTP.bearer(request), query: query)
            }
        }
        api.get("/albums/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await FakePickerController.answer { () async throws(GoogleAPIError) in
                try await fake.getAlbum(bearer: FakeHTTP.bearer(request), id: id)
            }
        }
        api.post("/albums/:id") { request, context in
            try await albumAction(request, target: context.parameters.get("id") ?? "")
        }
        api.post("/mediaItems:batchCreate") { request, _ in try await batchCreate(request) }
        api.post("/mediaItems:search") { request, _ in
            try await FakePickerController.withJSON(request) { body async throws(GoogleAPIError) in
                try await fake.searchMediaItems(bearer: FakeHTTP.bearer(request), body: body)
            }
        }
        api.get("/mediaItems:batchGet") { request, _ in
            let ids = FakeHTTP.formPairs(request.uri.query ?? "").filter { $0.0 == "mediaItemIds" }.map(\.1)
            return await FakePickerController.answer { () async throws(GoogleAPIError) in
                try await fake.batchGetLibraryItems(bearer: FakeHTTP.bearer(request), ids: ids)
            }
        }
        api.get("/mediaItems") { request, _ in
            let query = FakePickerController.query(request)
            return await FakePickerController.answer { () async throws(GoogleAPIError) in
                try await fake.listLibraryItems(bearer: FakeHTTP.bearer(request), query: query)
            }
        }
        api.get("/mediaItems/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await FakePickerController.answer { () async throws(GoogleAPIError) in
                try await fake.getLibraryItem(bearer: FakeHTTP.bearer(request), id: id)
            }
        }
        // Sharing is gone since March 2025.
        for path in ["/sharedAlbums", "/sharedAlbums/:id"] {
            api.get(RouterPath(path)) { _, _ in Self.sharingGone }
        }
        api.post("/sharedAlbums:join") { _, _ in Self.sharingGone }
        api.post("/sharedAlbums:leave") { _, _ in Self.sharingGone }
    }

    static var sharingGone: Response {
        GoogleAPIError.permissionDenied("The caller does not have permission (sharing is no longer available).")
            .response
    }

    private func upload(_ request: Request) async throws -> Response {
        let limit = await fake.configurationSnapshot.maxUploadBytes
        let bytes: [UInt8]
        do {
            bytes = try await FakeHTTP.body(request, limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return GoogleAPIError(
                status: .contentTooLarge, rpcStatus: "INVALID_ARGUMENT",
                message: "The file is larger than \(limit) bytes."
            ).response
        }
        let info = FakePhotoInfo.read(bytes)
        do throws(GoogleAPIError) {
            let token = try await fake.upload(
                bearer: FakeHTTP.bearer(request), bytes: bytes, info: info,
                uploadProtocol: request.headers[.googUploadProtocol], fileName: request.headers[.googUploadFileName])
            return FakeHTTP.text(token)
        } catch {
            return error.response
        }
    }

    private func batchCreate(_ request: Request) async throws -> Response {
        let bearer = FakeHTTP.bearer(request)
        guard let user = await fake.beginBatchCreate(bearer: bearer) else {
            return GoogleAPIError.resourceExhausted(
                "Too many concurrent batchCreate requests for this user: call batchCreate serially.", retryAfter: 1
            ).response
        }
        do {
            let latency = await fake.configurationSnapshot.batchCreateLatencyMs
            if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
            let response = try await FakePickerController.withJSON(request) { body async throws(GoogleAPIError) in
                try await fake.batchCreate(bearer: bearer, body: body)
            }
            await fake.endBatchCreate(user)
            return response
        } catch {
            await fake.endBatchCreate(user)
            throw error
        }
    }

    private func albumAction(_ request: Request, target: String) async throws -> Response {
        let parts = target.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return GoogleAPIError.notFound().response }
        switch parts[1] {
        case "batchAddMediaItems":
            return try await FakePickerController.withJSON(request) { body async throws(GoogleAPIError) in
                try await fake.batchAddMediaItems(bearer: FakeHTTP.bearer(request), albumID: parts[0], body: body)
            }
        case "share", "unshare":
            return Self.sharingGone
        default:
            return GoogleAPIError(
                status: .notImplemented, rpcStatus: "UNIMPLEMENTED", message: "The fake does not implement \(parts[1])."
            ).response
        }
    }
}
