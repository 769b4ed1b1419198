import BlurDetection

/// Reads the EXIF orientation tag from a JPEG's APP1 segment without decoding anything.
/// Defensive: every offset is bounds-checked; anything odd means "upright".
enum ExifOrientation {
    static func fromJPEG(_ bytes: UnsafeBufferPointer<UInt8>) -> Orientation {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return .up }
            let marker = bytes[offset + 1]
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                offset += 2
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return .up }  // pixels start: no EXIF before
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return .up }
            if marker == 0xE1, length >= 16,
                bytes[offset + 4] == 0x45, bytes[offset + 5] == 0x78, bytes[offset + 6] == 0x69,
                bytes[offset + 7] == 0x66, bytes[offset + 8] == 0, bytes[offset + 9] == 0
            {
                let tiff = UnsafeBufferPointer(rebasing: bytes[(offset + 10)..<(offset + 2 + length)])
                return fromTIFF(tiff) ?? .up
            }
            offset += 2 + length
        }
        return .up
    }

    static func fromTIFF(_ tiff: UnsafeBufferPointer<UInt8>) -> Orientation? {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49 && tiff[1] == 0x49
        guard little || (tiff[0] == 0x4D && tiff[1] == 0x4D) else { return nil }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let low = u16(little ? at : at + 2), let high = u16(little ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard let ifd = u32(4), let entries = u16(ifd), entries < 1000 else { return nil }
        for index in 0..<entries {
            let entry = ifd + 2 + index * 12
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112, let value = u16(entry + 8) { return Orientation(rawValue: value) }
        }
        return nil
    }
}
