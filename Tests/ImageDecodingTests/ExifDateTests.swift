import Foundation
import Testing

@testable import ImageDecoding

/// A photo's time is when it was taken (EXIF DateTimeOriginal), read from the header.
@Suite struct ExifDateTests {
    /// A real JPEG with an APP1 segment carrying DateTimeOriginal in the Exif IFD, in either
    /// byte order.
    static func jpeg(taken: String, littleEndian: Bool) throws -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] {
            littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)]
        }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        tiff += u16(42) + u32(8)
        tiff += u16(1) + u16(0x8769) + u16(4) + u32(1) + u32(26) + u32(0)  // IFD0 → Exif IFD at 26
        tiff += u16(1) + u16(0x9003) + u16(2) + u32(20) + u32(44) + u32(0)  // DateTimeOriginal at 44
        tiff += Array(taken.utf8) + [0]
        let payload: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let app1: [UInt8] =
            [0xFF, 0xE1] + [UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        let photo = try Fixtures.bytes("sharp-cat.jpg")
        return Array(photo[0..<2]) + app1 + Array(photo[2...])
    }

    @Test(arguments: [true, false])
    func theProbeReadsWhenThePhotoWasTaken(_ littleEndian: Bool) throws {
        let bytes = try Self.jpeg(taken: "2019:07:04 12:34:56", littleEndian: littleEndian)
        let probe = try ImageDecoder().probe(bytes)
        let expected = try Date("2019-07-04T12:34:56Z", strategy: .iso8601)
        #expect(probe.takenAt == Int64(expected.timeIntervalSince1970 * 1000))
        // Still decodes as before.
        #expect(try ImageDecoder().decode(bytes, minimumLongSide: 480).image.width > 0)
    }

    @Test func missingOrNonsenseDatesAreUnknown() throws {
        #expect(
            try ImageDecoder().probe(try Self.jpeg(taken: "0000:00:00 00:00:00", littleEndian: true)).takenAt == nil)
        #expect(
            try ImageDecoder().probe(try Self.jpeg(taken: "not a date at all!!", littleEndian: false)).takenAt == nil)
        #expect(try ImageDecoder().probe(try Fixtures.bytes("sharp-coffee.png")).takenAt == nil)
    }
}
