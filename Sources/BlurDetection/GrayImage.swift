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
        let columns = AreaWeights(from: width, to: newWidth)
        let rows = AreaWeights(from: height, to: newHeight)
        // Horizontal pass into a float buffer, then vertical; each output sample reads the
        // 2–3 inputs it overlaps with their area weights.
        // Fixed point: weights in 1/256ths, so each pass is integer multiply-adds.
        var rowSums = [UInt16](repeating: 0, count: newWidth * height)
        var out = [UInt8](repeating: 0, count: newWidth * newHeight)
        columns.withBuffers { columnIndex, columnWeight, columnStart in
            pixels.withUnsafeBufferPointer { src in
                rowSums.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<height {
                        let row = y &* width, output = y &* newWidth
                        for nx in 0..<newWidth {
                            var total: UInt32 = 0
                            for k in columnStart[nx]..<columnStart[nx &+ 1] {
                                total &+= UInt32(src[row &+ columnIndex[k]]) &* columnWeight[k]
                            }
                            dst[output &+ nx] = UInt16(truncatingIfNeeded: total)
                        }
                    }
                }
            }
        }
        rows.withBuffers { rowIndex, rowWeight, rowStart in
            rowSums.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for ny in 0..<newHeight {
                        let output = ny &* newWidth
                        for nx in 0..<newWidth {
                            var total: UInt32 = 0
                            for k in rowStart[ny]..<rowStart[ny &+ 1] {
                                total &+= UInt32(src[rowIndex[k] &* newWidth &+ nx]) &* rowWeight[k]
                            }
                            dst[output &+ nx] = UInt8(truncatingIfNeeded: min(255, (total &+ 32768) >> 16))
                        }
                    }
                }
            }
        }
        return GrayImage(width: newWidth, height: newHeight, pixels: out)
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

/// For each output sample of an area resample, the input samples it covers and their area
/// weights in 1/256ths (summing to exactly 256), in flat arrays.
struct AreaWeights {
    var index: [Int] = []
    var weight: [UInt32] = []
    var start: [Int] = [0]

    init(from source: Int, to target: Int) {
        let ratio = Double(source) / Double(target)
        for output in 0..<target {
            let low = Double(output) * ratio, high = Double(output + 1) * ratio
            var position = Int(low)
            var assigned: UInt32 = 0
            while Double(position) < high && position < source {
                let covered = min(high, Double(position + 1)) - max(low, Double(position))
                if covered > 1e-9 {
                    let share = UInt32((covered / ratio * 256).rounded())
                    index.append(position)
                    weight.append(share)
                    assigned += share
                }
                position += 1
            }
            // Rounding must not brighten or darken: the last tap takes the remainder.
            if let last = weight.indices.last, index.count > start[start.count - 1] {
                weight[last] = UInt32(max(0, Int(weight[last]) + 256 - Int(assigned)))
            }
            start.append(index.count)
        }
    }

    func withBuffers<R>(
        _ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<Int>) -> R
    ) -> R {
        index.withUnsafeBufferPointer { i in
            weight.withUnsafeBufferPointer { w in start.withUnsafeBufferPointer { s in body(i, w, s) } }
        }
    }
}
