/// The seams of DESIGN.md section 1. The gateway (ClassifyWeb) speaks only to these; in the
/// embedded profile they are direct calls to ClassifyServices, in the distributed one the same
/// protocols get HTTP implementations that call each service's internal API.

/// Durable, at-least-once work: items are leased to a worker, completed, failed (with
/// bounded retries) or handed back.
public protocol JobQueue: Sendable {
    func enqueue(jobID: String, userID: String, kind: String, photoIDs: [String], now: Int64) async throws
    /// Leases the next ready item to `owner`, or nil when nothing is ready.
    func claim(owner: String, now: Int64) async throws -> JobItem?
    /// Marks the item done; false when its lease was lost meanwhile.
    func complete(_ item: JobItem, now: Int64) async throws -> Bool
    func fail(_ item: JobItem, reason: String, retryable: Bool, now: Int64) async throws
    /// Renews the lease of an item still being worked on (long items: an album); false when
    /// the lease was lost meanwhile.
    func extendLease(_ item: JobItem, now: Int64) async throws -> Bool
    /// Hands back everything `owner` holds (graceful shutdown).
    func release(owner: String, now: Int64) async throws
    /// The job of `userID` with this id; nil for unknown ids and other people's jobs.
    func status(jobID: String, userID: String) async throws -> JobStatus?
    /// The user's photos waiting or running in a job of `kind` (so they are not queued twice).
    func pendingPhotoIDs(userID: String, kind: String) async throws -> Set<String>
    /// Items waiting or running, all users.
    func depth() async throws -> Int
}

/// A short-lived access token and the refresh token that renews it.
public struct TokenPair: Sendable, Equatable {
    public let accessToken: String
    public let refreshToken: String
    /// Seconds the access token lives.
    public let expiresIn: Int

    public init(accessToken: String, refreshToken: String, expiresIn: Int) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }
}

public enum AuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongPassword
    case invalidAccessToken
    case invalidRefreshToken
    case unknownUser

    public var description: String {
        switch self {
        case .wrongPassword: "wrong password"
        case .invalidAccessToken: "the access token is invalid or expired"
        case .invalidRefreshToken: "the refresh token is invalid, expired or already used"
        case .unknownUser: "the account no longer exists"
        }
    }
}

/// Who people are: sign-in, tokens, the user record and its settings.
public protocol AuthService: Sendable {
    /// Local mode's one user, created on first use; `password` is checked when the server
    /// has one.
    func localUser(password: String?) async throws -> User
    /// Local mode's one user; `password` is checked when the server has one.
    func signInLocal(password: String?) async throws -> (user: User, tokens: TokenPair)
    /// A new token pair for a user who signed in some other way (Google).
    func issueTokens(userID: String) async throws -> TokenPair
    /// Uses up the refresh token and issues a new pair.
    func refresh(_ refreshToken: String) async throws -> (user: User, tokens: TokenPair)
    /// The user id of a valid access token.
    func verify(accessToken: String) async throws -> String
    /// Revokes every refresh token of the user.
    func logout(userID: String) async throws
    func user(id: String) async throws -> User?
    func setThreshold(_ threshold: BlurThreshold, userID: String) async throws
}

/// One page of a person's photos, newest first.
public struct PhotoPage: Sendable, Equatable {
    public var photos: [Photo]
    /// Opaque; nil on the last page.
    public var nextCursor: String?

    public init(photos: [Photo], nextCursor: String?) {
        self.photos = photos
        self.nextCursor = nextCursor
    }
}

/// The sizes the gallery asks for.
public enum PhotoSize: String, Sendable, CaseIterable {
    case thumb, display, original
}

public enum PhotosFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a photo we accept (sniffed content, size limits), with the reason.
    case notAccepted(String)
    case badCursor
    /// The stored photo cannot be shown (e.g. its file is damaged).
    case unreadable(String)
    /// The server could not write an upload (`diskFull`: no space left for it).
    case notStored(String, diskFull: Bool)

    public var description: String {
        switch self {
        case let .notAccepted(reason): reason
        case .badCursor: "cursor is not one this API gave out"
        case let .unreadable(reason): "this photo cannot be shown: \(reason)"
        case let .notStored(reason, _): "the server could not store the upload: \(reason)"
        }
    }
}

/// One uploaded file on its way in: bytes are written aside and hashed as they arrive. Made by
/// `PhotosService.receive()` and used by one request at a time; a file never given to
/// `PhotosService.add(_:filename:userID:)` is deleted when the last reference goes.
public protocol IncomingFile: AnyObject, Sendable {
    /// Appends the next bytes. Past the size limit they are only counted (the file is then
    /// refused when added). Throws `PhotosFailure.notStored`.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Bytes written so far.
    var byteCount: Int { get }
}

/// People's photos: records, bytes and renditions, every call scoped to the owner.
public protocol PhotosService: Sendable {
    /// `tag`: only photos with this tag; `search`: every word found in a tag or the caption.
    func list(
        userID: String, filter: PhotoFilter, threshold: Double, limit: Int, cursor: String?, tag: String?,
        search: String?
    ) async throws -> PhotoPage
    func photo(id: String, userID: String) async throws -> Photo?
    func delete(id: String, userID: String) async throws -> Bool
    /// Stores the bytes (sniffed, never trusted by name); `created` is false when the same
    /// bytes were already there.
    func add(_ bytes: [UInt8], filename: String, userID: String) async throws -> (photo: Photo, created: Bool)
    /// Somewhere to receive one uploaded file as its bytes arrive (never held whole in memory).
    func receive() throws -> any IncomingFile
    /// Makes a received file a photo, as `add(_:filename:userID:)` does bytes; a file that is
    /// not an accepted image is refused (`notAccepted`) and deleted.
    func add(_ file: any IncomingFile, filename: String, userID: String) async throws -> (photo: Photo, created: Bool)
    func image(of photo: Photo, size: PhotoSize) async throws -> (bytes: [UInt8], mimeType: String)
    func counts(userID: String, threshold: Double) async throws -> [PhotoFilter: Int]
    func statistics(userID: String, threshold: Double) async throws -> PhotoStatistics
}

/// Blur analysis: queues work for the workers and reports on it.
public protocol BlurService: Sendable {
    /// Queues analysis of the user's photos (`nil`: every unprocessed one); returns the job
    /// id and how many photos it holds.
    func analyze(photoIDs: [String]?, userID: String) async throws -> (jobID: String, total: Int)
    func job(id: String, userID: String) async throws -> JobStatus?
}

public enum BlurServiceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchPhoto(String)
    case tooManyPhotos(limit: Int)

    public var description: String {
        switch self {
        case let .noSuchPhoto(id): "no such photo: \(id)"
        case let .tooManyPhotos(limit): "at most \(limit) photos per batch"
        }
    }
}
