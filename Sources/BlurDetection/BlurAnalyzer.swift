/// Scores a gray image for camera shake and defocus.
///
/// The image is first brought to `analysisLongSide` (never enlarged): blur is judged at
/// about the size a person looks at a photo on a screen, so the verdict does not swing
/// with the camera's megapixels.
public struct BlurAnalyzer: Sendable {
    /// Long side of the image the cues are measured on. Chosen by `make eval`: about 500
    /// scored as well as 640 and 960, and a 4000×3000 JPEG decoded at 1/8 is exactly 500 px,
    /// so the most common photo needs no resample at all.
    public static let defaultAnalysisLongSide = 480
    /// Below this many pixels on the short side there is too little to judge.
    public static let minimumSide = 32
    /// Score for a photo with no edge anywhere (a plain wall, sky, snow, a black frame): a
    /// person would not call it blurred, and the cues have nothing to measure.
    public static let plainSceneScore = 0.2

    public var analysisLongSide: Int
    public var calibration: BlurCalibration

    public init(
        analysisLongSide: Int = BlurAnalyzer.defaultAnalysisLongSide,
        calibration: BlurCalibration = .fitted
    ) {
        self.analysisLongSide = analysisLongSide
        self.calibration = calibration
    }

    public func analyze(_ image: GrayImage) throws(BlurDetectionError) -> BlurAnalysis {
        guard min(image.width, image.height) >= Self.minimumSide else {
            throw .tooSmall(width: image.width, height: image.height, minimumSide: Self.minimumSide)
        }
        let working = image.downscaled(toLongSide: analysisLongSide)
        let (features, grid) = BlurFeatures.measure(working)
        let plain = features.texturedFraction == 0
        let score = plain ? Self.plainSceneScore : calibration.blurProbability(features)
        let motion = !plain && calibration.motionProbability(features) >= 0.5
        return BlurAnalysis(
            blurScore: score,
            likelyType: motion ? .motion : .defocus,
            directionDegrees: motion ? features.weakestDirectionDegrees.rounded() : nil,
            map: sharpnessMap(grid),
            features: features,
            analysisWidth: working.width,
            analysisHeight: working.height)
    }

    /// Pools the feature grid 2×2 into the map people see.
    func sharpnessMap(_ grid: ReblurGrid) -> SharpnessMap {
        let columns = (grid.columns + 1) / 2, rows = (grid.rows + 1) / 2
        let textured = Set(BlurFeatures.texturedTiles(grid))
        var values = [Double?](repeating: nil, count: columns * rows)
        for row in 0..<rows {
            for column in 0..<columns {
                var best: Double? = nil
                for tileRow in (2 * row)..<min(grid.rows, 2 * row + 2) {
                    for tileColumn in (2 * column)..<min(grid.columns, 2 * column + 2) {
                        let tile = tileRow * grid.columns + tileColumn
                        guard textured.contains(tile) else { continue }
                        best = max(best ?? 0, grid.sharpness(tile: tile))
                    }
                }
                values[row * columns + column] = best.map { calibration.cellSharpness($0) }
            }
        }
        return SharpnessMap(columns: columns, rows: rows, values: values)
    }
}
