import CImageCodecs

/// Encodes 8-bit RGB pixels as PNG (for sharpness-map pictures).
public enum PNGEncoder {
    public static func encodeRGB(_ rgb: [UInt8], width: Int, height: Int) throws(ImageDecodingError) -> [UInt8] {
        precondition(rgb.count == width * height * 3, "RGB buffer must be width × height × 3")
        var message = [CChar](repeating: 0, count: 256)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let code = rgb.withUnsafeBufferPointer { buffer in
            cls_png_encode_rgb(
                buffer.baseAddress, Int32(width), Int32(height), &out, &length,
                &message, message.count)
        }
        defer { cls_free(out) }
        guard code == CLS_OK, let out else {
            throw ImageDecoder.error(code, format: .png, message: message)
        }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}
