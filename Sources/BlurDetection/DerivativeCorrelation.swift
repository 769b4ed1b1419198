/// How far along each direction the image's own derivative stays correlated: blur spreads
/// every edge's transition over the kernel's extent, so the derivative along the shake is
/// correlated over many pixels and the derivative across it over few. Unlike the 9-pixel
/// re-blur cues this keeps working for blur wider than 9 pixels, and it reads the kernel's
/// shape, not the scene's texture.
enum DerivativeCorrelation {
    static let maximumLag = 8

    /// Correlation length (Σ of positive normalised autocorrelations over lags 1...8) of the
    /// derivative along each `ReblurDirection`.
    static func lengths(_ image: GrayImage) -> [Double] {
        let w = image.width, h = image.height, margin = maximumLag + 2
        guard w > 2 * margin, h > 2 * margin else { return [0, 0, 0, 0] }
        return image.pixels.withUnsafeBufferPointer { px in
            ReblurDirection.allCases.map { direction in
                let s = direction.step.dx + direction.step.dy * w
                var products = [Int](repeating: 0, count: maximumLag + 1)
                products.withUnsafeMutableBufferPointer { sums in
                    // Every other row: sums of products need no more samples.
                    for y in stride(from: margin, to: h - margin, by: 2) {
                        for x in margin..<(w - margin) {
                            let p = y &* w &+ x
                            let d0 = Int(px[p]) &- Int(px[p &- s])
                            if d0 == 0 { continue }
                            var q = p
                            for lag in 0...maximumLag {
                                sums[lag] &+= d0 &* (Int(px[q]) &- Int(px[q &- s]))
                                q &+= s
                            }
                        }
                    }
                }
                guard products[0] > 0 else { return 0 }
                return (1...maximumLag).reduce(0.0) { $0 + max(0, Double(products[$1]) / Double(products[0])) }
            }
        }
    }
}
