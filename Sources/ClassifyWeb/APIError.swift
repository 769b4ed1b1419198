import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An API failure with a stable code and a sentence for people, sent as
/// `{"error": {"code", "message"}}` with its HTTP status.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Extra response headers, e.g. `Retry-After` on 429.
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(error: .init(code: code, message: message)))
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: status, headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns whatever a handler throws into the JSON error shape; unexpected errors become a
/// 500 whose message reveals nothing internal (the log has the detail).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, code: Self.code(error.status), error.body ?? error.status.reasonPhrase)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "too_large",
                "the request body is larger than \(context.maxUploadSize / 1_048_576) MB")
        } catch let error as HTTPResponseError {
            throw APIError(error.status, code: Self.code(error.status), error.status.reasonPhrase)
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "bad_request", "malformed JSON: \(Self.describe(error))")
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, code: "internal", "something went wrong on our side")
        }
    }

    static func code(_ status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, _): "missing field \"\(key.stringValue)\""
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            "wrong type at \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
        case .dataCorrupted: "not valid JSON"
        @unknown default: "not valid JSON"
        }
    }
}
