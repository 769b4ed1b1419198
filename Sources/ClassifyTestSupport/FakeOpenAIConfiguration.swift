import Foundation

/// How the fake OpenAI behaves (`classify-fakes openai` flags, `PATCH /fake/settings`).
public struct FakeOpenAIConfiguration: Sendable {
    /// The key of `classify-fakes openai` when no `--key` is given (docs/fake-openai.md).
    public static let defaultKey = "sk-fake-classify-0123456789abcdefghijklmnop"

    /// Keys accepted as `Authorization: Bearer …`.
    public var apiKeys: [String] = [FakeOpenAIConfiguration.defaultKey]
    /// When false, any bearer key (or none) is accepted, like a local server without `--api-key`.
    public var requireKey = true
    public var models: [FakeOpenAIModel] = FakeOpenAIModel.known
    /// Per image after base64 decoding (OpenAI: 20 MB).
    public var maxImageBytes = 20 * 1_048_576
    /// Per request (OpenAI: 50 MB and 500 images).
    public var maxTotalImageBytes = 50 * 1_048_576
    public var maxImages = 500
    /// Largest request body read; base64 makes 50 MB of images about 67 MB.
    public var maxRequestBytes = 72 * 1_048_576
    /// Requests per minute before 429 `rate_limit_exceeded` (nil: unlimited, headers still sent).
    public var requestsPerMinute: Int?
    /// Added to every chat completion, in milliseconds.
    public var latencyMs = 0
    /// Lines kept in the request log.
    public var requestLogCapacity = 2_000

    public init() {}

    func model(_ name: String) -> FakeOpenAIModel? {
        models.first { $0.id == name || $0.snapshot == name }
    }
}

/// A model the fake serves, with its image token constants (spec section 4).
public struct FakeOpenAIModel: Sendable, Codable, Equatable {
    public var id: String
    /// The dated snapshot answers name (spec 5.4).
    public var snapshot: String
    public var imageBaseTokens: Int
    public var imageTileTokens: Int
    public var created: Int

    public init(
        id: String, snapshot: String? = nil, imageBaseTokens: Int, imageTileTokens: Int, created: Int = 1_721_172_741
    ) {
        self.id = id
        self.snapshot = snapshot ?? id
        self.imageBaseTokens = imageBaseTokens
        self.imageTileTokens = imageTileTokens
        self.created = created
    }

    public static let gpt4oMini = FakeOpenAIModel(
        id: "gpt-4o-mini", snapshot: "gpt-4o-mini-2024-07-18", imageBaseTokens: 2_833, imageTileTokens: 5_667,
        created: 1_721_172_741)
    public static let gpt4o = FakeOpenAIModel(
        id: "gpt-4o", snapshot: "gpt-4o-2024-08-06", imageBaseTokens: 85, imageTileTokens: 170, created: 1_715_367_049)
    public static let known: [FakeOpenAIModel] = [
        gpt4oMini, gpt4o,
        FakeOpenAIModel(
            id: "gpt-4o-mini-2024-07-18", imageBaseTokens: 2_833, imageTileTokens: 5_667, created: 1_721_172_717),
        FakeOpenAIModel(id: "gpt-4o-2024-08-06", imageBaseTokens: 85, imageTileTokens: 170, created: 1_722_814_719),
    ]

    /// Prompt tokens of one image (spec section 4): `low` is the base only; `high` and `auto`
    /// fit the image in 2048², shrink its short side to 768 and add one tile per 512 px square.
    public func imageTokens(width: Int, height: Int, detail: String) -> Int {
        guard detail != "low", width > 0, height > 0 else { return imageBaseTokens }
        var w = Double(width), h = Double(height)
        let fit = min(1, 2048 / max(w, h))
        w *= fit
        h *= fit
        let shrink = min(1, 768 / min(w, h))
        w = (w * shrink).rounded()
        h = (h * shrink).rounded()
        let tiles = Int((w / 512).rounded(.up)) * Int((h / 512).rounded(.up))
        return imageBaseTokens + tiles * imageTileTokens
    }
}

/// A fault the next `count` chat completions meet (`POST /fake/faults`).
public struct FakeOpenAIFault: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// 429 `rate_limit_exceeded` with `retry-after` (unless `retryAfter` is nil) and
        /// `x-ratelimit-*` headers (`resetRequests` as the requests reset, default the wait).
        case rateLimit = "rate_limit"
        /// 429 `insufficient_quota` (do not retry).
        case insufficientQuota = "insufficient_quota"
        /// 500 `server_error` (or `status`, e.g. 502).
        case serverError = "server_error"
        /// 503 "overloaded".
        case overloaded
        /// Waits `delayMs`, then answers normally.
        case delay
        /// 200 with `refusal` set and `content` null.
        case refusal
        /// 200 whose `content` is not JSON.
        case malformed
        /// 200, `finish_reason: "length"`, the JSON cut off.
        case length
        /// 200, `finish_reason: "content_filter"`, no content.
        case contentFilter = "content_filter"
        /// 200 with valid JSON holding only two tags (fewer than Classify asks for).
        case fewTags = "few_tags"
    }

    public var id: String
    public var kind: Kind
    public var remaining: Int
    /// Seconds for `retry-after` on 429 / 5xx; nil leaves the header out.
    public var retryAfter: Int?
    /// Milliseconds for `retry-after-ms`; nil leaves the header out.
    public var retryAfterMs: Int?
    /// `x-ratelimit-reset-requests` on a 429 (a Go duration such as `1s` or `6m0s`).
    public var resetRequests: String?
    /// Delay before the answer (any kind).
    public var delayMs: Int?
    /// Status of a `server_error` fault (500…599).
    public var status: Int?

    public init(
        _ kind: Kind, count: Int = 1, retryAfter: Int? = nil, retryAfterMs: Int? = nil, resetRequests: String? = nil,
        delayMs: Int? = nil, status: Int? = nil
    ) {
        self.id = FakeRandom.token(6)
        self.kind = kind
        self.remaining = count
        self.retryAfter = retryAfter
        self.retryAfterMs = retryAfterMs
        self.resetRequests = resetRequests
        self.delayMs = delayMs
        self.status = status
    }
}

/// One line of the fake's request log. Never holds a key, a header value or image bytes.
public struct FakeOpenAILogEntry: Sendable, Codable, Equatable {
    public var sequence = 0
    public var time = ""
    public var method: String
    public var path: String
    /// Names of the query parameters, without their values.
    public var queryNames: [String]
    /// Whether any configured key (or the bearer key sent) appeared in the path or query.
    public var keyInURL: Bool
    public var hadBearer: Bool
    /// Whether the bearer key was one the fake accepts.
    public var keyAccepted: Bool
    public var status = 0
    /// `error.code` (or `error.type` when the code is null) of an error answer.
    public var errorCode: String?
    public var durationMs = 0
    /// The injected fault's kind, if any.
    public var fault: String?
    public var model: String?
    public var images: [FakeOpenAIImageRecord] = []
    /// `max_completion_tokens` or `max_tokens`, whichever was sent.
    public var tokenLimitParameter: String?
    public var tokenLimit: Int?
    /// `response_format.type` and, for `json_schema`, its name and `strict`.
    public var responseFormat: String?
    public var schemaName: String?
    public var strict: Bool?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var finishReason: String?

    init(method: String, path: String, queryNames: [String], keyInURL: Bool, hadBearer: Bool, keyAccepted: Bool) {
        self.method = method
        self.path = path
        self.queryNames = queryNames
        self.keyInURL = keyInURL
        self.hadBearer = hadBearer
        self.keyAccepted = keyAccepted
    }
}

/// An image part as the fake received it.
public struct FakeOpenAIImageRecord: Sendable, Codable, Equatable {
    /// The data URL's declared type (`image/jpeg`), or `url` for an http(s) URL.
    public var mimeType: String
    public var width: Int
    public var height: Int
    /// Decoded bytes (not base64).
    public var bytes: Int
    /// As sent; nil when the part had none (OpenAI's default is `auto`).
    public var detail: String?
    public var tokens: Int
}

/// `GET /fake/state`.
public struct FakeOpenAIState: Sendable, Codable, Equatable {
    public var inFlight: Int
    /// The most chat completions in flight at once since the last reset.
    public var maxInFlight: Int
    public var requests: Int
    public var faults: [FakeOpenAIFault]
    public var models: [String]
    public var requireKey: Bool
    public var requestsPerMinute: Int?
    public var latencyMs: Int
}

/// `PATCH /fake/settings`: any subset.
public struct FakeOpenAISettings: Sendable, Codable {
    public var requireKey: Bool?
    /// 0 or less: unlimited.
    public var requestsPerMinute: Int?
    public var latencyMs: Int?
    public var maxImageBytes: Int?

    public init() {}

    func apply(to configuration: inout FakeOpenAIConfiguration) {
        if let requireKey { configuration.requireKey = requireKey }
        if let requestsPerMinute { configuration.requestsPerMinute = requestsPerMinute > 0 ? requestsPerMinute : nil }
        if let latencyMs { configuration.latencyMs = max(0, latencyMs) }
        if let maxImageBytes { configuration.maxImageBytes = max(1, maxImageBytes) }
    }
}
