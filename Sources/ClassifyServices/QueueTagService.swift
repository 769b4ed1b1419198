import ClassifyCore
import ClassifyStore
import Foundation
import Logging

/// AI tagging through the job queue (issue 5): one item per photo, run by the same workers as
/// blur analysis (`JobHandler`). A photo already tagged by the model is skipped, an image tagged
/// before is answered from the cache (no tokens), and only otherwise are its bytes sent
/// (the tagger shrinks them to ≤ 512 px). `force` re-asks the model.
///
/// While a photo is being tagged (waiting for one of the tagger's permits, retrying, waiting
/// for a slow answer) the worker renews its lease, so no other worker takes the photo and pays
/// for it again. After a failure every other photo would meet too (a refused
/// key, no quota) the job's remaining photos fail at once with the same reason instead of each
/// sending a doomed request. Billed failures (a refusal, an unusable answer) count in usage.
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
    let stoppedJobs = StoppedJobs()

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
        if let reason = await stoppedJobs.reason(item.jobID) {
            throw JobItemFailure(reason: reason, retryable: false)
        }
        let bytes: [UInt8]
        do {
            bytes = try library.bytes(of: photo)
        } catch {
            throw JobItemFailure(reason: "the photo's file cannot be read", retryable: false)
        }
        let answer: PhotoTags
        do {
            if let billing = tagger as? any BillingTagger {
                answer = try await billing.tagBilled(imageBytes: bytes)
            } else {
                answer = try await tagger.tag(imageBytes: bytes)
            }
        } catch let billed as BilledTaggingFailure {
            if billed.isBilled {
                try await tags.recordFailedCall(
                    photoID: photo.id, userID: photo.userID, model: tagger.model, promptTokens: billed.promptTokens,
                    completionTokens: billed.completionTokens, now: Self.now())
            }
            throw await failed(item, billed.failure)
        } catch let failure as TaggingFailure {
            throw await failed(item, failure)
        }
        try await tags.save(
            .init(
                tags: answer.tags, caption: answer.caption, model: tagger.model,
                promptTokens: answer.promptTokens, completionTokens: answer.completionTokens),
            photoID: photo.id, userID: photo.userID, contentHash: photo.contentHash, cached: false,
            now: Self.now())
    }

    /// The item's failure; one that every other photo would meet too stops the job.
    private func failed(_ item: JobItem, _ failure: TaggingFailure) async -> JobItemFailure {
        if failure.stopsTheJob {
            await stoppedJobs.stop(item.jobID, reason: failure.description)
            logger.warning(
                "tagging job stopped: its other photos fail without a request",
                metadata: ["job.id": "\(item.jobID)", "reason": "\(failure)"])
        }
        return JobItemFailure(reason: failure.description, retryable: failure.isTransient)
    }

    public func finished(_ item: JobItem) async {}
}

/// Jobs that met a failure every other photo would meet too, with its reason (the last 256).
actor StoppedJobs {
    private var reasons: [String: String] = [:]
    private var order: [String] = []

    func reason(_ jobID: String) -> String? { reasons[jobID] }

    func stop(_ jobID: String, reason: String) {
        guard reasons[jobID] == nil else { return }
        reasons[jobID] = reason
        order.append(jobID)
        if order.count > 256 { reasons[order.removeFirst()] = nil }
    }
}
