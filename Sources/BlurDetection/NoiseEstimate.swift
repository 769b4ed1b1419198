/// Immerkær's fast noise variance estimate (1996): the response to a kernel that cancels
/// planes and linear ramps, so what remains in flat regions is noise. Taken from the
/// flattest fifth of 16×16-pixel blocks, so edges do not inflate it.
enum NoiseEstimate {
    static func sigma(_ image: GrayImage) -> Double {
        let w = image.width, h = image.height, block = 16
        guard w >= block + 2, h >= block + 2 else { return 0 }
        var sigmas: [Double] = []
        image.pixels.withUnsafeBufferPointer { px in
            var top = 1
            while top + block <= h - 1 {
                var left = 1
                while left + block <= w - 1 {
                    var total = 0
                    for y in top..<(top + block) {
                        var p = y * w + left
                        for _ in 0..<block {
                            let n =
                                4 * Int(px[p])
                                - 2 * (Int(px[p - 1]) + Int(px[p + 1]) + Int(px[p - w]) + Int(px[p + w]))
                                + Int(px[p - w - 1]) + Int(px[p - w + 1]) + Int(px[p + w - 1]) + Int(px[p + w + 1])
                            total += abs(n)
                            p += 1
                        }
                    }
                    sigmas.append(Double(total) * (Double.pi / 2).squareRoot() / (6 * Double(block * block)))
                    left += block
                }
                top += 2 * block  // every other band of blocks is plenty for a percentile
            }
        }
        guard !sigmas.isEmpty else { return 0 }
        sigmas.sort()
        return sigmas[sigmas.count / 5]
    }
}
