import ClassifyCore
import ClassifyGoogle
import ClassifyStore
import Foundation

/// The album of clear photos (issue 4, section 5): one job item per album, run by one worker
/// so that `batchCreate` calls are serial for the person (spec 3.2). Each photo moves
/// pending → uploaded (upload token, valid a day) → creating (sent) → done | failed, recorded
/// before and after every call, so a killed or failed job resumes where it stopped: photos
/// already in the album are not sent again, and a batch whose answer was lost is checked
/// against the album's contents before anything is re-sent.
extension GooglePhotosLibrary {
    /// Upload tokens live a day; older ones are replaced.
    static let uploadTokenLife: Int64 = 23 * 3_600_000
    static let uploadConcurrency = 4
    static let rounds = 3

    static func defaultTitle(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return "Classify – clear photos \(formatter.string(from: date))"
    }

    public func createAlbum(userID: String, title: String?) async throws -> AlbumProgress {
        // Fails early with the reason when the person cannot make albums (scope unticked,
        // Google access dead).
        _ = try await accounts.accessToken(userID: userID, for: .album)
        guard let user = try await users.user(id: userID) else { throw GoogleAccessFailure.notConnected }
        let clear = try await photos.clearPhotoIDs(userID: userID, threshold: user.blurThreshold)
        let title = title?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let latest = try await repository.latestAlbum(userID: userID),
            title == nil || title!.isEmpty || title == latest.title,
            let job = try await queue.status(jobID: latest.jobID, userID: userID)
        {
            if job.state == .queued || job.state == .running {
                return try await album(id: latest.id, userID: userID)!  // already on its way
            }
            let items = try await repository.albumItems(albumID: latest.id)
            let known = Set(items.map(\.photoID))
            let added = clear.filter { !known.contains($0) }
            if job.state == .failed || items.contains(where: { $0.state != "done" }) {
                // Run again after a failure or a kill: the same album continues.
                let jobID = UUID().uuidString.lowercased()
                try await repository.resumeAlbum(id: latest.id, jobID: jobID, newPhotoIDs: added)
                try await queue.enqueue(
                    jobID: jobID, userID: userID, kind: Self.albumKind, photoIDs: [latest.id], now: Self.now())
                return try await album(id: latest.id, userID: userID)!
            }
        }
        guard !clear.isEmpty else { throw GooglePhotosFailure.noClearPhotos }
        let albumID = UUID().uuidString.lowercased(), jobID = UUID().uuidString.lowercased()
        let name = (title?.isEmpty ?? true) ? Self.defaultTitle() : String(title!.prefix(500))
        try await repository.addAlbum(
            id: albumID, userID: userID, jobID: jobID, title: name, photoIDs: clear, now: Self.now())
        try await queue.enqueue(
            jobID: jobID, userID: userID, kind: Self.albumKind, photoIDs: [albumID], now: Self.now())
        logger.info(
            "album queued", metadata: ["user.id": "\(userID)", "album.id": "\(albumID)", "photos": "\(clear.count)"])
        return try await album(id: albumID, userID: userID)!
    }

    public func album(id: String, userID: String) async throws -> AlbumProgress? {
        guard let album = try await repository.album(id: id, userID: userID) else { return nil }
        let items = try await repository.albumItems(albumID: id)
        let job = try await queue.status(jobID: album.jobID, userID: userID)
        let state: AlbumProgress.State =
            switch job?.state {
            case .queued, nil: .queued
            case .running: .running
            case .done: .done
            case .failed: .failed
            }
        var errors: [String: String] = [:]
        for item in items where item.state == "failed" { errors[item.photoID] = item.error ?? "failed" }
        return AlbumProgress(
            id: id, jobID: album.jobID, title: album.title, state: state, total: items.count,
            done: items.filter { $0.state == "done" }.count, failed: errors.count, productURL: album.productURL,
            errors: errors, jobError: job?.errors[id])
    }

    // MARK: The job

    func albumJob(_ item: JobItem, renewLease: @escaping @Sendable () async -> Void) async throws {
        let userID = item.userID, albumID = item.photoID
        guard let album = try await repository.album(id: albumID, userID: userID) else {
            throw JobItemFailure(reason: "the album was deleted", retryable: false)
        }
        do {
            var googleAlbumID = album.googleAlbumID
            if googleAlbumID == nil {
                let title = album.title
                let created = try await withGoogle(userID, .album) { token async throws(GooglePhotosError) in
                    try await libraryAPI.createAlbum(title: title, accessToken: token)
                }
                try await repository.setGoogleAlbum(
                    id: albumID, googleAlbumID: created.id, productURL: created.productURL)
                googleAlbumID = created.id
            }
            guard let googleAlbumID else { return }
            await renewLease()
            for _ in 0..<Self.rounds {
                try await reconcileCreating(albumID: albumID, googleAlbumID: googleAlbumID, userID: userID)
                try await uploadPending(albumID: albumID, userID: userID, renewLease: renewLease)
                try await createUploaded(
                    albumID: albumID, googleAlbumID: googleAlbumID, userID: userID, renewLease: renewLease)
                let left = try await repository.albumItems(albumID: albumID).filter {
                    $0.state == "pending" || $0.state == "uploaded" || $0.state == "creating"
                }
                if left.isEmpty { return }
            }
            try await reconcileCreating(albumID: albumID, googleAlbumID: googleAlbumID, userID: userID)
            for left in try await repository.albumItems(albumID: albumID)
            where left.state == "pending" || left.state == "uploaded" {
                try await repository.updateAlbumItem(
                    albumID: albumID, photoID: left.photoID, state: "failed", uploadToken: nil, uploadedAt: nil,
                    mediaItemID: nil, error: left.error ?? "Google did not accept the photo after \(Self.rounds) tries")
            }
        } catch let error as GooglePhotosError {
            throw JobItemFailure(reason: error.description, retryable: error.isRetryable)
        } catch let failure as GoogleAccessFailure {
            throw JobItemFailure(reason: failure.description, retryable: failure.isRetryable)
        } catch let failure as GooglePhotosFailure {
            throw JobItemFailure(reason: failure.description, retryable: false)
        }
    }

    /// Photos whose batch was sent but whose answer was never recorded (the worker died): those
    /// already in the album are done; the rest are uploaded again (their token may be used).
    func reconcileCreating(albumID: String, googleAlbumID: String, userID: String) async throws {
        let items = try await repository.albumItems(albumID: albumID)
        let creating = items.filter { $0.state == "creating" }
        guard !creating.isEmpty else { return }
        var inAlbum: [String: [String]] = [:]
        let recorded = Set(items.compactMap(\.mediaItemID))
        if try await accounts.connection(userID: userID).features.contains(.albumCheck) {
            let found = try await withGoogle(userID, .albumCheck) { token async throws(GooglePhotosError) in
                try await libraryAPI.searchAlbumItems(albumID: googleAlbumID, accessToken: token)
            }
            for entry in found where !recorded.contains(entry.id) {
                inAlbum[entry.filename ?? "", default: []].append(entry.id)
            }
        } else {
            logger.warning("album resumed without the album-check permission; a photo may be added twice")
        }
        for entry in creating {
            let name = try await photos.photo(id: entry.photoID, userID: userID)?.filename ?? ""
            if var ids = inAlbum[name], let id = ids.popLast() {
                inAlbum[name] = ids
                try await repository.updateAlbumItem(
                    albumID: albumID, photoID: entry.photoID, state: "done", uploadToken: nil, uploadedAt: nil,
                    mediaItemID: id, error: nil)
            } else {
                try await repository.updateAlbumItem(
                    albumID: albumID, photoID: entry.photoID, state: "pending", uploadToken: nil, uploadedAt: nil,
                    mediaItemID: nil, error: nil)
            }
        }
    }

    /// Uploads the bytes of every pending photo (a few at a time) and keeps their tokens.
    func uploadPending(albumID: String, userID: String, renewLease: @escaping @Sendable () async -> Void)
        async throws
    {
        let now = Self.now()
        let pending = try await repository.albumItems(albumID: albumID).filter {
            $0.state == "pending"
                || ($0.state == "uploaded" && ($0.uploadedAt ?? 0) < now - Self.uploadTokenLife)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for entry in pending {
                if running == Self.uploadConcurrency {
                    try await group.next()
                    running -= 1
                }
                group.addTask { try await self.upload(entry.photoID, albumID: albumID, userID: userID) }
                running += 1
            }
            while try await group.next() != nil { await renewLease() }
        }
        await renewLease()
    }

    func upload(_ photoID: String, albumID: String, userID: String) async throws {
        guard let photo = try await photos.photo(id: photoID, userID: userID) else {
            try await repository.updateAlbumItem(
                albumID: albumID, photoID: photoID, state: "failed", uploadToken: nil, uploadedAt: nil,
                mediaItemID: nil, error: "the photo was deleted from Classify")
            return
        }
        let bytes: [UInt8]
        do {
            bytes = try library.bytes(of: photo)
        } catch {
            try await repository.updateAlbumItem(
                albumID: albumID, photoID: photoID, state: "failed", uploadToken: nil, uploadedAt: nil,
                mediaItemID: nil, error: "the photo's file cannot be read")
            return
        }
        do {
            let token = try await withGoogle(userID, .album) { token async throws(GooglePhotosError) in
                try await libraryAPI.upload(
                    bytes: bytes, mimeType: photo.mimeType, fileName: photo.filename, accessToken: token)
            }
            try await repository.updateAlbumItem(
                albumID: albumID, photoID: photoID, state: "uploaded", uploadToken: token, uploadedAt: Self.now(),
                mediaItemID: nil, error: nil)
        } catch let error as GooglePhotosError where !error.isRetryable {
            try await repository.updateAlbumItem(
                albumID: albumID, photoID: photoID, state: "failed", uploadToken: nil, uploadedAt: nil,
                mediaItemID: nil, error: error.description)
        }
    }

    /// `batchCreate` of the uploaded photos, ≤ 50 per call, one call at a time; every item's
    /// status is recorded.
    func createUploaded(
        albumID: String, googleAlbumID: String, userID: String, renewLease: @escaping @Sendable () async -> Void
    ) async throws {
        let uploaded = try await repository.albumItems(albumID: albumID).filter {
            $0.state == "uploaded" && $0.uploadToken != nil
        }
        var start = 0
        while start < uploaded.count {
            let chunk = Array(uploaded[start..<min(start + GoogleLibraryClient.maxBatchCreateItems, uploaded.count)])
            start += chunk.count
            var requests: [NewMediaItem] = []
            for entry in chunk {
                let name = try await photos.photo(id: entry.photoID, userID: userID)?.filename
                requests.append(NewMediaItem(uploadToken: entry.uploadToken!, fileName: name))
                try await repository.updateAlbumItem(
                    albumID: albumID, photoID: entry.photoID, state: "creating", uploadToken: entry.uploadToken,
                    uploadedAt: entry.uploadedAt, mediaItemID: nil, error: nil)
            }
            let results: [BatchCreateResult]
            do {
                let sent = requests
                results = try await withGoogle(userID, .album) { token async throws(GooglePhotosError) in
                    try await libraryAPI.batchCreate(albumID: googleAlbumID, items: sent, accessToken: token)
                }
            } catch let error as GooglePhotosError {
                // No answer: the batch may or may not have landed; the next run checks (reconcile).
                if error.isRetryable { throw error }
                for entry in chunk {
                    try await repository.updateAlbumItem(
                        albumID: albumID, photoID: entry.photoID, state: "failed", uploadToken: nil, uploadedAt: nil,
                        mediaItemID: nil, error: error.description)
                }
                continue
            }
            let byToken = Dictionary(results.map { ($0.uploadToken, $0) }, uniquingKeysWith: { first, _ in first })
            for entry in chunk {
                guard let result = byToken[entry.uploadToken!] else {
                    try await repository.updateAlbumItem(
                        albumID: albumID, photoID: entry.photoID, state: "uploaded", uploadToken: entry.uploadToken,
                        uploadedAt: entry.uploadedAt, mediaItemID: nil, error: "Google did not answer for this photo")
                    continue
                }
                if result.succeeded {
                    try await repository.updateAlbumItem(
                        albumID: albumID, photoID: entry.photoID, state: "done", uploadToken: nil, uploadedAt: nil,
                        mediaItemID: result.mediaItemID, error: nil)
                } else if result.isTransient {
                    // Transient (e.g. 13 INTERNAL): the token stays usable; send it again.
                    try await repository.updateAlbumItem(
                        albumID: albumID, photoID: entry.photoID, state: "uploaded", uploadToken: entry.uploadToken,
                        uploadedAt: entry.uploadedAt, mediaItemID: nil, error: result.message)
                } else if result.message.localizedCaseInsensitiveContains("upload token") {
                    // Expired, or already used: perhaps by an earlier try of this batch whose
                    // answer was lost (a 5xx after Google created the items). The next round
                    // checks the album before uploading again.
                    try await repository.updateAlbumItem(
                        albumID: albumID, photoID: entry.photoID, state: "creating", uploadToken: nil,
                        uploadedAt: nil, mediaItemID: nil, error: result.message)
                } else {
                    try await repository.updateAlbumItem(
                        albumID: albumID, photoID: entry.photoID, state: "failed", uploadToken: nil, uploadedAt: nil,
                        mediaItemID: nil, error: result.message)
                }
            }
            await renewLease()
        }
    }
}
