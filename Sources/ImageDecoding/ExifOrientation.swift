import BlurDetection

/// Reads EXIF tags from a JPEG's APP1 segment without decoding anything: the orientation,
/// and when the photo was taken. Defensive: every offset is bounds-checked; anything odd
/// means "upright" and "unknown".
enum ExifOrientation {
    static func fromJPEG(_ bytes: UnsafeBufferPointer<UInt8>) -> Orientation {
        guard let tiff = tiffBlock(bytes) else { return .up }
        return fromTIFF(tiff) ?? .up
    }

    /// The TIFF block of the first `Exif\0\0` APP1 segment.
    static func tiffBlock(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                offset += 2
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return nil }  // pixels start: no EXIF before
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            if marker == 0xE1, length >= 16,
                bytes[offset + 4] == 0x45, bytes[offset + 5] == 0x78, bytes[offset + 6] == 0x69,
                bytes[offset + 7] == 0x66, bytes[offset + 8] == 0, bytes[offset + 9] == 0
            {
                return UnsafeBufferPointer(rebasing: bytes[(offset + 10)..<(offset + 2 + length)])
            }
            offset += 2 + length
        }
        return nil
    }

    static func fromTIFF(_ tiff: UnsafeBufferPointer<UInt8>) -> Orientation? {
        guard let reader = TIFFReader(tiff), let value = reader.tag(0x0112, inIFDAt: reader.firstIFD) else {
            return nil
        }
        return reader.u16(value).flatMap(Orientation.init(rawValue:))
    }

    /// DateTimeOriginal (Exif IFD tag 0x9003, "YYYY:MM:DD HH:MM:SS", the camera's wall clock)
    /// as milliseconds since 1970, read as UTC since EXIF carries no zone; nil when absent or
    /// implausible.
    static func dateTaken(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let tiff = tiffBlock(bytes), let reader = TIFFReader(tiff),
            let pointer = reader.tag(0x8769, inIFDAt: reader.firstIFD), let exifIFD = reader.u32(pointer),
            let entry = reader.tag(0x9003, inIFDAt: exifIFD), let count = reader.u32(entry - 4), count >= 19
        else { return nil }
        // 20 bytes do not fit in the entry: the value holds their offset.
        guard let start = reader.u32(entry), start >= 0, start + 19 <= tiff.count else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: tiff[start..<(start + 19)]), as: UTF8.self)
        let fields = text.split(whereSeparator: { $0 == ":" || $0 == " " }).compactMap { Int($0) }
        guard fields.count == 6, (1900...2200).contains(fields[0]), (1...12).contains(fields[1]),
            (1...31).contains(fields[2]), (0...23).contains(fields[3]), (0...59).contains(fields[4]),
            (0...60).contains(fields[5])
        else { return nil }
        return Self.daysFromCivil(year: fields[0], month: fields[1], day: fields[2]) * 86_400_000
            + Int64(fields[3] * 3_600_000 + fields[4] * 60_000 + fields[5] * 1000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468)
    }
}

/// Bounds-checked reads of a TIFF block (EXIF's container), in its byte order.
struct TIFFReader {
    let tiff: UnsafeBufferPointer<UInt8>
    let little: Bool
    private(set) var firstIFD = 0

    init?(_ tiff: UnsafeBufferPointer<UInt8>) {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49 && tiff[1] == 0x49
        guard little || (tiff[0] == 0x4D && tiff[1] == 0x4D) else { return nil }
        self.tiff = tiff
        self.little = little
        guard let first = u32(4) else { return nil }
        firstIFD = first
    }

    func u16(_ at: Int) -> Int? {
        guard at >= 0, at + 2 <= tiff.count else { return nil }
        return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
    }

    func u32(_ at: Int) -> Int? {
        guard let low = u16(little ? at : at + 2), let high = u16(little ? at + 2 : at) else { return nil }
        return high << 16 | low
    }

    /// The offset of the value field (4 bytes) of `tag` in the IFD at `ifd`.
    func tag(_ tag: Int, inIFDAt ifd: Int) -> Int? {
        guard let entries = u16(ifd), entries < 1000 else { return nil }
        for index in 0..<entries {
            let entry = ifd + 2 + index * 12
            guard let found = u16(entry) else { return nil }
            if found == tag { return entry + 8 }
        }
        return nil
    }
}
