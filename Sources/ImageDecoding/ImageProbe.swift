import CImageCodecs

/// What a file's header declares, read without decoding pixels: enough to accept or refuse
/// an upload and to record its size.
public struct ImageProbe: Sendable, Equatable {
    public let format: ImageFormat
    /// Stored size, before EXIF orientation.
    public let width: Int
    public let height: Int
    /// When the photo was taken (EXIF DateTimeOriginal, JPEG only), ms since 1970.
    public var takenAt: Int64? = nil

    public var mimeType: String {
        switch format {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .tiff: "image/tiff"
        case .heif: "image/heif"
        case .avif: "image/avif"
        case .unknown: "application/octet-stream"
        }
    }
}

extension ImageDecoder {
    /// Reads the header of `bytes` and applies the size limits; throws the same errors as
    /// `decode` for what is not an image or is too big or too small.
    public func probe(_ bytes: [UInt8]) throws(ImageDecodingError) -> ImageProbe {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(ImageDecodingError) in try probe(buffer) }
        }
        return try result.get()
    }

    /// The same, over bytes that are not an array (a file mapped into memory).
    public func probe(_ buffer: UnsafeBufferPointer<UInt8>) throws(ImageDecodingError) -> ImageProbe {
        guard !buffer.isEmpty else { throw .empty }
        guard buffer.count <= limits.maxFileBytes else {
            throw .fileTooLarge(bytes: buffer.count, limitBytes: limits.maxFileBytes)
        }
        let format = ImageFormat.sniff(buffer)
        var message = [CChar](repeating: 0, count: 256)
        var width: Int32 = 0, height: Int32 = 0, code: Int32
        if format == .jpeg {
            var colorspace: Int32 = 0
            code = cls_jpeg_header(
                buffer.baseAddress, buffer.count, &width, &height, &colorspace, &message, message.count)
        } else {
            var orientation: Int32 = 1
            var loader = [CChar](repeating: 0, count: 64)
            code = cls_vips_header(
                buffer.baseAddress, buffer.count, &width, &height, &orientation, &loader, loader.count, &message,
                message.count)
        }
        guard code == CLS_OK else { throw Self.error(code, format: format, message: message) }
        let probe = ImageProbe(
            format: format, width: Int(width), height: Int(height),
            takenAt: format == .jpeg ? ExifOrientation.dateTaken(buffer) : nil)
        try checkSize(width: probe.width, height: probe.height)
        return probe
    }
}
