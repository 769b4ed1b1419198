import BlurDetection
import ClassifyCore
import ClassifyStore
import Foundation
import ImageDecoding
import Logging
import Metrics
import ServiceLifecycle

/// Work of other kinds than blur analysis (Google sync, albums) that the same workers run.
public protocol JobHandler: Sendable {
    var kinds: [String] { get }
    /// Does one item; throws `JobItemFailure` (or any error: retried) when it did not work.
    /// Long items call `renewLease` now and then so no other worker takes them.
    func run(_ item: JobItem, renewLease: @escaping @Sendable () async -> Void) async throws
    /// After the item was completed or failed.
    func finished(_ item: JobItem) async
}

/// Takes analysis jobs from the queue, one photo at a time, until shut down. Each worker has
/// its own lease owner name; on graceful shutdown it hands back what it holds.
public struct AnalysisWorker: Service {
    let queue: any JobQueue
    let photos: PhotoRepository
    let library: PhotoLibrary
    let analyzer: PhotoAnalyzer
    let owner: String
    let logger: Logger
    let idleDelay: Duration
    let handlers: [String: any JobHandler]
    /// How often a running handled item (Google, tags) renews its lease: a third of the lease.
    let leaseRenewal: Duration
    /// Rung when this process queues work: an idle worker wakes at once instead of at its
    /// next poll (`idleDelay`).
    let doorbell: JobDoorbell?

    /// Workers of one process should share `decoder`: its memory budget bounds their
    /// concurrent decodes together.
    public init(
        queue: any JobQueue, photos: PhotoRepository, library: PhotoLibrary, owner: String,
        decoder: ImageDecoder = ImageDecoder(), logger: Logger = Logger(label: "classify.worker"),
        idleDelay: Duration = .milliseconds(200), handlers: [any JobHandler] = [],
        leaseRenewal: Duration = .seconds(20), doorbell: JobDoorbell? = nil
    ) {
        self.doorbell = doorbell
        self.leaseRenewal = leaseRenewal
        var byKind: [String: any JobHandler] = [:]
        for handler in handlers { for kind in handler.kinds { byKind[kind] = handler } }
        self.handlers = byKind
        self.queue = queue
        self.photos = photos
        self.library = library
        self.analyzer = PhotoAnalyzer(decoder: decoder)
        self.owner = owner
        self.logger = logger
        self.idleDelay = idleDelay
    }

    public func run() async throws {
        var busy = false
        // While a photo is analysed, the next item is already being claimed and read
        // (`next`), and the previous photos' results are being written (`recording`): the
        // analysis holds one of the few threads of Swift's pool for ~25 ms at a time, so a
        // claim or a write that waited for that thread kept the worker idle for ~5 ms a
        // photo. Recordings run one after another; at most `maxUnrecorded` are left waiting.
        // A result that cannot be written is analysed again once its lease runs out.
        var next: Task<Claimed?, any Error>? = nil
        var recording: Task<Void, Never>? = nil
        var unrecorded = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let seen = doorbell?.rings ?? 0
                var claimed: Claimed? = nil
                if let pending = next {
                    next = nil
                    claimed = try await pending.value
                }
                // Claimed ahead when the queue was empty: look again, or work queued since
                // (and its doorbell) would be missed until the next poll.
                if claimed == nil { claimed = try await claim() }
                if let claimed {
                    // Only while a photo is analysed (milliseconds): an item claimed ahead of
                    // a handler's long call (Google, a vision model) would sit on a lease
                    // nobody renews.
                    if case .photo = claimed { next = Task { try await claim() } }
                    let record = try await work(claimed)
                    if unrecorded >= Self.maxUnrecorded {
                        await recording?.value
                        unrecorded = 0
                    }
                    let previous = recording
                    recording = Task {
                        await previous?.value
                        await finish(record)
                    }
                    unrecorded += 1
                    busy = true
                } else {
                    await recording?.value
                    (recording, unrecorded) = (nil, 0)
                    if busy { ProcessMemory.returnFreed() }
                    busy = false
                    if let doorbell {
                        await doorbell.wait(after: seen, upTo: idleDelay)
                    } else {
                        try? await Task.sleep(for: idleDelay)
                    }
                }
            } catch {
                next = nil
                logger.error("queue unavailable", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        // An item claimed ahead is handed back with the rest below.
        _ = try? await next?.value
        await recording?.value
        try await queue.release(owner: owner, now: Self.now())
    }

    /// How many analysed photos may wait for their results to be written.
    static let maxUnrecorded = 4

    /// Records a result; one that could not be recorded is analysed again once its lease
    /// runs out.
    func finish(_ record: Recording) async {
        do {
            try await record()
        } catch {
            logger.error(
                "a result could not be recorded; the photo is analysed again when its lease runs out",
                metadata: ["error": "\(error)"])
        }
    }

    /// Claims and analyses one item and records the outcome; false when the queue had
    /// nothing ready.
    @discardableResult
    public func processNext() async throws -> Bool {
        guard let claimed = try await claim() else { return false }
        try await work(claimed)()
        return true
    }

    /// What is left to record once an item's work is done: the result and the item's
    /// completion (nothing, when the outcome is already recorded).
    typealias Recording = @Sendable () async throws -> Void

    /// An item claimed, with what its work needs.
    enum Claimed: Sendable {
        /// A photo to analyse, and its bytes as read (or why they could not be).
        case photo(JobItem, Result<[UInt8], any Error>)
        /// An item of another kind, for its handler.
        case handled(JobItem, any JobHandler)
        /// An item already settled (its photo was deleted).
        case settled
    }

    /// Claims one item and reads what its work needs; nil when the queue had nothing ready.
    func claim() async throws -> Claimed? {
        guard let item = try await queue.claim(owner: owner, now: Self.now()) else { return nil }
        if let handler = handlers[item.kind] { return .handled(item, handler) }
        guard let contentHash = item.contentHash else {
            try await queue.fail(item, reason: Self.deleted, retryable: false, now: Self.now())
            return .settled
        }
        return .photo(item, Result { try library.bytes(contentHash: contentHash) })
    }

    /// Does a claimed item's work: analyses a photo (its result is left to record) or runs
    /// a handler (recorded already).
    func work(_ claimed: Claimed) async throws -> Recording {
        guard case let .photo(item, bytes) = claimed else {
            if case let .handled(item, handler) = claimed { try await runHandled(item, handler) }
            return {}
        }
        let metadata: Logger.Metadata = ["job.id": "\(item.jobID)", "photo.id": "\(item.photoID)"]
        // Its file went with it: a photo deleted since the claim is settled, not retried.
        if case .failure = bytes, try await photos.photo(id: item.photoID, userID: item.userID) == nil {
            try await queue.fail(item, reason: Self.deleted, retryable: false, now: Self.now())
            Measure.failed.increment()
            return {}
        }
        let clock = ContinuousClock(), start = clock.now
        do {
            let (analysis, _) = try analyzer.analyse(try bytes.get())
            let elapsed = clock.now - start
            let result = PhotoAnalysis(
                blurScore: analysis.blurScore, likelyType: analysis.likelyType,
                directionDegrees: analysis.directionDegrees, processingTimeMs: elapsed.milliseconds,
                sharpnessMap: analysis.map, analyzedAt: Self.now())
            Measure.analysis.recordNanoseconds(Int64(elapsed.milliseconds * 1_000_000))
            let (photos, queue, logger) = (photos, queue, logger)
            return {
                guard try await photos.saveAnalysis(result, photoID: item.photoID, userID: item.userID) else {
                    try await queue.fail(item, reason: Self.deleted, retryable: false, now: Self.now())
                    Measure.failed.increment()
                    return
                }
                if try await queue.complete(item, now: Self.now()) == false {
                    logger.notice(
                        "lease lost before the result was recorded; another worker took the item", metadata: metadata)
                }
                Measure.done.increment()
            }
        } catch let error as ImageDecodingError {
            logger.info("photo cannot be analysed", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            try await queue.fail(item, reason: error.description, retryable: false, now: Self.now())
            Measure.failed.increment()
        } catch let error as BlurDetectionError {
            try await queue.fail(item, reason: error.description, retryable: false, now: Self.now())
            Measure.failed.increment()
        } catch {
            Measure.retried.increment()
            logger.warning("analysis failed, will retry", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            try await queue.fail(item, reason: "\(error)", retryable: true, now: Self.now())
        }
        return {}
    }

    func runHandled(_ item: JobItem, _ handler: any JobHandler) async throws {
        let metadata: Logger.Metadata = ["job.id": "\(item.jobID)", "job.kind": "\(item.kind)"]
        let queue = queue
        do {
            let renew: @Sendable () async -> Void = { _ = try? await queue.extendLease(item, now: Self.now()) }
            // A call to Google or a vision model may wait far longer than the lease
            // (Retry-After, backoff, a slow answer): the lease is renewed all the while, so no
            // other worker takes the item and does (and pays for) it twice.
            try await Self.renewing(every: leaseRenewal, renew) { try await handler.run(item, renewLease: renew) }
            if try await queue.complete(item, now: Self.now()) == false {
                logger.notice("lease lost before the item was recorded", metadata: metadata)
            }
            Measure.done.increment()
        } catch let failure as JobItemFailure {
            logger.info("job item failed", metadata: metadata.merging(["reason": "\(failure.reason)"]) { $1 })
            try await queue.fail(item, reason: failure.reason, retryable: failure.retryable, now: Self.now())
            (failure.retryable ? Measure.retried : Measure.failed).increment()
        } catch {
            logger.warning("job item failed, will retry", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            try await queue.fail(item, reason: "\(error)", retryable: true, now: Self.now())
            Measure.retried.increment()
        }
        await handler.finished(item)
    }

    /// Runs `operation`, calling `renew` every `interval` until it ends.
    static func renewing(
        every interval: Duration, _ renew: @escaping @Sendable () async -> Void,
        _ operation: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    await renew()
                }
            }
            defer { group.cancelAll() }
            try await operation()
        }
    }

    /// Job items by outcome, and analysis time, for `/metrics`.
    enum Measure {
        static let done = Counter(label: "classify_job_items_total", dimensions: [("result", "done")])
        static let failed = Counter(label: "classify_job_items_total", dimensions: [("result", "failed")])
        static let retried = Counter(label: "classify_job_items_total", dimensions: [("result", "retried")])
        static let analysis = Metrics.Timer(label: "classify_analysis_duration_seconds")
    }

    /// Why an item whose photo is gone ends.
    static let deleted = "the photo was deleted"

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
