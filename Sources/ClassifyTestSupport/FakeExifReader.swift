import Foundation

/// Reads the few EXIF fields the Picker reports (camera, exposure, time taken) from a JPEG's
/// APP1 segment. Every offset is bounds-checked; anything odd means "no such field".
enum FakeExifReader {
    struct Fields: Equatable {
        var make: String?
        var model: String?
        var exposureTime: Double?
        var fNumber: Double?
        var iso: Int?
        var focalLength: Double?
        var dateTimeOriginal: Date?
    }

    static func read(jpeg bytes: [UInt8]) -> Fields? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var offset = 2
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            if marker == 0xDA || marker == 0xD9 { return nil }
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]
            if marker == 0xE1, length >= 16, Array(bytes[(offset + 4)..<(offset + 10)]) == exifHeader {
                return TIFF(Array(bytes[(offset + 10)..<(offset + 2 + length)]))?.fields()
            }
            offset += 2 + length
        }
        return nil
    }

    private struct TIFF {
        let data: [UInt8]
        let little: Bool

        init?(_ data: [UInt8]) {
            guard data.count >= 8 else { return nil }
            self.data = data
            if data[0] == 0x49, data[1] == 0x49 {
                little = true
            } else if data[0] == 0x4D, data[1] == 0x4D {
                little = false
            } else {
                return nil
            }
        }

        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= data.count else { return nil }
            return little ? Int(data[at]) | Int(data[at + 1]) << 8 : Int(data[at]) << 8 | Int(data[at + 1])
        }

        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }

        /// Tag → (type, count, offset of the value bytes) for one IFD.
        func entries(at ifd: Int) -> [Int: (type: Int, count: Int, valueOffset: Int)] {
            guard let count = u16(ifd), count < 1000 else { return [:] }
            var result: [Int: (Int, Int, Int)] = [:]
            for index in 0..<count {
                let entry = ifd + 2 + index * 12
                guard let tag = u16(entry), let type = u16(entry + 2), let n = u32(entry + 4) else { break }
                let size = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8][type, default: 1] * n
                let valueOffset = size <= 4 ? entry + 8 : (u32(entry + 8) ?? -1)
                result[tag] = (type, n, valueOffset)
            }
            return result
        }

        func string(_ entry: (type: Int, count: Int, valueOffset: Int)?) -> String? {
            guard let entry, entry.type == 2, entry.valueOffset >= 0, entry.valueOffset + entry.count <= data.count
            else { return nil }
            let raw = data[entry.valueOffset..<(entry.valueOffset + entry.count)].prefix { $0 != 0 }
            let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }

        func number(_ entry: (type: Int, count: Int, valueOffset: Int)?) -> Double? {
            guard let entry else { return nil }
            switch entry.type {
            case 3: return u16(entry.valueOffset).map(Double.init)
            case 4: return u32(entry.valueOffset).map(Double.init)
            case 5, 10:
                guard let numerator = u32(entry.valueOffset), let denominator = u32(entry.valueOffset + 4),
                    denominator != 0
                else { return nil }
                return Double(numerator) / Double(denominator)
            default: return nil
            }
        }

        func fields() -> Fields? {
            guard let first = u32(4) else { return nil }
            let ifd0 = entries(at: first)
            var fields = Fields(make: string(ifd0[0x010F]), model: string(ifd0[0x0110]))
            if let pointer = ifd0[0x8769], let exifOffset = u32(pointer.valueOffset) {
                let exif = entries(at: exifOffset)
                fields.exposureTime = number(exif[0x829A])
                fields.fNumber = number(exif[0x829D])
                fields.iso = number(exif[0x8827]).map { Int($0) }
                fields.focalLength = number(exif[0x920A])
                fields.dateTimeOriginal = string(exif[0x9003]).flatMap(Self.exifDate)
            }
            return fields
        }

        /// "2010:03:14 15:06:31", read as UTC (EXIF carries no zone here).
        static func exifDate(_ text: String) -> Date? {
            let parts = text.split(whereSeparator: { $0 == ":" || $0 == " " }).compactMap { Int($0) }
            guard parts.count == 6 else { return nil }
            var components = DateComponents(
                timeZone: TimeZone(identifier: "UTC"), year: parts[0], month: parts[1], day: parts[2], hour: parts[3],
                minute: parts[4], second: parts[5])
            components.calendar = Calendar(identifier: .gregorian)
            return components.date
        }
    }
}
