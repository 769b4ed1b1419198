import Hummingbird
import ImageDecoding

/// `GET /lh3/{ppa|lr}/{token}={options}`: a photo's bytes as Google's image servers serve
/// `baseUrl`s (spec 2.4). Refusals are short plain-text 403/404s, not the JSON envelope.
struct FakeMediaController {
    let fake: FakeGoogle

    func add(to router: Router<BasicRequestContext>) {
        router.get("/lh3/:kind/:rest") { request, context in
            let kind = context.parameters.get("kind") ?? ""
            let rest = context.parameters.get("rest") ?? ""
            return try await serve(request, kind: kind, rest: rest)
        }
    }

    private func serve(_ request: Request, kind: String, rest: String) async throws -> Response {
        guard kind == "ppa" || kind == "lr" else { return Self.refuse(.notFound) }
        let token = rest.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
        let optionText = rest.firstIndex(of: "=").map { String(rest[rest.index(after: $0)...]) } ?? ""
        let blob: FakeRecord.Blob
        switch await fake.media(kind: kind, token: token, bearer: FakeHTTP.bearer(request)) {
        case .failure(let refusal): return Self.refuse(refusal)
        case .success(let found): blob = found
        }
        guard let options = FakeMediaOptions(optionText) else {
            return FakeHTTP.text("Invalid image options.", status: .badRequest)
        }
        if options.video { return Self.refuse(.notFound) }  // the fake holds photos only
        if options.download { return FakeHTTP.bytes(blob.bytes, type: blob.info.mimeType) }
        let maxSide = options.maxSide(width: blob.info.width, height: blob.info.height)
        let bytes = blob.bytes
        do {
            return FakeHTTP.bytes(try Thumbnailer.jpeg(bytes, maxSide: maxSide), type: "image/jpeg")
        } catch {
            return FakeHTTP.text("Could not render the image: \(error)", status: .internalServerError)
        }
    }

    static func refuse(_ refusal: FakeGoogle.MediaRefusal) -> Response {
        switch refusal {
        case .forbidden(let message):
            return FakeHTTP.html(
                "<html><body><p>403. That’s an error.</p><p>\(message)</p></body></html>", status: .forbidden)
        case .notFound:
            return FakeHTTP.html("<html><body><p>404. That’s an error.</p></body></html>", status: .notFound)
        }
    }
}
