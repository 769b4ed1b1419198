/// An 8-bit luminance image, row-major, the input of every sharpness measure.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(
            width >= 0 && height >= 0 && pixels.count == width * height,
            "pixel count must be width × height")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }

    public var longSide: Int { max(width, height) }

    /// Area-averaged resample so the long side is at most `longSide` (never enlarges).
    /// Box shrinking keeps the result close to what JPEG DCT scaling produces, so both
    /// decode paths feed the same picture to the analysis.
    public func downscaled(toLongSide longSide: Int) -> GrayImage {
        guard self.longSide > longSide, longSide > 0 else { return self }
        let scale = Double(longSide) / Double(self.longSide)
        let newWidth = max(1, Int((Double(width) * scale).rounded()))
        let newHeight = max(1, Int((Double(height) * scale).rounded()))
        let xSpans = Self.areaSpans(from: width, to: newWidth)
        let ySpans = Self.areaSpans(from: height, to: newHeight)
        var rowSums = [Float](repeating: 0, count: newWidth * height)
        pixels.withUnsafeBufferPointer { src in
            for y in 0..<height {
                let row = y * width
                for (nx, span) in xSpans.enumerated() {
                    var total: Float = 0
                    for (x, weight) in span { total += Float(src[row + x]) * weight }
                    rowSums[y * newWidth + nx] = total
                }
            }
        }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight)
        for (ny, span) in ySpans.enumerated() {
            for nx in 0..<newWidth {
                var total: Float = 0
                for (y, weight) in span { total += rowSums[y * newWidth + nx] * weight }
                out[ny * newWidth + nx] = UInt8(clamping: Int((total).rounded()))
            }
        }
        return GrayImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// For each output sample, the input samples it covers and their area weights (sum 1).
    static func areaSpans(from source: Int, to target: Int) -> [[(Int, Float)]] {
        let ratio = Double(source) / Double(target)
        return (0..<target).map { index in
            let start = Double(index) * ratio, end = Double(index + 1) * ratio
            var span: [(Int, Float)] = []
            var position = Int(start)
            while Double(position) < end && position < source {
                let covered = min(end, Double(position + 1)) - max(start, Double(position))
                if covered > 1e-9 { span.append((position, Float(covered / ratio))) }
                position += 1
            }
            return span
        }
    }

    /// Exact 2× box downsample (drops an odd last row/column).
    public func halved() -> GrayImage {
        let newWidth = width / 2, newHeight = height / 2
        var out = [UInt8](repeating: 0, count: newWidth * newHeight)
        pixels.withUnsafeBufferPointer { src in
            for y in 0..<newHeight {
                let top = 2 * y * width, bottom = top + width
                for x in 0..<newWidth {
                    let sum =
                        Int(src[top + 2 * x]) + Int(src[top + 2 * x + 1])
                        + Int(src[bottom + 2 * x]) + Int(src[bottom + 2 * x + 1])
                    out[y * newWidth + x] = UInt8((sum + 2) / 4)
                }
            }
        }
        return GrayImage(width: newWidth, height: newHeight, pixels: out)
    }
}
