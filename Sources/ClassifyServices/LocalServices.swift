import ClassifyCore
import ClassifyStore
import Foundation

/// The auth service in process: users and refresh tokens in the auth database, JWTs signed
/// with the server's secret. Local mode's one user is `local`.
public struct LocalAuthService: AuthService {
    public static let localUserID = "local"

    let tokens: TokenService
    let users: UserRepository
    let localPassword: String?

    public init(tokens: TokenService, users: UserRepository, localPassword: String?) {
        self.tokens = tokens
        self.users = users
        self.localPassword = localPassword
    }

    public func localUser(password: String?) async throws -> User {
        if let localPassword, !Self.constantTimeEquals(password ?? "", localPassword) {
            throw AuthFailure.wrongPassword
        }
        return try await users.ensureUser(
            id: Self.localUserID, email: nil, name: "Local user", now: TokenService.milliseconds(Date()))
    }

    public func signInLocal(password: String?) async throws -> (user: User, tokens: TokenPair) {
        let user = try await localUser(password: password)
        return (user, try await tokens.issue(userID: user.id, now: Date()))
    }

    public func issueTokens(userID: String) async throws -> TokenPair {
        try await tokens.issue(userID: userID, now: Date())
    }

    public func refresh(_ refreshToken: String) async throws -> (user: User, tokens: TokenPair) {
        let pair: TokenPair
        do {
            pair = try await tokens.refresh(refreshToken, now: Date())
        } catch is TokenService.Failure {
            throw AuthFailure.invalidRefreshToken
        }
        guard let user = try await users.user(id: try await tokens.verify(accessToken: pair.accessToken)) else {
            throw AuthFailure.unknownUser
        }
        return (user, pair)
    }

    public func verify(accessToken: String) async throws -> String {
        do {
            return try await tokens.verify(accessToken: accessToken)
        } catch {
            throw AuthFailure.invalidAccessToken
        }
    }

    public func logout(userID: String) async throws {
        try await tokens.logout(userID: userID, now: Date())
    }

    public func user(id: String) async throws -> User? {
        try await users.user(id: id)
    }

    public func setThreshold(_ threshold: BlurThreshold, userID: String) async throws {
        try await users.setThreshold(threshold.value, userID: userID)
    }

    /// Compares without stopping at the first difference, so timing says nothing.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = x.count ^ y.count
        for index in 0..<max(x.count, y.count) {
            difference |= Int((index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0))
        }
        return difference == 0
    }
}

/// The photos service in process: records in the photos database, bytes under DATA_DIR.
public struct LocalPhotosService: PhotosService {
    let repository: PhotoRepository
    let library: PhotoLibrary
    let tags: TagRepository

    public init(repository: PhotoRepository, library: PhotoLibrary, tags: TagRepository) {
        self.repository = repository
        self.library = library
        self.tags = tags
    }

    public func list(
        userID: String, filter: PhotoFilter, threshold: Double, limit: Int, cursor: String?, tag: String? = nil,
        search: String? = nil
    ) async throws -> PhotoPage {
        var after: PhotoRepository.Cursor? = nil
        if let cursor {
            guard let parsed = PhotoRepository.Cursor(cursor) else { throw PhotosFailure.badCursor }
            after = parsed
        }
        let page = try await repository.list(
            userID: userID, filter: filter, threshold: threshold, limit: limit, after: after, tag: tag,
            search: search)
        return PhotoPage(photos: try await withTags(page.photos, userID: userID), nextCursor: page.next?.description)
    }

    func withTags(_ photos: [Photo], userID: String) async throws -> [Photo] {
        let tagged = photos.filter { $0.tagModel != nil }.map(\.id)
        guard !tagged.isEmpty else { return photos }
        let byPhoto = try await tags.tags(photoIDs: tagged, userID: userID)
        return photos.map { photo in
            var photo = photo
            photo.tags = byPhoto[photo.id] ?? []
            return photo
        }
    }

    public func photo(id: String, userID: String) async throws -> Photo? {
        guard let photo = try await repository.photo(id: id, userID: userID) else { return nil }
        return try await withTags([photo], userID: userID).first
    }

    /// Deletes the photo; its bytes and renditions go with it unless another photo has them.
    public func delete(id: String, userID: String) async throws -> Bool {
        guard
            let hash = try await repository.delete(id: id, userID: userID, now: TokenService.milliseconds(Date()))
        else { return false }
        try await library.release(contentHash: hash)
        return true
    }

    public func add(_ bytes: [UInt8], filename: String, userID: String) async throws -> (photo: Photo, created: Bool) {
        do {
            return try await library.add(bytes, filename: filename, userID: userID)
        } catch let failure as PhotoLibrary.Failure {
            throw PhotosFailure.notAccepted(failure.description)
        }
    }

    public func receive() throws -> any IncomingFile {
        try library.receive()
    }

    public func add(_ file: any IncomingFile, filename: String, userID: String) async throws -> (
        photo: Photo, created: Bool
    ) {
        guard let file = file as? IncomingPhotoFile else {
            preconditionFailure("an IncomingFile from another PhotosService")
        }
        do {
            return try await library.add(file, filename: filename, userID: userID)
        } catch let failure as PhotoLibrary.Failure {
            throw PhotosFailure.notAccepted(failure.description)
        }
    }

    public func image(of photo: Photo, size: PhotoSize) async throws -> (bytes: [UInt8], mimeType: String) {
        do {
            return try library.rendition(of: photo, size)
        } catch {
            throw PhotosFailure.unreadable("\(error)")
        }
    }

    public func counts(userID: String, threshold: Double) async throws -> [PhotoFilter: Int] {
        try await repository.counts(userID: userID, threshold: threshold)
    }

    public func statistics(userID: String, threshold: Double) async throws -> PhotoStatistics {
        try await repository.statistics(userID: userID, threshold: threshold)
    }
}

/// The blur service's front: checks ownership and queues the photos for the workers
/// (`AnalysisWorker`), which analyse and store the results.
public struct QueueBlurService: BlurService {
    public static let maxBatch = 10_000

    let queue: any JobQueue
    let photos: PhotoRepository

    public init(queue: any JobQueue, photos: PhotoRepository) {
        self.queue = queue
        self.photos = photos
    }

    public func analyze(photoIDs: [String]?, userID: String) async throws -> (jobID: String, total: Int) {
        var ids: [String] = []
        if let photoIDs {
            guard photoIDs.count <= Self.maxBatch else { throw BlurServiceFailure.tooManyPhotos(limit: Self.maxBatch) }
            let owned = try await photos.ownedIDs(photoIDs, userID: userID)
            if let missing = photoIDs.first(where: { !owned.contains($0) }) {
                throw BlurServiceFailure.noSuchPhoto(missing)
            }
            ids = photoIDs
        } else {
            // "All unprocessed" leaves out what is already queued, so pressing the button
            // twice does not analyse everything twice.
            let pending = try await queue.pendingPhotoIDs(userID: userID, kind: "analyze")
            var cursor: PhotoRepository.Cursor? = nil
            repeat {
                let page = try await photos.list(
                    userID: userID, filter: .unprocessed, threshold: 0.5, limit: 200, after: cursor)
                ids += page.photos.map(\.id).filter { !pending.contains($0) }
                cursor = page.next
            } while cursor != nil
        }
        let jobID = UUID().uuidString.lowercased()
        try await queue.enqueue(
            jobID: jobID, userID: userID, kind: "analyze", photoIDs: ids, now: TokenService.milliseconds(Date()))
        return (jobID, Set(ids).count)
    }

    public func job(id: String, userID: String) async throws -> JobStatus? {
        try await queue.status(jobID: id, userID: userID)
    }
}
