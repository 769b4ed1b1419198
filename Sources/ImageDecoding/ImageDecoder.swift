import BlurDetection
import CImageCodecs

/// Turns the bytes of any common photo format into an upright gray image, no larger than
/// needed for analysis.
///
/// JPEG — nearly every photo — goes through TurboJPEG, decoding straight to gray with DCT
/// scaling so a 12-megapixel photo is never decoded at full size. Everything else, and the
/// JPEG variants TurboJPEG cannot do (CMYK, arithmetic coding), goes through libvips.
/// Both paths shrink by the same power of two, so they feed the analysis the same picture.
public struct ImageDecoder: Sendable {
    public var limits: DecodeLimits
    /// Shared by every thread decoding with this decoder.
    public let memoryBudget: DecodeMemoryBudget

    public init(limits: DecodeLimits = .standard, memoryBudget: DecodeMemoryBudget = DecodeMemoryBudget()) {
        self.limits = limits
        self.memoryBudget = memoryBudget
    }

    /// How the pixels were obtained.
    public enum Path: Sendable, Equatable {
        case turboJPEG(scaleDenominator: Int)
        case vips(loader: String, shrink: Int)
    }

    public struct Decoded: Sendable {
        /// Upright (EXIF orientation applied) gray image, long side ≥ the requested one
        /// unless the photo itself is smaller.
        public let image: GrayImage
        /// Declared size of the stored image, before orientation and scaling.
        public let width: Int
        public let height: Int
        public let format: ImageFormat
        public let path: Path
    }

    /// Decodes `bytes` so the long side is at least `minimumLongSide` (when the photo is that
    /// big), shrinking by 1, 2, 4 or 8.
    public func decode(_ bytes: [UInt8], minimumLongSide: Int) throws(ImageDecodingError) -> Decoded {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxFileBytes else {
            throw .fileTooLarge(bytes: bytes.count, limitBytes: limits.maxFileBytes)
        }
        let format = ImageFormat.sniff(bytes)
        if format == .jpeg {
            do {
                return try decodeJPEG(bytes, minimumLongSide: minimumLongSide)
            } catch .unsupported {
                // CMYK or arithmetic-coded: libvips (with lcms) handles those.
            }
        }
        return try decodeWithVips(bytes, format: format, minimumLongSide: minimumLongSide)
    }

    func checkSize(width: Int, height: Int) throws(ImageDecodingError) {
        guard width > 0, height > 0 else { throw .corrupt(format: "image", detail: "zero size") }
        guard width.multipliedReportingOverflow(by: height).partialValue <= limits.maxPixels,
            width <= limits.maxPixels, height <= limits.maxPixels
        else {
            throw .tooManyPixels(
                width: width, height: height,
                limitMegapixels: Double(limits.maxPixels) / 1_000_000)
        }
        guard min(width, height) >= limits.minimumSide else {
            throw .tooSmall(width: width, height: height, minimumSide: limits.minimumSide)
        }
    }

    /// The largest of 8, 4, 2, 1 that keeps the long side at or above `minimumLongSide`.
    static func shrinkFactor(longSide: Int, minimumLongSide: Int) -> Int {
        for factor in [8, 4, 2] where (longSide + factor - 1) / factor >= minimumLongSide {
            return factor
        }
        return 1
    }

    func decodeJPEG(_ bytes: [UInt8], minimumLongSide: Int) throws(ImageDecodingError) -> Decoded {
        let result: Result<Decoded, ImageDecodingError> = bytes.withUnsafeBufferPointer { buffer in
            var message = [CChar](repeating: 0, count: 256)
            var width: Int32 = 0, height: Int32 = 0, colorspace: Int32 = 0
            let headerCode = cls_jpeg_header(
                buffer.baseAddress, buffer.count, &width, &height,
                &colorspace, &message, message.count)
            if headerCode != CLS_OK {
                return .failure(Self.error(headerCode, format: .jpeg, message: message))
            }
            do throws(ImageDecodingError) {
                try checkSize(width: Int(width), height: Int(height))
            } catch { return .failure(error) }
            let factor = Self.shrinkFactor(
                longSide: Int(max(width, height)),
                minimumLongSide: minimumLongSide)
            var outWidth: Int32 = 0, outHeight: Int32 = 0
            cls_jpeg_scaled_size(width, height, Int32(factor), &outWidth, &outHeight)
            var pixels = [UInt8](repeating: 0, count: Int(outWidth) * Int(outHeight))
            let estimate =
                JPEGFrame.scan(bytes)?.decodeBytes(width: Int(width), height: Int(height), scale: factor)
                ?? pixels.count
            let code = memoryBudget.withReservation(estimate) {
                pixels.withUnsafeMutableBufferPointer { out in
                    cls_jpeg_decode_gray(
                        buffer.baseAddress, buffer.count, Int32(factor),
                        out.baseAddress, outWidth, outHeight, &message, message.count)
                }
            }
            if code != CLS_OK { return .failure(Self.error(code, format: .jpeg, message: message)) }
            let orientation = ExifOrientation.fromJPEG(buffer)
            let image = GrayImage(width: Int(outWidth), height: Int(outHeight), pixels: pixels)
            return .success(
                Decoded(
                    image: image.oriented(orientation), width: Int(width), height: Int(height),
                    format: .jpeg, path: .turboJPEG(scaleDenominator: factor)))
        }
        return try result.get()
    }

    func decodeWithVips(_ bytes: [UInt8], format: ImageFormat, minimumLongSide: Int) throws(ImageDecodingError)
        -> Decoded
    {
        let result: Result<Decoded, ImageDecodingError> = bytes.withUnsafeBufferPointer { buffer in
            var message = [CChar](repeating: 0, count: 256)
            var loader = [CChar](repeating: 0, count: 64)
            var width: Int32 = 0, height: Int32 = 0, orientationTag: Int32 = 1
            let headerCode = cls_vips_header(
                buffer.baseAddress, buffer.count, &width, &height,
                &orientationTag, &loader, loader.count,
                &message, message.count)
            if headerCode != CLS_OK {
                return .failure(Self.error(headerCode, format: format, message: message))
            }
            do throws(ImageDecodingError) {
                try checkSize(width: Int(width), height: Int(height))
            } catch { return .failure(error) }
            let factor = Self.shrinkFactor(
                longSide: Int(max(width, height)),
                minimumLongSide: minimumLongSide)
            var pixels: UnsafeMutablePointer<UInt8>? = nil
            var outWidth: Int32 = 0, outHeight: Int32 = 0
            // Not every loader streams (interlaced PNG, WebP, HEIC, tiled TIFF): budget for a
            // whole 4-band bitmap.
            let code = memoryBudget.withReservation(Int(width) * Int(height) * 4) {
                cls_vips_decode_gray(
                    buffer.baseAddress, buffer.count, Int32(factor),
                    &pixels, &outWidth, &outHeight, &message, message.count)
            }
            defer { cls_free(pixels) }
            guard code == CLS_OK, let pixels else {
                let error = Self.error(code, format: format, message: message)
                if case .corrupt = error, format.looksTruncated(bytes) {
                    return .failure(.truncated(format: format.rawValue))
                }
                return .failure(error)
            }
            let count = Int(outWidth) * Int(outHeight)
            let image = GrayImage(
                width: Int(outWidth), height: Int(outHeight),
                pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
            let orientation = Orientation(rawValue: Int(orientationTag)) ?? .up
            let loaderName = String(decoding: loader.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .success(
                Decoded(
                    image: image.oriented(orientation), width: Int(width), height: Int(height),
                    format: format, path: .vips(loader: loaderName, shrink: factor)))
        }
        return try result.get()
    }

    static func error(_ code: Int32, format: ImageFormat, message: [CChar]) -> ImageDecodingError {
        let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(code) {
        case Int(CLS_ERR_NOT_IMAGE): return .notAnImage
        case Int(CLS_ERR_TRUNCATED): return .truncated(format: format.rawValue)
        case Int(CLS_ERR_UNSUPPORTED): return .unsupported(format: format.rawValue, detail: detail)
        default: return format == .unknown ? .notAnImage : .corrupt(format: format.rawValue, detail: detail)
        }
    }
}
