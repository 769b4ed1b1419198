import Foundation
import HTTPTypes
import Hummingbird

/// An error answer in OpenAI's envelope (spec section 3):
/// `{"error": {"message", "type", "param", "code"}}`, `param` and `code` present even when null.
struct FakeOpenAIError: Error, Sendable {
    var status: Int
    var message: String
    var type: String
    var param: String?
    var code: String?
    var headers: [(String, String)] = []

    var body: [String: Any] {
        [
            "error": [
                "message": message, "type": type, "param": param.map { $0 as Any } ?? NSNull(),
                "code": code.map { $0 as Any } ?? NSNull(),
            ] as [String: Any]
        ]
    }

    /// `code`, or `type` when the code is null: what the request log shows.
    var logCode: String { code ?? type }

    static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> Self {
        Self(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    static func invalidImage(_ message: String, param: String?, code: String = "invalid_image") -> Self {
        Self(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    static let missingKey = Self(
        status: 401,
        message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        type: "invalid_request_error", param: nil, code: nil)

    /// OpenAI shows the start and end of the key it refused; the fake shows only its length,
    /// so no part of any key reaches a client's logs.
    static func incorrectKey(length: Int) -> Self {
        Self(
            status: 401,
            message:
                "Incorrect API key provided: sk-****…**** (\(length) characters). You can find your API key at https://platform.openai.com/account/api-keys.",
            type: "invalid_request_error", param: nil, code: "invalid_api_key")
    }

    static func modelNotFound(_ model: String) -> Self {
        Self(
            status: 404, message: "The model `\(model)` does not exist or you do not have access to it.",
            type: "invalid_request_error", param: nil, code: "model_not_found")
    }

    static func rateLimited(model: String, limit: Int, wait: Int) -> Self {
        Self(
            status: 429,
            message:
                "Rate limit reached for \(model) in organization org-fakeclassify on requests per min (RPM): Limit \(limit), Used \(limit), Requested 1. Please try again in \(wait)s. Visit https://platform.openai.com/account/rate-limits to learn more.",
            type: "requests", param: nil, code: "rate_limit_exceeded")
    }

    static let insufficientQuota = Self(
        status: 429,
        message:
            "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        type: "insufficient_quota", param: nil, code: "insufficient_quota")

    static func serverError(_ status: Int) -> Self {
        Self(
            status: status,
            message:
                "The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if the error persists.",
            type: "server_error", param: nil, code: nil)
    }

    static let overloaded = Self(
        status: 503, message: "The engine is currently overloaded, please try again later.", type: "server_error",
        param: nil, code: nil)

    static func invalidURL(method: String, path: String) -> Self {
        Self(
            status: 404, message: "Invalid URL (\(method) \(path))", type: "invalid_request_error", param: nil,
            code: nil)
    }

    func response(extraHeaders: [(String, String)] = []) -> Response {
        var response = FakeHTTP.json(body, status: .init(code: status))
        for (name, value) in FakeOpenAIHeaders.common() + headers + extraHeaders {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }
}

/// Headers OpenAI sends on every answer (spec 3.1).
enum FakeOpenAIHeaders {
    static func common(processingMs: Int = 0) -> [(String, String)] {
        [
            ("x-request-id", "req_" + FakeOpenAIHeaders.hex(16)),
            ("openai-version", "2020-10-01"),
            ("openai-organization", "user-fakeclassify"),
            ("openai-processing-ms", String(processingMs)),
        ]
    }

    static func hex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
