/// What a vision model said about one photo: 3–10 lowercase English tags, a one-line caption,
/// and what the call cost in tokens.
public struct PhotoTags: Sendable, Equatable {
    /// Lowercase, trimmed, without duplicates, 3…10 of them.
    public var tags: [String]
    /// One line, no newlines.
    public var caption: String
    /// The model that answered, as the service names it (may be a dated snapshot such as
    /// `gpt-4o-mini-2024-07-18`).
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int

    public init(tags: [String], caption: String, model: String, promptTokens: Int, completionTokens: Int) {
        self.tags = tags
        self.caption = caption
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public var totalTokens: Int { promptTokens + completionTokens }
}

/// Why one photo got no tags. A per-photo outcome, never a reason to stop a whole job (except
/// `off`, `unauthorized` and `quotaExhausted`, which every other photo would meet too).
/// Descriptions are meant for a person and never carry an API key.
public enum TaggingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model declined to describe the photo (its refusal text, or the content filter).
    case refused(String)
    /// The answer was not the JSON asked for (cut off, unparseable, too few tags, …).
    case malformedAnswer(String)
    /// Still rate limited (429) after the bounded retries; `retryAfter` is what the service
    /// last asked for, if it said.
    case rateLimited(retryAfter: Duration?)
    /// The billing quota is spent (429 `insufficient_quota`): retrying does not help.
    case quotaExhausted
    /// No usable answer: 5xx after the bounded retries, a timeout, a connection failure.
    case unavailable(String)
    /// The API key was refused (401), or the service needs one and none is set.
    case unauthorized
    /// The photo could not be read or shrunk, or the service refused it as an image.
    case badImage(String)
    /// The service refused the request for another reason (unknown model, 400, 403, 404, …).
    case invalidRequest(String)
    /// Tagging is not configured; the reason names the variables to set.
    case off(reason: String)

    public var description: String {
        switch self {
        case .refused(let reason): "the model declined to tag the photo: \(reason)"
        case .malformedAnswer(let reason): "the model's answer was not usable: \(reason)"
        case .rateLimited(let retryAfter):
            "rate limited by the vision service (429); retry"
                + (retryAfter.map { " after \(Self.seconds($0)) s" } ?? " later")
        case .quotaExhausted: "the vision service's quota is exhausted (insufficient_quota); check billing"
        case .unavailable(let reason): "the vision service is unavailable: \(reason)"
        case .unauthorized: "the vision service refused the API key (401)"
        case .badImage(let reason): "the photo cannot be tagged: \(reason)"
        case .invalidRequest(let reason): "the vision service refused the request: \(reason)"
        case .off(let reason): "tagging is off: \(reason)"
        }
    }

    /// Whether the same photo may succeed later without a configuration change.
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .unavailable: true
        default: false
        }
    }

    /// Whole seconds, rounded up (a wait of 0.2 s reads "1 s").
    private static func seconds(_ duration: Duration) -> String {
        String(Int((duration.milliseconds / 1000).rounded(.up)))
    }
}

/// Tags photos with a vision model. Implementations bound their own concurrency, retries and
/// deadlines; every failure is a `TaggingFailure`.
public protocol Tagger: Sendable {
    /// The model asked for (the answer's `PhotoTags.model` may name a dated snapshot).
    var model: String { get }
    func tag(imageBytes: [UInt8]) async throws -> PhotoTags
}
