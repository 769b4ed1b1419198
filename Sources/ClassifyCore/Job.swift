/// A batch of work (analyse these photos) and how far it has got.
public struct JobStatus: Sendable, Equatable {
    public enum State: String, Sendable { case queued, running, done, failed }

    public var id: String
    public var userID: String
    public var kind: String
    public var state: State
    public var total: Int
    public var done: Int
    public var failed: Int
    /// Per-photo reasons, for the photos that failed.
    public var errors: [String: String]

    public init(
        id: String, userID: String, kind: String, state: State, total: Int, done: Int, failed: Int,
        errors: [String: String]
    ) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.state = state
        self.total = total
        self.done = done
        self.failed = failed
        self.errors = errors
    }
}

/// One photo of a job, leased to a worker until `leaseUntil`.
public struct JobItem: Sendable, Equatable {
    public var jobID: String
    public var photoID: String
    public var userID: String
    public var kind: String
    /// 1 on the first try.
    public var attempt: Int
    public var leaseOwner: String
    /// The content hash of the owner's photo `photoID`, read with the claim (the queue lives
    /// in the photos database): a worker reads its file without looking the photo up. Nil
    /// when there is no such photo (deleted since it was queued, or an item of another kind).
    public var contentHash: String?

    public init(
        jobID: String, photoID: String, userID: String, kind: String, attempt: Int, leaseOwner: String,
        contentHash: String? = nil
    ) {
        self.jobID = jobID
        self.photoID = photoID
        self.userID = userID
        self.kind = kind
        self.attempt = attempt
        self.leaseOwner = leaseOwner
        self.contentHash = contentHash
    }
}
