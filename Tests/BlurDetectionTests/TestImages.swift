@testable import BlurDetection

/// Deterministic test images, generated in Swift (no files needed).
enum TestImages {
    /// Keep in step with Tests/Fixtures/opencv/make_laplacian_fixtures.py.
    static func pattern(_ kind: String, width: Int, height: Int) -> GrayImage {
        var pixels = [UInt8](repeating: 0, count: width * height)
        var state = 12345
        for y in 0..<height {
            for x in 0..<width {
                let value: Int
                switch kind {
                case "ramp": value = (x * 7 + y * 13) % 256
                case "checker": value = ((x / 3) + (y / 2)) % 2 == 0 ? 40 : 210
                case "mixed": value = (x * x + 3 * y * x + 11 * y) % 256
                default:
                    state = (1_103_515_245 * state + 12345) % (1 << 31)
                    value = state >> 23
                }
                pixels[y * width + x] = UInt8(value)
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// A photo-like scene: overlapping discs of random gray (edges at every angle, as in
    /// real scenes), plus mild noise.
    static func scene(width: Int = 480, height: Int = 360, seed: Int = 7) -> GrayImage {
        var random = seed
        func next(_ bound: Int) -> Int {
            random = (1_103_515_245 * random + 12345) % (1 << 31)
            return (random >> 8) % bound
        }
        var pixels = [UInt8](repeating: 128, count: width * height)
        for _ in 0..<60 {
            let x0 = next(width), y0 = next(height), w = 10 + next(80), h = 10 + next(80)
            let gray = UInt8(next(256)), disc = true
            for y in y0..<min(height, y0 + h) {
                for x in x0..<min(width, x0 + w) {
                    if disc {
                        let dx = x - x0 - w / 2, dy = y - y0 - h / 2
                        if dx * dx * h * h + dy * dy * w * w > (w * h / 2) * (w * h / 2) { continue }
                    }
                    pixels[y * width + x] = gray
                }
            }
        }
        for index in pixels.indices {
            pixels[index] = UInt8(clamping: Int(pixels[index]) + next(7) - 3)
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// Box blur of `length` pixels along (dx, dy) (motion), or in both axes (defocus-like).
    static func blurred(_ image: GrayImage, length: Int, dx: Int, dy: Int) -> GrayImage {
        var out = image.pixels
        let w = image.width, h = image.height
        for y in 0..<h {
            for x in 0..<w {
                var total = 0, count = 0
                for k in -(length / 2)...(length / 2) {
                    let sx = x + k * dx, sy = y + k * dy
                    guard sx >= 0, sx < w, sy >= 0, sy < h else { continue }
                    total += Int(image.pixels[sy * w + sx])
                    count += 1
                }
                out[y * w + x] = UInt8(total / max(1, count))
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    static func defocused(_ image: GrayImage, length: Int) -> GrayImage {
        blurred(blurred(image, length: length, dx: 1, dy: 0), length: length, dx: 0, dy: 1)
    }
}
