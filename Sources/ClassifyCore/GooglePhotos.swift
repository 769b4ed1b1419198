import Foundation

/// A Photos Picker session as the page needs it.
public struct PickerSessionView: Sendable, Equatable {
    public var id: String
    /// Open in a new tab (Google refuses frames).
    public var pickerURI: String
    /// Wait this long between polls; nil once the person finished picking.
    public var pollIntervalSeconds: Double?
    /// Stop polling after this long.
    public var pollTimeoutSeconds: Double?
    /// Milliseconds since 1970.
    public var expireTime: Int64?
    public var mediaItemsSet: Bool
    /// The sync job, once started.
    public var syncJobID: String?

    public init(
        id: String, pickerURI: String, pollIntervalSeconds: Double?, pollTimeoutSeconds: Double?, expireTime: Int64?,
        mediaItemsSet: Bool, syncJobID: String?
    ) {
        self.id = id
        self.pickerURI = pickerURI
        self.pollIntervalSeconds = pollIntervalSeconds
        self.pollTimeoutSeconds = pollTimeoutSeconds
        self.expireTime = expireTime
        self.mediaItemsSet = mediaItemsSet
        self.syncJobID = syncJobID
    }
}

/// An album of clear photos and how far its job got.
public struct AlbumProgress: Sendable, Equatable {
    public enum State: String, Sendable { case queued, running, done, failed }

    public var id: String
    public var jobID: String
    public var title: String
    public var state: State
    public var total: Int
    public var done: Int
    public var failed: Int
    /// Google's link to the album, once created.
    public var productURL: String?
    /// Per-photo reasons for the photos that could not be added.
    public var errors: [String: String]
    /// Why the whole job stopped, if it did.
    public var jobError: String?

    public init(
        id: String, jobID: String, title: String, state: State, total: Int, done: Int, failed: Int,
        productURL: String?, errors: [String: String], jobError: String?
    ) {
        self.id = id
        self.jobID = jobID
        self.title = title
        self.state = state
        self.total = total
        self.done = done
        self.failed = failed
        self.productURL = productURL
        self.errors = errors
        self.jobError = jobError
    }
}

/// Why a Google Photos request of the page cannot be done; each says what to do.
public enum GooglePhotosFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case access(GoogleAccessFailure)
    /// Unknown, expired or someone else's picker session.
    case noSuchSession
    /// The person has not pressed Done in the picker yet.
    case notPickedYet
    /// The session expired before it was synced.
    case sessionExpired
    case noClearPhotos
    /// Google said no (quota, no Photos account, …), in its words.
    case google(String)

    public var description: String {
        switch self {
        case .access(let failure): failure.description
        case .noSuchSession: "There is no such picker session (it may have expired). Pick photos again."
        case .notPickedYet: "You have not finished picking yet: press Done in the Google Photos tab."
        case .sessionExpired: "The picker session expired before it was synced. Pick the photos again."
        case .noClearPhotos: "There are no clear photos to put in an album yet: detect blur first."
        case .google(let reason): reason
        }
    }
}

/// Google Photos for one person: picking, syncing the picked photos into the library, and the
/// album of clear ones. Sync and album work run as queue jobs.
public protocol GooglePhotosService: Sendable {
    func createPickerSession(userID: String) async throws -> PickerSessionView
    /// Asks Google how the session is doing (the page polls this as `pollingConfig` says).
    func pickerSession(id: String, userID: String) async throws -> PickerSessionView
    /// Lists every picked item, records them, and queues fetching their bytes once.
    func sync(sessionID: String, userID: String) async throws -> (jobID: String, total: Int)
    /// Queues the album of the person's clear photos (by their threshold); `title` nil gives
    /// a dated one.
    func createAlbum(userID: String, title: String?) async throws -> AlbumProgress
    func album(id: String, userID: String) async throws -> AlbumProgress?
}
