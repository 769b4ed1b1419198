import ClassifyCore
import ClassifyGoogle
import ClassifyStore
import Foundation
import Logging

/// Google Photos for the people of this server (issue 4, sections 3–5): picker sessions, the
/// sync job that fetches each picked photo's bytes once into the library (so nothing later
/// depends on a `baseUrl` that dies after an hour), and the resumable album job. The server
/// fetches only `baseUrl`s the picker returned for that person: no URL ever comes from a client.
public struct GooglePhotosLibrary: GooglePhotosService {
    public static let syncKind = "google-sync"
    public static let albumKind = "google-album"
    /// The derivative fetched for analysis, display and the album (`=w…-h…`).
    public static let fetchSide = 2048
    public static let maxFetchBytes = 50 * 1_048_576

    let accounts: GoogleAccounts
    let picker: GooglePickerClient
    let libraryAPI: GoogleLibraryClient
    let repository: GooglePhotosRepository
    let photos: PhotoRepository
    let library: PhotoLibrary
    let users: UserRepository
    let queue: any JobQueue
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        accounts: GoogleAccounts, picker: GooglePickerClient, libraryAPI: GoogleLibraryClient,
        repository: GooglePhotosRepository, photos: PhotoRepository, library: PhotoLibrary, users: UserRepository,
        queue: any JobQueue, logger: Logger = Logger(label: "classify.google.photos"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.accounts = accounts
        self.picker = picker
        self.libraryAPI = libraryAPI
        self.repository = repository
        self.photos = photos
        self.library = library
        self.users = users
        self.queue = queue
        self.logger = logger
        self.sleep = sleep
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Runs `body` with the person's access token: retried on 429/5xx as Google asks
    /// (Retry-After, else backoff), and once with a refreshed token on 401.
    func withGoogle<T: Sendable>(
        _ userID: String, _ feature: GoogleFeature,
        _ body: @Sendable (String) async throws(GooglePhotosError) -> T
    ) async throws -> T {
        var token = try await accounts.accessToken(userID: userID, for: feature)
        var refreshed = false
        while true {
            let current = token
            let outcome = await Self.attempt(sleep: sleep) { () async throws(GooglePhotosError) -> T in
                try await body(current)
            }
            switch outcome {
            case .success(let value): return value
            case .failure(let error):
                if error == .unauthenticated && !refreshed {
                    refreshed = true
                    token = try await accounts.accessToken(userID: userID, replacing: current)
                    continue
                }
                if error.insufficientScope { throw GooglePhotosFailure.access(.missingFeature(feature)) }
                throw error
            }
        }
    }

    static func attempt<T: Sendable>(
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        _ body: () async throws(GooglePhotosError) -> T
    ) async -> Result<T, GooglePhotosError> {
        do {
            return .success(try await GoogleRetry.run(sleep: sleep, body))
        } catch {
            return .failure(error)
        }
    }

    static func view(_ session: PickingSession, syncJobID: String?) -> PickerSessionView {
        PickerSessionView(
            id: session.id, pickerURI: session.pickerURI,
            pollIntervalSeconds: session.mediaItemsSet ? nil : session.pollInterval,
            pollTimeoutSeconds: session.mediaItemsSet ? nil : session.pollTimeout,
            expireTime: session.expireTime.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) },
            mediaItemsSet: session.mediaItemsSet, syncJobID: syncJobID)
    }

    static func failure(_ error: GooglePhotosError) -> GooglePhotosFailure {
        switch error {
        case .rateLimited(_, let daily):
            .google(
                daily
                    ? "Google Photos' daily quota is used up; it resets at midnight Pacific time."
                    : "Google Photos is busy (rate limited). Try again in a minute.")
        case .unauthenticated: .access(.needsReauth)
        default: .google(error.description)
        }
    }

    // MARK: Picking

    public func createPickerSession(userID: String) async throws -> PickerSessionView {
        let session: PickingSession
        do {
            session = try await withGoogle(userID, .pick) { token async throws(GooglePhotosError) in
                try await picker.createSession(accessToken: token)
            }
        } catch let error as GooglePhotosError {
            if case .failedPrecondition = error {
                throw GooglePhotosFailure.google("This Google account has no Google Photos library to pick from.")
            }
            if case .rateLimited(_, false) = error {
                throw GooglePhotosFailure.google(
                    "Too many picker sessions are open. Finish or close the open Google Photos tabs and try again.")
            }
            throw Self.failure(error)
        }
        try await repository.addSession(
            id: session.id, userID: userID, pickerURI: session.pickerURI,
            expireTime: session.expireTime.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) },
            now: Self.now())
        return Self.view(session, syncJobID: nil)
    }

    public func pickerSession(id: String, userID: String) async throws -> PickerSessionView {
        guard let stored = try await repository.session(id: id, userID: userID) else {
            throw GooglePhotosFailure.noSuchSession
        }
        if stored.deletedAt != nil {
            // Synced and closed: nothing more to ask Google.
            return PickerSessionView(
                id: stored.id, pickerURI: stored.pickerURI, pollIntervalSeconds: nil, pollTimeoutSeconds: nil,
                expireTime: stored.expireTime, mediaItemsSet: true, syncJobID: stored.syncJobID)
        }
        do {
            let session = try await withGoogle(userID, .pick) { token async throws(GooglePhotosError) in
                try await picker.getSession(id: id, accessToken: token)
            }
            return Self.view(session, syncJobID: stored.syncJobID)
        } catch let error as GooglePhotosError {
            if case .notFound = error { throw GooglePhotosFailure.sessionExpired }
            throw Self.failure(error)
        }
    }

    public func sync(sessionID: String, userID: String) async throws -> (jobID: String, total: Int) {
        guard let stored = try await repository.session(id: sessionID, userID: userID) else {
            throw GooglePhotosFailure.noSuchSession
        }
        if let jobID = stored.syncJobID, let job = try await queue.status(jobID: jobID, userID: userID),
            job.state == .queued || job.state == .running
        {
            return (jobID, job.total)  // already syncing: the same job
        }
        if stored.deletedAt != nil, let jobID = stored.syncJobID {
            return (jobID, 0)  // synced and closed: nothing new to fetch
        }
        let items = try await listPicked(sessionID: sessionID, userID: userID)
        let fetchAt = Self.now()
        try await repository.upsertItems(
            items.map { Self.record($0, sessionID: sessionID, at: fetchAt) }, userID: userID)
        // Re-syncing the same items duplicates nothing: only items without a photo are fetched.
        let toFetch = try await repository.itemsWithoutPhoto(items.map(\.id), userID: userID)
        let jobID = UUID().uuidString.lowercased()
        try await queue.enqueue(jobID: jobID, userID: userID, kind: Self.syncKind, photoIDs: toFetch, now: fetchAt)
        try await repository.setSyncJob(sessionID: sessionID, userID: userID, jobID: jobID)
        if toFetch.isEmpty { await closeSession(sessionID, userID: userID) }
        logger.info(
            "google sync queued",
            metadata: [
                "user.id": "\(userID)", "job.id": "\(jobID)", "picked": "\(items.count)",
                "to_fetch": "\(toFetch.count)",
            ])
        return (jobID, toFetch.count)
    }

    /// Every page of the session's picked photos (videos are left out).
    func listPicked(sessionID: String, userID: String) async throws -> [PickedMediaItem] {
        do {
            return try await withGoogle(userID, .pick) { token async throws(GooglePhotosError) in
                try await picker.allMediaItems(sessionID: sessionID, accessToken: token)
            }.filter(\.isPhoto)
        } catch let error as GooglePhotosError {
            switch error {
            case .failedPrecondition: throw GooglePhotosFailure.notPickedYet
            case .notFound: throw GooglePhotosFailure.sessionExpired
            default: throw Self.failure(error)
            }
        }
    }

    static func record(_ item: PickedMediaItem, sessionID: String, at: Int64) -> GooglePhotosRepository.PickedItem {
        let camera = [item.cameraMake, item.cameraModel].compactMap { $0 }.joined(separator: " ")
        return .init(
            googlePhotoID: item.id, sessionID: sessionID, baseURL: item.baseURL, baseURLAt: at,
            filename: item.filename, mimeType: item.mimeType,
            createTime: item.createTime.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) },
            width: item.width, height: item.height, camera: camera.isEmpty ? nil : camera)
    }

    /// Deletes the picker session at Google once (spec 5.8: sessions are capped).
    func closeSession(_ sessionID: String, userID: String) async {
        do {
            guard try await repository.markSessionDeleted(id: sessionID, userID: userID, now: Self.now()) else {
                return
            }
            try await withGoogle(userID, .pick) { token async throws(GooglePhotosError) in
                try await picker.deleteSession(id: sessionID, accessToken: token)
            }
        } catch {
            // Expired already, or Google unreachable: the session dies by itself at expireTime.
            logger.notice("picker session not deleted", metadata: ["error": "\(error)"])
        }
    }

    // MARK: The sync job: one item per picked photo

    /// Fetches one picked photo's bytes (once) into the library. A dead `baseUrl` is renewed
    /// by listing the session again while it lives.
    func syncItem(_ item: JobItem) async throws {
        guard let picked = try await repository.item(googlePhotoID: item.photoID, userID: item.userID) else {
            throw JobItemFailure(reason: "the picked item is not recorded", retryable: false)
        }
        if let photoID = picked.photoID, try await photos.photo(id: photoID, userID: item.userID) != nil { return }
        var current = picked
        var renewed = false
        while true {
            let baseURL = current.baseURL
            do {
                let fetched = try await withGoogle(item.userID, .pick) { token async throws(GooglePhotosError) in
                    try await picker.fetchBytes(
                        baseURL: baseURL, width: Self.fetchSide, height: Self.fetchSide, accessToken: token,
                        maxBytes: Self.maxFetchBytes)
                }
                let (photo, _) = try await library.add(
                    fetched.bytes, filename: current.filename ?? "\(current.googlePhotoID).jpg", userID: item.userID,
                    google: (
                        current.googlePhotoID,
                        current.createTime.map { Date(timeIntervalSince1970: Double($0) / 1000) }, current.camera
                    ))
                try await repository.linkPhoto(
                    googlePhotoID: current.googlePhotoID, photoID: photo.id, userID: item.userID)
                return
            } catch GooglePhotosError.mediaUnavailable(let status) where !renewed {
                renewed = true
                logger.info("baseUrl refused; listing the session again", metadata: ["status": "\(status)"])
                do {
                    let items = try await listPicked(sessionID: current.sessionID, userID: item.userID)
                    try await repository.upsertItems(
                        items.map { Self.record($0, sessionID: current.sessionID, at: Self.now()) },
                        userID: item.userID)
                } catch GooglePhotosFailure.sessionExpired {
                    throw JobItemFailure(
                        reason: "the picker session expired before this photo was fetched; pick it again",
                        retryable: false)
                }
                guard let again = try await repository.item(googlePhotoID: item.photoID, userID: item.userID) else {
                    throw JobItemFailure(reason: "the picked item is gone", retryable: false)
                }
                current = again
            } catch let error as GooglePhotosError {
                throw JobItemFailure(reason: error.description, retryable: error.isRetryable)
            } catch let failure as PhotoLibrary.Failure {
                throw JobItemFailure(reason: failure.description, retryable: false)
            } catch let failure as GoogleAccessFailure {
                throw JobItemFailure(reason: failure.description, retryable: failure.isRetryable)
            } catch let failure as GooglePhotosFailure {
                throw JobItemFailure(reason: failure.description, retryable: false)
            }
        }
    }

    /// After each sync item: when the job has nothing left, the picker session is deleted.
    func syncItemFinished(_ item: JobItem) async {
        guard let job = try? await queue.status(jobID: item.jobID, userID: item.userID),
            job.state == .done || job.state == .failed,
            let picked = try? await repository.item(googlePhotoID: item.photoID, userID: item.userID)
        else { return }
        await closeSession(picked.sessionID, userID: item.userID)
    }
}

/// One job item that did not work, and whether trying again may help.
public struct JobItemFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var retryable: Bool

    public init(reason: String, retryable: Bool) {
        self.reason = reason
        self.retryable = retryable
    }

    public var description: String { reason }
}

extension GoogleAccessFailure {
    var isRetryable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}

extension GooglePhotosLibrary: JobHandler {
    public var kinds: [String] { [Self.syncKind, Self.albumKind] }

    public func run(_ item: JobItem, renewLease: @escaping @Sendable () async -> Void) async throws {
        switch item.kind {
        case Self.syncKind: try await syncItem(item)
        case Self.albumKind: try await albumJob(item, renewLease: renewLease)
        default: throw JobItemFailure(reason: "unknown job kind \(item.kind)", retryable: false)
        }
    }

    public func finished(_ item: JobItem) async {
        if item.kind == Self.syncKind { await syncItemFinished(item) }
    }
}
