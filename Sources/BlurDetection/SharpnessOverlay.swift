import RealModule

/// Draws a sharpness map over the photo so people can see where it is sharp (green), blurred
/// (red) or without texture to judge (left plain), with the shake direction as a yellow line.
public enum SharpnessOverlay {
    /// RGB pixels (3 bytes each) of `image` with `map` painted over it.
    public static func render(_ image: GrayImage, map: SharpnessMap, directionDegrees: Double?) -> [UInt8] {
        let w = image.width, h = image.height
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            let row = min(map.rows - 1, y * map.rows / max(1, h))
            for x in 0..<w {
                let column = min(map.columns - 1, x * map.columns / max(1, w))
                let gray = Double(image[x, y])
                var color = (gray, gray, gray)
                if let sharp = map[column, row] {
                    let tint = sharp >= 0.5 ? (40.0, 200.0, 70.0) : (230.0, 50.0, 40.0)
                    let strength = 0.25 + 0.35 * abs(sharp - 0.5) * 2
                    color = (mix(gray, tint.0, strength), mix(gray, tint.1, strength), mix(gray, tint.2, strength))
                }
                let onGrid = (x * map.columns) % max(1, w) < map.columns || (y * map.rows) % max(1, h) < map.rows
                if onGrid { color = (color.0 * 0.6, color.1 * 0.6, color.2 * 0.6) }
                let offset = (y * w + x) * 3
                rgb[offset] = UInt8(clamping: Int(color.0.rounded()))
                rgb[offset + 1] = UInt8(clamping: Int(color.1.rounded()))
                rgb[offset + 2] = UInt8(clamping: Int(color.2.rounded()))
            }
        }
        if let directionDegrees { drawDirection(&rgb, width: w, height: h, degrees: directionDegrees) }
        return rgb
    }

    static func mix(_ a: Double, _ b: Double, _ t: Double) -> Double { a + (b - a) * t }

    /// A thick yellow line through the centre along the shake direction.
    static func drawDirection(_ rgb: inout [UInt8], width w: Int, height h: Int, degrees: Double) {
        let radians = degrees * Double.pi / 180
        let (dx, dy) = (cosine(radians), -sine(radians))  // y grows downwards on screen
        let length = Double(min(w, h)) * 0.3
        let steps = Int(length * 2)
        for step in 0...max(1, steps) {
            let t = Double(step) / Double(max(1, steps)) * 2 - 1
            let cx = Double(w) / 2 + dx * length * t, cy = Double(h) / 2 + dy * length * t
            for oy in -1...1 {
                for ox in -1...1 {
                    let x = Int(cx.rounded()) + ox, y = Int(cy.rounded()) + oy
                    guard x >= 0, x < w, y >= 0, y < h else { continue }
                    let offset = (y * w + x) * 3
                    rgb[offset] = 255
                    rgb[offset + 1] = 220
                    rgb[offset + 2] = 0
                }
            }
        }
    }

    // The standard library has no trigonometry; RealModule supplies it without Foundation.
    static func cosine(_ x: Double) -> Double { Double.cos(x) }
    static func sine(_ x: Double) -> Double { Double.sin(x) }
}
