/// Whether AI tagging is available on this server, and why not.
public struct TaggingStatus: Sendable, Equatable {
    public var enabled: Bool
    public var model: String?
    /// Why tagging is off (names the settings to make), when it is.
    public var reason: String?

    public init(enabled: Bool, model: String?, reason: String?) {
        self.enabled = enabled
        self.model = model
        self.reason = reason
    }
}

/// What tagging did for one person: tags in use and what it cost.
public struct TagSummary: Sendable, Equatable {
    public struct TagCount: Sendable, Equatable {
        public var tag: String
        public var count: Int

        public init(tag: String, count: Int) {
            self.tag = tag
            self.count = count
        }
    }

    public var taggedPhotos: Int
    public var tags: [TagCount]
    /// Taggings done (cached answers included) and how many of them came from the cache.
    public var calls: Int
    public var cachedCalls: Int
    public var promptTokens: Int
    public var completionTokens: Int
    /// At the configured prices; nil when no price is known for a model used.
    public var estimatedCostUSD: Double?

    public init(
        taggedPhotos: Int, tags: [TagCount], calls: Int, cachedCalls: Int, promptTokens: Int, completionTokens: Int,
        estimatedCostUSD: Double?
    ) {
        self.taggedPhotos = taggedPhotos
        self.tags = tags
        self.calls = calls
        self.cachedCalls = cachedCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.estimatedCostUSD = estimatedCostUSD
    }
}

public enum TagServiceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case off(reason: String)
    case noSuchPhoto(String)

    public var description: String {
        switch self {
        case .off(let reason): "AI tagging is off: \(reason)"
        case .noSuchPhoto(let id): "no such photo: \(id)"
        }
    }
}

/// AI tags: queues tagging for the workers and reports what it cost.
public protocol TagService: Sendable {
    var status: TaggingStatus { get }
    /// Queues tagging of `photoIDs`, or (nil) of the photos `filter` selects at `threshold`.
    /// Without `force`, photos already tagged by the model are left out and an image tagged
    /// before (same bytes, same model) is answered from the cache at no cost.
    func tag(photoIDs: [String]?, filter: PhotoFilter, threshold: Double, force: Bool, userID: String)
        async throws -> (jobID: String, total: Int)
    func summary(userID: String) async throws -> TagSummary
}

/// A failed tagging and what its answer cost: a refusal, a cut-off or an unusable answer is
/// billed like any other (`promptTokens` and `completionTokens` from its `usage`); a failure
/// without an answer (a refused key, a 5xx, a timeout) costs 0 here.
public struct BilledTaggingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var failure: TaggingFailure
    public var promptTokens: Int
    public var completionTokens: Int

    public init(_ failure: TaggingFailure, promptTokens: Int = 0, completionTokens: Int = 0) {
        self.failure = failure
        self.promptTokens = max(0, promptTokens)
        self.completionTokens = max(0, completionTokens)
    }

    /// Whether the service billed the failed call.
    public var isBilled: Bool { promptTokens + completionTokens > 0 }

    public var description: String { failure.description }
}

/// A `Tagger` that also says what a failed call cost, so usage and the estimated cost count
/// every answer the service billed.
public protocol BillingTagger: Tagger {
    /// Like `tag(imageBytes:)`; its failures carry the tokens the service billed for them.
    func tagBilled(imageBytes: [UInt8]) async throws(BilledTaggingFailure) -> PhotoTags
}

extension TaggingFailure {
    /// Failures every other photo would meet too (the key, the quota, the configuration): a
    /// job stops calling the service after the first one.
    public var stopsTheJob: Bool {
        switch self {
        case .unauthorized, .quotaExhausted, .off: true
        default: false
        }
    }
}
