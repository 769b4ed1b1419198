/// EXIF orientation (TIFF tag 274): how the stored pixels must be turned to stand upright.
public enum Orientation: Int, Sendable, CaseIterable {
    case up = 1, upMirrored = 2, down = 3, downMirrored = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// Whether width and height swap when the orientation is applied.
    public var swapsAxes: Bool { rawValue >= 5 }
}

extension GrayImage {
    /// The image as a viewer shows it after applying `orientation`.
    public func oriented(_ orientation: Orientation) -> GrayImage {
        if orientation == .up { return self }
        let outWidth = orientation.swapsAxes ? height : width
        let outHeight = orientation.swapsAxes ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        let w = width, h = height
        pixels.withUnsafeBufferPointer { src in
            for y in 0..<outHeight {
                for x in 0..<outWidth {
                    // (sx, sy): the stored pixel that lands at displayed (x, y).
                    let (sx, sy): (Int, Int)
                    switch orientation {
                    case .up: (sx, sy) = (x, y)
                    case .upMirrored: (sx, sy) = (w - 1 - x, y)
                    case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                    case .downMirrored: (sx, sy) = (x, h - 1 - y)
                    case .leftMirrored: (sx, sy) = (y, x)
                    case .right: (sx, sy) = (y, h - 1 - x)
                    case .rightMirrored: (sx, sy) = (w - 1 - y, h - 1 - x)
                    case .left: (sx, sy) = (w - 1 - y, x)
                    }
                    out[y * outWidth + x] = src[sy * w + sx]
                }
            }
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out)
    }
}
