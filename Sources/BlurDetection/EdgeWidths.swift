/// Marziliano-style edge widths: at each strong edge (a local maximum of the gradient along
/// x or y), the distance between the intensity extrema on either side. A sharp photo has
/// edges one or two pixels wide at viewing size; blur widens every one of them.
struct EdgeWidths {
    /// Histogram of the widths found per tile: `counts[tile * bins + width]`, widths capped at
    /// `maximumWidth`.
    private(set) var counts: [Int32]
    static let maximumWidth = 20
    static let bins = maximumWidth + 1

    init(_ image: GrayImage, columns: Int, rows: Int, threshold: Int, noise: Int) {
        counts = [Int32](repeating: 0, count: columns * rows * Self.bins)
        let w = image.width, h = image.height, margin = 2
        guard w > 2 * margin + 2, h > 2 * margin + 2 else { return }
        image.pixels.withUnsafeBufferPointer { px in
            // Every other row: medians per tile need no more samples, and it halves the cost.
            for y in stride(from: margin, to: h - margin, by: 2) {
                let tileRow = min(rows - 1, y * rows / h) * columns
                for x in margin..<(w - margin) {
                    let p = y &* w &+ x
                    let gx = Int(px[p &+ 1]) &- Int(px[p &- 1]), gy = Int(px[p &+ w]) &- Int(px[p &- w])
                    let ax = gx < 0 ? 0 &- gx : gx, ay = gy < 0 ? 0 &- gy : gy
                    // Most pixels are not on a strong edge: leave them as cheaply as possible.
                    if ax < threshold && ay < threshold { continue }
                    let (gradient, step, other) = ax >= ay ? (gx, 1, ay) : (gy, w, ax)
                    guard abs(gradient) > other / 2 else { continue }
                    // Local maximum of the gradient along its own direction.
                    let before = Int(px[p]) - Int(px[p - 2 * step]), after = Int(px[p + 2 * step]) - Int(px[p])
                    guard abs(gradient) >= abs(before), abs(gradient) > abs(after) else { continue }
                    let (limitLow, limitHigh) =
                        step == 1 ? (y * w, y * w + w - 1) : (x, (h - 1) * w + x)
                    let width = Self.width(
                        px, at: p, step: step, rising: gradient > 0, noise: noise,
                        low: limitLow, high: limitHigh)
                    counts[(tileRow + min(columns - 1, x * columns / w)) * Self.bins + width] += 1
                }
            }
        }
    }

    /// Walks both ways from `p` while the intensity keeps moving the edge's way (allowing
    /// wiggles up to `noise`); the width is the distance between where the walks stop.
    private static func width(
        _ px: UnsafeBufferPointer<UInt8>, at p: Int, step: Int, rising: Bool, noise: Int, low: Int, high: Int
    ) -> Int {
        let sign = rising ? 1 : -1
        var right = p, best = Int(px[p]) * sign
        var probe = p
        while probe + step <= high, (probe - p) / step < maximumWidth {
            probe += step
            let value = Int(px[probe]) * sign
            if value > best { best = value; right = probe } else if value < best - noise { break }
        }
        var left = p
        best = Int(px[p]) * sign
        probe = p
        while probe - step >= low, (p - probe) / step < maximumWidth {
            probe -= step
            let value = Int(px[probe]) * sign
            if value < best { best = value; left = probe } else if value > best + noise { break }
        }
        return min(maximumWidth, (right - left) / step)
    }

    /// Median width of a tile's edges, or nil with fewer than `minimumEdges`.
    func medianWidth(tile: Int, minimumEdges: Int = 8) -> Double? {
        let histogram = counts[(tile * Self.bins)..<((tile + 1) * Self.bins)]
        let total = histogram.reduce(0) { $0 + Int($1) }
        guard total >= minimumEdges else { return nil }
        var seen = 0
        for (width, count) in histogram.enumerated() {
            seen += Int(count)
            if seen > total / 2 { return Double(width) }
        }
        return Double(Self.maximumWidth)
    }
}
