import BlurDetection
import Testing

@testable import ImageDecoding

@Suite struct ImageDecoderTests {
    let decoder = ImageDecoder()
    let analyzer = BlurAnalyzer()

    @Test func jpegTakesTheTurboJPEGPathAtAReducedScale() throws {
        // 1411×1411: 1/2 keeps the long side ≥ 480, 1/4 would not.
        let decoded = try decoder.decode(Fixtures.bytes("sharp-retina.jpg"), minimumLongSide: 480)
        #expect(decoded.path == .turboJPEG(scaleDenominator: 2))
        #expect(decoded.image.width == 706 && decoded.image.height == 706)
        #expect(decoded.format == .jpeg)
    }

    @Test(arguments: ["sharp-coffee.png", "sharp-coffee.webp"])
    func otherFormatsGoThroughVipsAndScoreLikeTheJPEG(_ name: String) throws {
        let reference = try decoder.decode(Fixtures.bytes("sharp-coffee.jpg"), minimumLongSide: 480)
        let other = try decoder.decode(Fixtures.bytes(name), minimumLongSide: 480)
        guard case .vips = other.path else {
            Issue.record("\(name) decoded by \(other.path)")
            return
        }
        #expect(other.image.width == reference.image.width && other.image.height == reference.image.height)
        let difference = try abs(analyzer.analyze(other.image).blurScore - analyzer.analyze(reference.image).blurScore)
        #expect(difference <= 0.05, "\(name) differs by \(difference)")
    }

    @Test func exifOrientationIsApplied() throws {
        let upright = try decoder.decode(Fixtures.bytes("sharp-coffee.jpg"), minimumLongSide: 480)
        let rotated = try decoder.decode(Fixtures.bytes("rotated6-coffee.jpg"), minimumLongSide: 480)
        #expect(rotated.width == 400 && rotated.height == 600, "stored size")
        #expect(rotated.image.width == upright.image.width && rotated.image.height == upright.image.height)
        let meanDifference =
            zip(rotated.image.pixels, upright.image.pixels)
            .map { abs(Int($0) - Int($1)) }.reduce(0, +) / upright.image.pixels.count
        #expect(meanDifference < 6, "mean pixel difference \(meanDifference)")
    }

    @Test func emptyAndGarbageAreNamed() throws {
        #expect(throws: ImageDecodingError.empty) { try decoder.decode([], minimumLongSide: 480) }
        #expect(throws: ImageDecodingError.notAnImage) {
            try decoder.decode(Array("hello, this is text".utf8), minimumLongSide: 480)
        }
    }

    @Test func truncatedFilesSayTruncated() throws {
        let jpeg = try Fixtures.bytes("sharp-cat.jpg")
        #expect(throws: ImageDecodingError.truncated(format: "JPEG")) {
            try decoder.decode(Array(jpeg.prefix(jpeg.count * 2 / 5)), minimumLongSide: 480)
        }
        let png = try Fixtures.bytes("sharp-coffee.png")
        #expect(throws: ImageDecodingError.truncated(format: "PNG")) {
            try decoder.decode(Array(png.prefix(png.count / 2)), minimumLongSide: 480)
        }
    }

    @Test func pixelLimitIsCheckedBeforeDecoding() throws {
        let strict = ImageDecoder(limits: DecodeLimits(maxPixels: 100_000))
        let error = #expect(throws: ImageDecodingError.self) {
            try strict.decode(Fixtures.bytes("sharp-coffee.jpg"), minimumLongSide: 480)
        }
        #expect(error == .tooManyPixels(width: 600, height: 400, limitMegapixels: 0.1))
        #expect(error?.description == "image too large (0.2 MP, 600×400; limit 0.1 MP)")
    }

    @Test func fileSizeLimit() throws {
        let strict = ImageDecoder(limits: DecodeLimits(maxFileBytes: 1000))
        #expect(
            throws: ImageDecodingError.fileTooLarge(bytes: try Fixtures.bytes("sharp-cat.jpg").count, limitBytes: 1000)
        ) {
            try strict.decode(Fixtures.bytes("sharp-cat.jpg"), minimumLongSide: 480)
        }
    }

    @Test func tooSmallToJudge() throws {
        let strict = ImageDecoder(limits: DecodeLimits(minimumSide: 500))
        #expect(throws: ImageDecodingError.tooSmall(width: 600, height: 400, minimumSide: 500)) {
            try strict.decode(Fixtures.bytes("sharp-coffee.jpg"), minimumLongSide: 480)
        }
    }

    @Test func shrinkFactorKeepsTheLongSideAboveTheTarget() {
        #expect(ImageDecoder.shrinkFactor(longSide: 4000, minimumLongSide: 480) == 8)
        #expect(ImageDecoder.shrinkFactor(longSide: 3264, minimumLongSide: 480) == 4)
        #expect(ImageDecoder.shrinkFactor(longSide: 900, minimumLongSide: 480) == 1)
        #expect(ImageDecoder.shrinkFactor(longSide: 300, minimumLongSide: 480) == 1)
    }

    @Test func pngEncoderRoundTrips() throws {
        let rgb = (0..<(40 * 30 * 3)).map { UInt8($0 % 251) }
        let png = try PNGEncoder.encodeRGB(rgb, width: 40, height: 30)
        #expect(ImageFormat.sniff(png) == .png)
        let decoded = try ImageDecoder(limits: DecodeLimits(minimumSide: 1)).decode(png, minimumLongSide: 10)
        #expect(decoded.width == 40 && decoded.height == 30)
    }
}

@Suite struct ImageFormatTests {
    @Test func sniffsMagicBytes() {
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat.sniff([0, 0, 0, 0x18] + Array("ftypheic".utf8)) == .heif)
        #expect(ImageFormat.sniff([0, 0, 0, 0x18] + Array("ftypavif".utf8)) == .avif)
        #expect(ImageFormat.sniff(Array("not an image".utf8)) == .unknown)
        #expect(ImageFormat.sniff([UInt8]()) == .unknown)
    }
}
