import CImageCodecs

/// JPEG renditions of a photo for the gallery (thumb) and the photo view (display).
public enum Thumbnailer {
    public static func jpeg(_ bytes: [UInt8], maxSide: Int) throws(ImageDecodingError) -> [UInt8] {
        let format = ImageFormat.sniff(bytes)
        var message = [CChar](repeating: 0, count: 256)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let code = bytes.withUnsafeBufferPointer { buffer in
            cls_thumbnail_jpeg(buffer.baseAddress, buffer.count, Int32(maxSide), &out, &length, &message, message.count)
        }
        defer { cls_free(out) }
        guard code == CLS_OK, let out else { throw ImageDecoder.error(code, format: format, message: message) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}
