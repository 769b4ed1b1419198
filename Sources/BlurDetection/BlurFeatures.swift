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
    /// Sharpness along the least sharp of the four directions (textured tiles): camera
    /// shake blurs one direction and spares the one across it.
    public var weakestSharpness: Double
    /// `weakestSharpness` on the image halved once more.
    public var weakestSharpnessCoarse: Double
    /// In the sharpest textured tiles, the sharpness along each tile's own least sharp
    /// direction: a sharp subject is sharp every way, a shaken one is not.
    public var bestTileWeakestSharpness: Double
    /// How much the textured tiles agree on their least sharp direction, in [0, 1]: camera
    /// shake blurs every tile the same way, defocus leaves each tile's weakest direction to
    /// its content.
    public var directionCoherence: Double
    /// Median edge width (pixels at analysis size) in the sharpest tenth of tiles.
    public var bestEdgeWidth: Double
    /// Median edge width over all tiles with edges.
    public var medianEdgeWidth: Double
    /// Longest correlation length of the derivative over the four directions (half size).
    public var correlationLength: Double
    /// (longest − shortest) / (longest + shortest) correlation length: shake is long one way.
    public var correlationAnisotropy: Double

    /// Feature values in the order the calibration's weights expect.
    public var vector: [Double] {
        [
            bestSharpness, medianSharpness, bestSharpnessCoarse, texturedFraction,
            noiseSigma, anisotropy, logLaplacianVariance, weakestSharpness,
            weakestSharpnessCoarse, bestTileWeakestSharpness, directionCoherence, bestEdgeWidth,
            medianEdgeWidth, correlationLength, correlationAnisotropy,
        ]
    }

    /// The cues of the motion-or-defocus model, in the order of `BlurCalibration.typeWeights`.
    public var typeVector: [Double] { [anisotropy, directionCoherence, correlationAnisotropy] }

    public static let names = [
        "best_sharpness", "median_sharpness", "best_sharpness_coarse", "textured_fraction",
        "noise_sigma", "anisotropy", "log_laplacian_variance", "weakest_sharpness",
        "weakest_sharpness_coarse", "best_tile_weakest_sharpness", "direction_coherence",
        "best_edge_width", "median_edge_width", "correlation_length", "correlation_anisotropy",
    ]
}

extension BlurFeatures {
    /// Tiles across the long side for the feature grid (the map shown to people is coarser).
    static let gridLongSide = 16

    /// Measures every cue on `image` (already at analysis size).
    public static func measure(_ image: GrayImage) -> (BlurFeatures, ReblurGrid) {
        let noise = NoiseEstimate.sigma(image)
        let (columns, rows) = gridShape(width: image.width, height: image.height)
        let grid = ReblurGrid(image, columns: columns, rows: rows, edgeThreshold: edgeThreshold(noise: noise))
        let half = image.halved()
        let (halfColumns, halfRows) = gridShape(width: half.width, height: half.height)
        let coarseGrid = ReblurGrid(
            half, columns: halfColumns, rows: halfRows,
            edgeThreshold: edgeThreshold(noise: noise / 2))

        let textured = texturedTiles(grid)
        let sharpness = textured.map { grid.sharpness(tile: $0) }.sorted(by: >)
        let coarseTextured = texturedTiles(coarseGrid)
        let coarseSharpness = coarseTextured.map { coarseGrid.sharpness(tile: $0) }.sorted(by: >)
        let directional = directionalSharpness(grid, tiles: textured)
        let (anisotropy, direction) = directionality(directional)
        let edges = EdgeWidths(
            image, columns: columns, rows: rows, threshold: edgeThreshold(noise: noise),
            noise: max(2, Int((2 * noise).rounded())))
        let correlation = DerivativeCorrelation.lengths(half)
        let longest = correlation.max() ?? 0, shortest = correlation.min() ?? 0
        let tileWidths = (0..<grid.tileCount).compactMap { edges.medianWidth(tile: $0) }.sorted()

        let features = BlurFeatures(
            bestSharpness: topMean(sharpness, fallback: wholeSharpness(grid)),
            medianSharpness: sharpness.isEmpty
                ? wholeSharpness(grid) : sharpness[sharpness.count / 2],
            bestSharpnessCoarse: topMean(coarseSharpness, fallback: wholeSharpness(coarseGrid)),
            texturedFraction: Double(textured.count) / Double(max(1, grid.tileCount)),
            noiseSigma: noise,
            anisotropy: anisotropy,
            weakestDirectionDegrees: direction,
            logLaplacianVariance: Double.log10(1 + varianceOfLaplacian(image)),
            weakestSharpness: directional.min() ?? 0,
            weakestSharpnessCoarse: directionalSharpness(coarseGrid, tiles: coarseTextured).min() ?? 0,
            bestTileWeakestSharpness: bestTileWeakest(grid, tiles: textured),
            directionCoherence: coherence(grid, tiles: textured),
            bestEdgeWidth: tileWidths.isEmpty
                ? Double(EdgeWidths.maximumWidth)
                : tileWidths.prefix(max(2, tileWidths.count / 10)).reduce(0, +)
                    / Double(min(tileWidths.count, max(2, tileWidths.count / 10))),
            medianEdgeWidth: tileWidths.isEmpty ? Double(EdgeWidths.maximumWidth) : tileWidths[tileWidths.count / 2],
            correlationLength: longest,
            correlationAnisotropy: longest + shortest > 0 ? (longest - shortest) / (longest + shortest) : 0)
        return (features, grid)
    }

    static func gridShape(width: Int, height: Int) -> (Int, Int) {
        let long = max(width, height), short = min(width, height)
        let shortTiles = max(1, Int((Double(gridLongSide) * Double(short) / Double(max(1, long))).rounded()))
        return width >= height ? (gridLongSide, shortTiles) : (shortTiles, gridLongSide)
    }

    /// Edges must stand well clear of noise: a step of 5σ (and at least 12 gray levels).
    static func edgeThreshold(noise: Double) -> Int { max(12, Int((5 * noise).rounded())) }

    /// Tiles with enough edge pixels to judge (3% of pixel-direction samples).
    static func texturedTiles(_ grid: ReblurGrid) -> [Int] {
        (0..<grid.tileCount).filter {
            grid.samples[$0] > 0 && grid.edgeSamples[$0] * 100 >= 3 * 4 * grid.samples[$0]
        }
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

    /// Re-blur sharpness along each of the four directions, summed over `tiles`.
    static func directionalSharpness(_ grid: ReblurGrid, tiles: [Int]) -> [Double] {
        var v = [Int](repeating: 0, count: 4), r = [Int](repeating: 0, count: 4)
        for tile in tiles {
            for d in 0..<4 {
                v[d] += grid.variation[tile * 4 + d]
                r[d] += grid.retained[tile * 4 + d]
            }
        }
        return (0..<4).map { v[$0] > 0 ? Double(r[$0]) / Double(v[$0]) : 0 }
    }

    /// Mean, over the sharpest 10% of `tiles` (at least 2), of each tile's sharpness along
    /// its least sharp direction (directions with little edge variation are ignored).
    static func bestTileWeakest(_ grid: ReblurGrid, tiles: [Int]) -> Double {
        let ranked = tiles.sorted { grid.sharpness(tile: $0) > grid.sharpness(tile: $1) }
        let best = ranked.prefix(max(2, ranked.count / 10))
        let weakest = best.map { tile -> Double in
            let variations = (0..<4).map { grid.variation[tile * 4 + $0] }
            let floor = variations.reduce(0, +) / 20
            let values = (0..<4).filter { variations[$0] > max(0, floor) }
                .map { Double(grid.retained[tile * 4 + $0]) / Double(variations[$0]) }
            return values.min() ?? 0
        }
        return weakest.isEmpty ? 0 : weakest.reduce(0, +) / Double(weakest.count)
    }

    /// |Σ v| / Σ |v| over the tiles' anisotropy vectors v = (s90 − s0, s135 − s45) (the
    /// doubled-angle form, so opposite directions agree).
    static func coherence(_ grid: ReblurGrid, tiles: [Int]) -> Double {
        var sumX = 0.0, sumY = 0.0, sumLength = 0.0
        for tile in tiles {
            let s = (0..<4).map { d -> Double in
                let v = grid.variation[tile * 4 + d]
                return v > 0 ? Double(grid.retained[tile * 4 + d]) / Double(v) : 0
            }
            let x = s[2] - s[0], y = s[3] - s[1]
            sumX += x
            sumY += y
            sumLength += (x * x + y * y).squareRoot()
        }
        return sumLength > 0 ? (sumX * sumX + sumY * sumY).squareRoot() / sumLength : 0
    }

    /// Fits s(θ) ≈ a − c·cos 2(θ − φ) to the four directional sharpness values; returns
    /// c / a (anisotropy) and φ in degrees (the least sharp direction).
    static func directionality(_ s: [Double]) -> (Double, Double) {
        let mean = s.reduce(0, +) / 4
        guard mean > 1e-6 else { return (0, 0) }
        let cosine = s[2] - s[0], sine = s[3] - s[1]
        let amplitude = (cosine * cosine + sine * sine).squareRoot() / 2
        var degrees = 0.5 * Double.atan2(y: sine, x: cosine) * 180 / Double.pi
        if degrees < 0 { degrees += 180 }
        return (amplitude / mean, degrees.truncatingRemainder(dividingBy: 180))
    }
}
