import Foundation
import Hummingbird

/// The Picker API under `/photospicker` (spec section 2) and the `pickerUri` page where a
/// person picks photos from the fake's photo folder.
struct FakePickerController {
    let fake: FakeGoogle

    func add(to router: Router<BasicRequestContext>) {
        let api = router.group("/photospicker/v1")
        api.post("/sessions") { request, _ in
            try await Self.withJSON(request) { body async throws(GoogleAPIError) in
                try await fake.createSession(bearer: FakeHTTP.bearer(request), body: body)
            }
        }
        api.get("/sessions/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await Self.answer { () async throws(GoogleAPIError) in
                try await fake.getSession(bearer: FakeHTTP.bearer(request), id: id)
            }
        }
        api.delete("/sessions/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await Self.answer { () async throws(GoogleAPIError) in
                try await fake.deleteSession(bearer: FakeHTTP.bearer(request), id: id)
            }
        }
        api.get("/mediaItems") { request, _ in
            let query = Self.query(request)
            return await Self.answer { () async throws(GoogleAPIError) in
                try await fake.listPickedItems(bearer: FakeHTTP.bearer(request), query: query)
            }
        }
        for suffix in ["", "/autoclose"] {
            router.get("/picker/:id\(suffix)") { _, context in
                try await page(context.parameters.get("id") ?? "", autoclose: !suffix.isEmpty)
            }
            router.post("/picker/:id\(suffix)") { request, context in
                try await picked(request, id: context.parameters.get("id") ?? "")
            }
        }
    }

    static func answer(_ call: () async throws(GoogleAPIError) -> [String: Any]) async -> Response {
        do throws(GoogleAPIError) {
            return FakeHTTP.json(try await call())
        } catch {
            return error.response
        }
    }

    /// Answers with the call's JSON, or with the error envelope; a body that is not a JSON
    /// object is an INVALID_ARGUMENT, as at Google.
    static func withJSON(
        _ request: Request, _ call: (sending [String: Any]) async throws(GoogleAPIError) -> [String: Any]
    ) async throws -> Response {
        guard let body = try await FakeHTTP.jsonObject(request) else {
            return GoogleAPIError.invalidArgument("Invalid JSON payload received.").response
        }
        do throws(GoogleAPIError) {
            return FakeHTTP.json(try await call(body))
        } catch {
            return error.response
        }
    }

    static func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for (name, value) in FakeHTTP.formPairs(request.uri.query ?? "") where query[name] == nil {
            query[name] = value
        }
        return query
    }

    private func page(_ id: String, autoclose: Bool) async throws -> Response {
        guard let session = await fake.sessionForPage(id) else {
            return FakeHTTP.html(FakeConsentPage.pickerMessage("This link has expired."), status: .notFound)
        }
        guard !session.mediaItemsSet else {
            return FakeHTTP.html(FakeConsentPage.pickerMessage("Done. Return to the app."), status: .gone)
        }
        return FakeHTTP.html(FakeConsentPage.picker(sessionID: id, files: try await files(), autoclose: autoclose))
    }

    /// The person pressed Done (`file` = ticked names) or "Pick all".
    private func picked(_ request: Request, id: String) async throws -> Response {
        let pairs = FakeHTTP.formPairs(
            String(decoding: try await FakeHTTP.body(request, limit: 1_048_576), as: UTF8.self))
        let available = try await files()
        let wanted = pairs.contains { $0 == ("pick", "all") } ? available : pairs.filter { $0.0 == "file" }.map(\.1)
        guard let folder = await fake.configurationSnapshot.photosDirectory, !wanted.isEmpty,
            wanted.allSatisfy(available.contains)
        else { return FakeHTTP.html(FakeConsentPage.pickerMessage("Select at least one photo."), status: .badRequest) }
        do throws(FakeAdminError) {
            let photos = try wanted.map { name throws(FakeAdminError) in
                try FakePickedPhoto.load(path: (folder as NSString).appendingPathComponent(name))
            }
            try await fake.pick(sessionID: id, photos: photos)
        } catch {
            return FakeHTTP.html(FakeConsentPage.pickerMessage(error.description), status: .init(code: error.status))
        }
        return FakeHTTP.html(
            FakeConsentPage.pickerMessage("Done: \(wanted.count) photos picked. You can close this tab."))
    }

    private func files() async throws -> [String] {
        guard let folder = await fake.configurationSnapshot.photosDirectory else { return [] }
        return try FakePhotoInfo.imageFiles(in: folder).map { ($0 as NSString).lastPathComponent }
    }
}
