/// Variance of the Laplacian, exactly as OpenCV computes
/// `cv2.Laplacian(gray, cv2.CV_64F).var()`: the 3×3 kernel [0 1 0; 1 -4 1; 0 1 0]
/// (ksize = 1), borders reflected without repeating the edge (BORDER_REFLECT_101), and the
/// population variance over every pixel.
///
/// Kept as a reference feature and as the peer Classify is measured against; on its own it
/// measures texture, not sharpness.
public func varianceOfLaplacian(_ image: GrayImage) -> Double {
    let w = image.width, h = image.height
    guard w > 0, h > 0 else { return 0 }
    func reflect(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        if i < 0 { return -i }
        if i >= n { return 2 * n - 2 - i }
        return i
    }
    var sum = 0, sumSquares = 0
    image.pixels.withUnsafeBufferPointer { p in
        for y in 0..<h {
            let up = reflect(y - 1, h) * w, row = y * w, down = reflect(y + 1, h) * w
            for x in 0..<w {
                // Interior pixels need no reflection; the border pays for its own.
                let left = x > 0 ? x - 1 : reflect(x - 1, w), right = x < w - 1 ? x + 1 : reflect(x + 1, w)
                let value =
                    Int(p[up &+ x]) &+ Int(p[down &+ x]) &+ Int(p[row &+ left]) &+ Int(p[row &+ right])
                    &- 4 &* Int(p[row &+ x])
                sum &+= value
                sumSquares &+= value &* value
            }
        }
    }
    // Integer sums are exact (|value| ≤ 1020, so even 10⁹ pixels cannot overflow).
    let count = Double(w * h)
    let mean = Double(sum) / count
    return max(0, Double(sumSquares) / count - mean * mean)
}
