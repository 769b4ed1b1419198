import BlurDetection

/// A photo in a person's library: where it came from, and the verdict once analysed.
public struct Photo: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var filename: String
    /// SHA-256 of the bytes (hex): uploading the same bytes twice gives the same photo.
    public var contentHash: String
    public var mimeType: String
    public var byteSize: Int
    public var width: Int
    public var height: Int
    /// When the photo was taken (or, failing that, imported), milliseconds since 1970.
    public var createdTime: Int64
    public var importedAt: Int64
    public var analysis: PhotoAnalysis?
    /// The Google Photos media item it was synced from (Picker `id`), if any.
    public var googlePhotoID: String?
    /// "Make Model" of the camera, when known.
    public var camera: String?
    /// The vision model's one-line caption, once tagged.
    public var caption: String?
    /// The model that tagged it; nil while untagged.
    public var tagModel: String?
    /// Its tags (lowercase, sorted); filled in by the services that list photos.
    public var tags: [String] = []

    public init(
        id: String, userID: String, filename: String, contentHash: String, mimeType: String, byteSize: Int,
        width: Int, height: Int, createdTime: Int64, importedAt: Int64, analysis: PhotoAnalysis? = nil
    ) {
        self.id = id
        self.userID = userID
        self.filename = filename
        self.contentHash = contentHash
        self.mimeType = mimeType
        self.byteSize = byteSize
        self.width = width
        self.height = height
        self.createdTime = createdTime
        self.importedAt = importedAt
        self.analysis = analysis
    }
}

/// The stored outcome of analysing a photo. The score is kept, not the verdict: a change of
/// the person's threshold re-labels photos without analysing them again.
public struct PhotoAnalysis: Sendable, Equatable {
    public var blurScore: Double
    /// Motion or defocus, should the photo count as blurred.
    public var likelyType: BlurType
    public var directionDegrees: Double?
    public var processingTimeMs: Double
    public var sharpnessMap: SharpnessMap?
    public var analyzedAt: Int64

    public init(
        blurScore: Double, likelyType: BlurType, directionDegrees: Double?, processingTimeMs: Double,
        sharpnessMap: SharpnessMap?, analyzedAt: Int64
    ) {
        self.blurScore = blurScore
        self.likelyType = likelyType
        self.directionDegrees = directionDegrees
        self.processingTimeMs = processingTimeMs
        self.sharpnessMap = sharpnessMap
        self.analyzedAt = analyzedAt
    }
}

/// The gallery's filters (seed API: `filter=all|blurred|not_blurred|unprocessed`).
public enum PhotoFilter: String, Sendable, CaseIterable {
    case all, blurred
    case notBlurred = "not_blurred"
    case unprocessed
}

/// What the Statistics tab draws.
public struct PhotoStatistics: Sendable, Equatable {
    /// Counts of scores in [0, 0.05), [0.05, 0.1), … [0.95, 1].
    public var histogram = [Int](repeating: 0, count: 20)
    /// Among photos counted as blurred: "motion" / "defocus" → count.
    public var blurTypes: [String: Int] = [:]
    public var meanProcessingMs: Double?
    public var p95ProcessingMs: Double?

    public init() {}
}
