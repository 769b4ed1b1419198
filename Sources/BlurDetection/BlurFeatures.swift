import RealModule

/// The cues the blur score is calibrated on, measured on one analysis-size image.
///
/// Every cue is taken on *textured* tiles only, so a plain wall or sky neither helps nor
/// hurts, and the sharpest tiles carry the verdict, so a sharp subject in front of a
/// defocused background counts as sharp.
public struct BlurFeatures: Sendable, Equatable {
    /// Mean re-blur sharpness of the sharpest textured tiles (top 10%, at least 2).
    public var bestSharpness: Double
    /// Median re-blur sharpness over textured tiles.
    public var medianSharpness: Double
    /// `bestSharpness` on the image halved once more (robust to noise and tiny images).
    public var bestSharpnessCoarse: Double
    /// Share of tiles with enough structure to judge.
    public var texturedFraction: Double
    /// Image noise σ in gray levels (Immerkær, from the flattest tiles).
    public var noiseSigma: Double
    /// How much sharpness depends on direction in the textured tiles (0 = isotropic).
    public var anisotropy: Double
    /// Direction (degrees, [0, 180)) along which the textured tiles are least sharp.
    public var weakestDirectionDegrees: Double
    /// log10 of OpenCV's variance of the Laplacian at analysis size (reference cue).
    public var logLaplacianVariance: Double

    /// Feature values in the order the calibration's weights expect.
    public var vector: [Double] {
        [bestSharpness, medianSharpness, bestSharpnessCoarse, texturedFraction,
         noiseSigma, anisotropy, logLaplacianVariance]
    }

    public static let names = [
        "best_sharpness", "median_sharpness", "best_sharpness_coarse", "textured_fraction",
        "noise_sigma", "anisotropy", "log_laplacian_variance",
    ]
}

extension BlurFeatures {
    /// Tiles across the long side for the feature grid (the map shown to people is coarser).
    static let gridLongSide = 16

    /// Measures every cue on `image` (already at analysis size).
    public static func measure(_ image: GrayImage) -> (BlurFeatures, ReblurGrid) {
        let (columns, rows) = gridShape(width: image.width, height: image.height)
        let grid = ReblurGrid(image, columns: columns, rows: rows)
        let half = image.halved()
        let (halfColumns, halfRows) = gridShape(width: half.width, height: half.height)
        let coarseGrid = ReblurGrid(half, columns: halfColumns, rows: halfRows)

        let noise = imageNoise(grid)
        let textured = texturedTiles(grid, noise: noise)
        let sharpness = textured.map { grid.sharpness(tile: $0) }.sorted(by: >)
        let coarseTextured = texturedTiles(coarseGrid, noise: noise / 2)
        let coarseSharpness = coarseTextured.map { coarseGrid.sharpness(tile: $0) }.sorted(by: >)
        let (anisotropy, direction) = directionality(grid, tiles: textured)

        let features = BlurFeatures(
            bestSharpness: topMean(sharpness, fallback: wholeSharpness(grid)),
            medianSharpness: sharpness.isEmpty
                ? wholeSharpness(grid) : sharpness[sharpness.count / 2],
            bestSharpnessCoarse: topMean(coarseSharpness, fallback: wholeSharpness(coarseGrid)),
            texturedFraction: Double(textured.count) / Double(max(1, grid.tileCount)),
            noiseSigma: noise,
            anisotropy: anisotropy,
            weakestDirectionDegrees: direction,
            logLaplacianVariance: Double.log10(1 + varianceOfLaplacian(image)))
        return (features, grid)
    }

    static func gridShape(width: Int, height: Int) -> (Int, Int) {
        let long = max(width, height), short = min(width, height)
        let shortTiles = max(1, Int((Double(gridLongSide) * Double(short) / Double(max(1, long))).rounded()))
        return width >= height ? (gridLongSide, shortTiles) : (shortTiles, gridLongSide)
    }

    /// Noise σ from the flattest fifth of tiles.
    static func imageNoise(_ grid: ReblurGrid) -> Double {
        let sigmas = (0..<grid.tileCount).filter { grid.samples[$0] > 0 }
            .map { grid.noiseSigma(tile: $0) }.sorted()
        guard !sigmas.isEmpty else { return 0 }
        return sigmas[sigmas.count / 5]
    }

    /// Tiles whose 9-pixel structure clearly exceeds what noise alone would give.
    static func texturedTiles(_ grid: ReblurGrid, noise: Double) -> [Int] {
        let floor = max(2.0, 2.5 * noise)
        return (0..<grid.tileCount).filter { grid.samples[$0] > 0 && grid.structure(tile: $0) >= floor }
    }

    static func wholeSharpness(_ grid: ReblurGrid) -> Double {
        let v = grid.variation.reduce(0, +), r = grid.retained.reduce(0, +)
        return v > 0 ? Double(r) / Double(v) : 0
    }

    static func topMean(_ descending: [Double], fallback: Double) -> Double {
        guard !descending.isEmpty else { return fallback }
        let count = min(descending.count, max(2, descending.count / 10))
        return descending.prefix(count).reduce(0, +) / Double(count)
    }

    /// Fits s(θ) ≈ a − c·cos 2(θ − φ) to the four directional sharpness values summed over
    /// `tiles`; returns c / a (anisotropy) and φ in degrees (the least sharp direction).
    static func directionality(_ grid: ReblurGrid, tiles: [Int]) -> (Double, Double) {
        var v = [Int](repeating: 0, count: 4), r = [Int](repeating: 0, count: 4)
        for tile in tiles {
            for d in 0..<4 {
                v[d] += grid.variation[tile * 4 + d]
                r[d] += grid.retained[tile * 4 + d]
            }
        }
        let s = (0..<4).map { v[$0] > 0 ? Double(r[$0]) / Double(v[$0]) : 0 }
        let mean = s.reduce(0, +) / 4
        guard mean > 1e-6 else { return (0, 0) }
        let cosine = s[2] - s[0], sine = s[3] - s[1]
        let amplitude = (cosine * cosine + sine * sine).squareRoot() / 2
        var degrees = 0.5 * Double.atan2(y: sine, x: cosine) * 180 / Double.pi
        if degrees < 0 { degrees += 180 }
        return (amplitude / mean, degrees.truncatingRemainder(dividingBy: 180))
    }
}
