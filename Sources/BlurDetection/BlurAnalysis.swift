/// What the analysis of one photo found.
public struct BlurAnalysis: Sendable, Equatable {
    /// Probability in [0, 1] that a person would call the photo blurred (0.5 = undecided).
    public let blurScore: Double
    /// Motion or defocus: the kind of blur the photo shows if it is judged blurred.
    public let likelyType: BlurType
    /// For motion blur, the shake direction in degrees [0, 180), counter-clockwise from
    /// horizontal as the photo is viewed.
    public let directionDegrees: Double?
    /// Local sharpness, for people to see why.
    public let map: SharpnessMap
    /// The cues behind the score.
    public let features: BlurFeatures
    /// Size of the image the cues were measured on.
    public let analysisWidth: Int
    public let analysisHeight: Int

    public func isBlurred(threshold: Double) -> Bool { blurScore >= threshold }

    /// `none` below the threshold, otherwise motion or defocus.
    public func blurType(threshold: Double) -> BlurType {
        isBlurred(threshold: threshold) ? likelyType : .none
    }
}

/// Why a photo cannot be judged.
public enum BlurDetectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooSmall(width: Int, height: Int, minimumSide: Int)

    public var description: String {
        switch self {
        case let .tooSmall(width, height, minimumSide):
            "image too small to judge (\(width)×\(height), needs at least \(minimumSide) px on each side)"
        }
    }
}
