/// What a JPEG's start-of-frame segment declares, read without decoding.
struct JPEGFrame: Equatable {
    let progressive: Bool
    /// Samples per pixel summed over components, relative to the full image (3 components at
    /// 4:2:0 give 1.5).
    let samplesPerPixel: Double

    /// Bytes libjpeg holds while decoding at `scale`: the whole coefficient buffer (2 bytes per
    /// sample) for progressive files, only the output for baseline ones.
    func decodeBytes(width: Int, height: Int, scale: Int) -> Int {
        let output = (width / scale + 1) * (height / scale + 1)
        return progressive ? Int(Double(width) * Double(height) * samplesPerPixel * 2) + output : output
    }

    static func scan(_ bytes: [UInt8]) -> JPEGFrame? {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return nil }
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            // SOF0...SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return frame(marker: marker, segment: bytes[(offset + 4)..<(offset + 2 + length)])
            }
            offset += 2 + length
        }
        return nil
    }

    private static func frame(marker: UInt8, segment: ArraySlice<UInt8>) -> JPEGFrame? {
        let start = segment.startIndex
        guard segment.count >= 6 else { return nil }
        let components = Int(segment[start + 5])
        guard components > 0, segment.count >= 6 + 3 * components else { return nil }
        let factors = (0..<components).map { index -> (Int, Int) in
            let sampling = segment[start + 6 + 3 * index + 1]
            return (max(1, Int(sampling >> 4)), max(1, Int(sampling & 0x0F)))
        }
        let maxH = factors.map(\.0).max() ?? 1, maxV = factors.map(\.1).max() ?? 1
        let samples = factors.reduce(0.0) { $0 + Double($1.0 * $1.1) / Double(maxH * maxV) }
        let progressive = [0xC2, 0xC6, 0xCA, 0xCE].contains(marker)
        return JPEGFrame(progressive: progressive, samplesPerPixel: samples)
    }
}
