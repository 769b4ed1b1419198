import Foundation
import HTTPTypes
import Hummingbird

/// `GET /openapi.json`, the OpenAPI 3.1 document of every route (Resources/openapi.json,
/// written by hand and kept true by OpenAPITests), and `GET /docs`, a reference page that
/// renders it (Resources/docs.html with /static/docs.js and docs.css: the CSP allows no
/// inline script or style).
public struct DocsController: Sendable {
    /// The document's bytes, as shipped.
    let document: ByteBuffer
    let page: ByteBuffer

    /// Reads both files from the module's resources once. A missing file is a packaging
    /// error, reported at start rather than on the first request.
    public init() {
        document = ByteBuffer(bytes: Self.resource("openapi", "json"))
        page = ByteBuffer(bytes: Self.resource("docs", "html"))
    }

    /// `Resources/NAME.EXT` in ClassifyWeb's bundle.
    static func resource(_ name: String, _ ext: String) -> [UInt8] {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: WebResources.path("\(name).\(ext)"))) else {
            preconditionFailure("ClassifyWeb resource Resources/\(name).\(ext) is missing from the bundle")
        }
        return [UInt8](data)
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: document))
        }
        router.get("/docs") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: page))
        }
    }
}
