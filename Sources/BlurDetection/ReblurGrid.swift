/// The four directions the re-blur measure is taken along, in degrees counter-clockwise
/// from the image's horizontal axis as a viewer sees it (y grows downwards in memory).
public enum ReblurDirection: Int, Sendable, CaseIterable {
    case deg0 = 0, deg45, deg90, deg135

    public var degrees: Double { Double(rawValue) * 45 }

    /// One pixel step along the direction, in memory coordinates.
    var step: (dx: Int, dy: Int) {
        switch self {
        case .deg0: (1, 0)
        case .deg45: (1, -1)
        case .deg90: (0, 1)
        case .deg135: (1, 1)
        }
    }
}

/// Per-tile sums of the Crete–Roffet re-blur measure, taken along four directions.
///
/// For each pixel and direction: `d` = |I(p) − I(p−s)| (the image's own variation) and
/// `r` = |B(p) − B(p−s)| where B is I smoothed by a 9-tap box along the same direction
/// (which telescopes to |I(p+4s) − I(p−5s)| / 9). A sharp edge loses most of its variation
/// when re-blurred (`d − r` large); an already blurred one hardly changes. Sums are kept ×9
/// in integers so the inner loop is exact and cheap.
public struct ReblurGrid: Sendable {
    public let columns: Int
    public let rows: Int
    /// Σ 9·d per tile and direction, index `(tile * 4) + direction`.
    var variation: [Int]
    /// Σ max(0, 9·d − 9·r) per tile and direction.
    var retained: [Int]
    /// Σ 9·r per tile, all directions: structure at the 9-pixel scale (little affected by noise).
    var coarse: [Int]
    /// Pixels measured per tile (per direction).
    var samples: [Int]
    /// Pixel-direction pairs per tile that lie on an edge (counted in `variation`/`retained`).
    var edgeSamples: [Int]
    /// A pixel counts as on an edge along a direction when |I(p+4s) − I(p−5s)| reaches this:
    /// flat, noisy areas would otherwise look sharp (noise survives no re-blur).
    public let edgeThreshold: Int

    static let margin = 5

    public init(_ image: GrayImage, columns: Int, rows: Int, edgeThreshold: Int) {
        self.columns = columns
        self.rows = rows
        self.edgeThreshold = edgeThreshold
        let tiles = columns * rows
        variation = [Int](repeating: 0, count: tiles * 4)
        retained = [Int](repeating: 0, count: tiles * 4)
        coarse = [Int](repeating: 0, count: tiles)
        samples = [Int](repeating: 0, count: tiles)
        edgeSamples = [Int](repeating: 0, count: tiles)
        let w = image.width, h = image.height, m = Self.margin
        guard w > 2 * m + 1, h > 2 * m + 1 else { return }
        // Column ranges of each tile within the measured interior.
        let xRanges: [Range<Int>] = (0..<columns).map { c in
            max(m, c * w / columns)..<min(w - m, (c + 1) * w / columns)
        }
        image.pixels.withUnsafeBufferPointer { px in
            for y in m..<(h - m) {
                let tileRow = min(rows - 1, y * rows / h) * columns
                for (c, xs) in xRanges.enumerated() where !xs.isEmpty {
                    let tile = tileRow + c
                    samples[tile] += xs.count
                    accumulate(px, width: w, row: y, xs: xs, tile: tile)
                }
            }
        }
    }

    private mutating func accumulate(
        _ px: UnsafeBufferPointer<UInt8>, width w: Int, row y: Int, xs: Range<Int>, tile: Int
    ) {
        let base = px.baseAddress!, start = y * w + xs.lowerBound
        let threshold = Int32(edgeThreshold)
        for d in 0..<4 {
            let step = Self.steps[d]
            let sums = Self.segmentSums(
                base, start: start, count: xs.count, step: step.dx + step.dy * w,
                threshold: threshold)
            variation[tile * 4 + d] += Int(sums.variation)
            retained[tile * 4 + d] += Int(sums.retained)
            coarse[tile] += Int(sums.coarse)
            edgeSamples[tile] += Int(sums.edges)
        }
    }

    private static let steps = ReblurDirection.allCases.map(\.step)

    /// The re-blur sums over `count` pixels from `start` along one direction (pixel step `s`).
    /// Branch-free, wrapping arithmetic (|Δ| ≤ 255 cannot overflow): whether a pixel is on an
    /// edge is a coin toss for the branch predictor, and this loop is most of the analysis time.
    @inline(__always)
    private static func segmentSums(
        _ base: UnsafePointer<UInt8>, start: Int, count: Int, step s: Int, threshold: Int32
    ) -> (variation: Int32, retained: Int32, coarse: Int32, edges: Int32) {
        var variationSum: Int32 = 0, retainedSum: Int32 = 0, coarseSum: Int32 = 0, edgeCount: Int32 = 0
        let ahead = base + start + 4 &* s, behind = base + start - 5 &* s
        let here = base + start, previous = base + start - s
        for i in 0..<count {
            let r = magnitude(Int32(ahead[i]) &- Int32(behind[i]))
            let onEdge: Int32 = r >= threshold ? 1 : 0
            let d = 9 &* magnitude(Int32(here[i]) &- Int32(previous[i])) &* onEdge
            coarseSum &+= r
            variationSum &+= d
            retainedSum &+= max(0, d &- r)
            edgeCount &+= onEdge
        }
        return (variationSum, retainedSum, coarseSum, edgeCount)
    }

    public var tileCount: Int { columns * rows }

    @inline(__always)
    static func magnitude(_ value: Int32) -> Int32 {
        let sign = value >> 31
        return (value ^ sign) &- sign
    }

    /// Sharpness of a tile in [0, 1]: the share of edge variation a re-blur removes, all
    /// directions. About 1 − w/9 for edges w pixels wide.
    public func sharpness(tile: Int) -> Double {
        var v = 0, r = 0
        for d in 0..<4 {
            v += variation[tile * 4 + d]
            r += retained[tile * 4 + d]
        }
        return v > 0 ? Double(r) / Double(v) : 0
    }

    /// Mean absolute 9-pixel difference (gray levels): how much structure the tile has.
    public func structure(tile: Int) -> Double {
        samples[tile] > 0 ? Double(coarse[tile]) / Double(4 * samples[tile]) : 0
    }
}
