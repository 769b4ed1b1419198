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
        // The previous photo's result, being written while the next photo is claimed and
        // analysed: the worker's core never waits on that bookkeeping. At most one is in
        // flight; if it fails, its item's lease runs out and the photo is analysed again.
        var recording: Task<Void, any Error>? = nil
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let seen = doorbell?.rings ?? 0
                if let record = try await claimAndWork() {
                    await finish(recording)
                    recording = Task { try await record() }
                    busy = true
                } else {
                    await finish(recording)
                    recording = nil
                    if busy { ProcessMemory.returnFreed() }
                    busy = false
                    if let doorbell {
                        await doorbell.wait(after: seen, upTo: idleDelay)
                    } else {
                        try? await Task.sleep(for: idleDelay)
                    }
                }
            } catch {
                logger.error("queue unavailable", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await finish(recording)
        try await queue.release(owner: owner, now: Self.now())
    }

    /// Waits for a result being recorded; one that could not be is analysed again once its
    /// lease runs out.
    func finish(_ recording: Task<Void, any Error>?) async {
        do {
            try await recording?.value
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
        guard let record = try await claimAndWork() else { return false }
        try await record()
        return true
    }

    /// What is left to record once an item's work is done: the result and the item's
    /// completion (nothing, when the outcome is already recorded).
    typealias Recording = @Sendable () async throws -> Void

    /// Claims one item and does its work; nil when the queue had nothing ready.
    func claimAndWork() async throws -> Recording? {
        guard let item = try await queue.claim(owner: owner, now: Self.now()) else { return nil }
        if let handler = handlers[item.kind] {
            try await runHandled(item, handler)
            return {}
        }
        let metadata: Logger.Metadata = ["job.id": "\(item.jobID)", "photo.id": "\(item.photoID)"]
        guard let photo = try await photos.photo(id: item.photoID, userID: item.userID) else {
            try await queue.fail(item, reason: "the photo was deleted", retryable: false, now: Self.now())
            return {}
        }
        let clock = ContinuousClock(), start = clock.now
        do {
            let (analysis, _) = try analyzer.analyse(try library.bytes(of: photo))
            let elapsed = clock.now - start
            let result = PhotoAnalysis(
                blurScore: analysis.blurScore, likelyType: analysis.likelyType,
                directionDegrees: analysis.directionDegrees, processingTimeMs: elapsed.milliseconds,
                sharpnessMap: analysis.map, analyzedAt: Self.now())
            Measure.analysis.recordNanoseconds(Int64(elapsed.milliseconds * 1_000_000))
            let (photos, queue, logger) = (photos, queue, logger)
            return {
                try await photos.saveAnalysis(result, photoID: photo.id, userID: photo.userID)
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

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
