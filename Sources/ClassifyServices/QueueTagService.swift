import ClassifyCore
import ClassifyStore
import Foundation
import Logging

/// AI tagging through the job queue (issue 5): one item per photo, run by the same workers as
/// blur analysis (`JobHandler`). A photo already tagged by the model is skipped, an image tagged
/// before is answered from the cache (no tokens), and only otherwise are its bytes sent
/// (the tagger shrinks them to ≤ 512 px). `force` re-asks the model.
public struct QueueTagService: TagService, JobHandler {
    public static let kind = "tag"
    public static let forceKind = "tag-force"
    public static let maxBatch = 10_000

    /// Price per million tokens, input and output, in US dollars.
    public struct Prices: Sendable, Equatable {
        public var input: Double
        public var output: Double

        public init(input: Double, output: Double) {
            self.input = input
            self.output = output
        }
    }

    let tagger: (any Tagger)?
    let offReason: String?
    let prices: [String: Prices]
    let queue: any JobQueue
    let photos: PhotoRepository
    let tags: TagRepository
    let library: PhotoLibrary
    let logger: Logger

    /// `tagger` nil: tagging is off for `offReason`.
    public init(
        tagger: (any Tagger)?, offReason: String?, prices: [String: Prices], queue: any JobQueue,
        photos: PhotoRepository, tags: TagRepository, library: PhotoLibrary,
        logger: Logger = Logger(label: "classify.tags")
    ) {
        self.tagger = tagger
        self.offReason = offReason
        self.prices = prices
        self.queue = queue
        self.photos = photos
        self.tags = tags
        self.library = library
        self.logger = logger
    }

    public var status: TaggingStatus {
        TaggingStatus(enabled: tagger != nil, model: tagger?.model, reason: tagger == nil ? offReason : nil)
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    public func tag(photoIDs: [String]?, filter: PhotoFilter, threshold: Double, force: Bool, userID: String)
        async throws -> (jobID: String, total: Int)
    {
        guard let tagger else { throw TagServiceFailure.off(reason: offReason ?? "not configured") }
        let ids: [String]
        if let photoIDs {
            for id in Set(photoIDs) where try await photos.photo(id: id, userID: userID) == nil {
                throw TagServiceFailure.noSuchPhoto(id)
            }
            ids = photoIDs
        } else {
            ids = try await tags.photoIDsToTag(
                userID: userID, filter: filter, threshold: threshold, model: tagger.model, force: force)
        }
        let pending = try await queue.pendingPhotoIDs(userID: userID, kind: force ? Self.forceKind : Self.kind)
        let queued = Array(Set(ids).subtracting(pending)).sorted()
        guard queued.count <= Self.maxBatch else { throw BlurServiceFailure.tooManyPhotos(limit: Self.maxBatch) }
        let jobID = UUID().uuidString.lowercased()
        try await queue.enqueue(
            jobID: jobID, userID: userID, kind: force ? Self.forceKind : Self.kind, photoIDs: queued, now: Self.now())
        return (jobID, queued.count)
    }

    public func summary(userID: String) async throws -> TagSummary {
        let usage = try await tags.usage(userID: userID)
        var cost: Double? = 0
        for entry in usage where entry.calls > entry.cachedCalls {
            guard let price = prices[entry.model], let sum = cost else {
                cost = nil
                continue
            }
            cost =
                sum + Double(entry.promptTokens) * price.input / 1e6 + Double(entry.completionTokens) * price.output
                / 1e6
        }
        return TagSummary(
            taggedPhotos: try await tags.taggedCount(userID: userID),
            tags: try await tags.tagCounts(userID: userID, limit: 30).map { .init(tag: $0.tag, count: $0.count) },
            calls: usage.map(\.calls).reduce(0, +), cachedCalls: usage.map(\.cachedCalls).reduce(0, +),
            promptTokens: usage.map(\.promptTokens).reduce(0, +),
            completionTokens: usage.map(\.completionTokens).reduce(0, +), estimatedCostUSD: cost)
    }

    // MARK: JobHandler

    public var kinds: [String] { [Self.kind, Self.forceKind] }

    public func run(_ item: JobItem, renewLease: @escaping @Sendable () async -> Void) async throws {
        guard let tagger else {
            throw JobItemFailure(reason: "tagging is off: \(offReason ?? "not configured")", retryable: false)
        }
        guard let photo = try await photos.photo(id: item.photoID, userID: item.userID) else {
            throw JobItemFailure(reason: "the photo was deleted", retryable: false)
        }
        let force = item.kind == Self.forceKind
        if !force {
            if photo.tagModel == tagger.model { return }
            if let cached = try await tags.cached(contentHash: photo.contentHash, model: tagger.model) {
                try await tags.save(
                    cached, photoID: photo.id, userID: photo.userID, contentHash: photo.contentHash, cached: true,
                    now: Self.now())
                return
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try library.bytes(of: photo)
        } catch {
            throw JobItemFailure(reason: "the photo's file cannot be read", retryable: false)
        }
        do {
            let answer = try await tagger.tag(imageBytes: bytes)
            try await tags.save(
                .init(
                    tags: answer.tags, caption: answer.caption, model: tagger.model,
                    promptTokens: answer.promptTokens, completionTokens: answer.completionTokens),
                photoID: photo.id, userID: photo.userID, contentHash: photo.contentHash, cached: false,
                now: Self.now())
        } catch let failure as TaggingFailure {
            throw JobItemFailure(reason: failure.description, retryable: failure.isTransient)
        }
    }

    public func finished(_ item: JobItem) async {}
}
