/// Container formats recognised from their first bytes. Content is sniffed, never trusted
/// from a file name.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg = "JPEG", png = "PNG", gif = "GIF", webp = "WebP", tiff = "TIFF"
    case heif = "HEIF", avif = "AVIF", unknown = "image"

    public static func sniff<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> ImageFormat
    where Bytes.Element == UInt8, Bytes.Index == Int {
        func matches(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + prefix.count else { return false }
            let start = bytes.startIndex + offset
            return prefix.enumerated().allSatisfy { bytes[start + $0.offset] == $0.element }
        }
        if matches([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if matches(Array("GIF8".utf8)) { return .gif }
        if matches(Array("RIFF".utf8)) && matches(Array("WEBP".utf8), at: 8) { return .webp }
        if matches([0x49, 0x49, 0x2A, 0x00]) || matches([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if matches(Array("ftyp".utf8), at: 4) {
            for brand in ["avif", "avis"] where matches(Array(brand.utf8), at: 8) { return .avif }
            for brand in ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]
            where matches(Array(brand.utf8), at: 8) { return .heif }
        }
        return .unknown
    }
}

extension ImageFormat {
    /// Whether the container visibly ends early: no PNG IEND chunk, a RIFF (WebP) size larger
    /// than the file, no GIF trailer. Lets a decoder's generic read error become "truncated".
    public func looksTruncated(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .png:
            let iend: [UInt8] = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            return bytes.count < 8 || Array(bytes.suffix(8)) != iend
        case .webp:
            guard bytes.count >= 8 else { return true }
            let declared = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
            return declared + 8 > bytes.count
        case .gif:
            return bytes.last != 0x3B
        case .jpeg:
            return bytes.count < 2 || Array(bytes.suffix(2)) != [0xFF, 0xD9]
        default:
            return false
        }
    }
}
