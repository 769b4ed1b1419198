import BlurDetection

/// The verdict on one photo, as stored and as the API and `classify scan` report it.
public struct BlurResult: Sendable, Equatable {
    public var blurScore: Double
    public var isBlurred: Bool
    public var blurType: BlurType
    /// Shake direction in degrees [0, 180), only for motion blur.
    public var blurDirectionDegrees: Double?
    public var threshold: Double
    public var processingTimeMs: Double
    public var sharpnessMap: SharpnessMap?

    public init(
        blurScore: Double, isBlurred: Bool, blurType: BlurType, blurDirectionDegrees: Double?,
        threshold: Double, processingTimeMs: Double, sharpnessMap: SharpnessMap? = nil
    ) {
        self.blurScore = blurScore
        self.isBlurred = isBlurred
        self.blurType = blurType
        self.blurDirectionDegrees = blurDirectionDegrees
        self.threshold = threshold
        self.processingTimeMs = processingTimeMs
        self.sharpnessMap = sharpnessMap
    }

    /// The verdict of `analysis` at `threshold`.
    public init(_ analysis: BlurAnalysis, threshold: BlurThreshold, processingTimeMs: Double) {
        let type = analysis.blurType(threshold: threshold.value)
        self.init(
            blurScore: analysis.blurScore,
            isBlurred: analysis.isBlurred(threshold: threshold.value),
            blurType: type,
            blurDirectionDegrees: type == .motion ? analysis.directionDegrees : nil,
            threshold: threshold.value,
            processingTimeMs: processingTimeMs,
            sharpnessMap: analysis.map)
    }
}
