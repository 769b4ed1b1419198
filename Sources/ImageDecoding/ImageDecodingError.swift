/// Why a file could not be turned into an image to judge. Each message is meant for a person.
public enum ImageDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case notAnImage
    case truncated(format: String)
    case corrupt(format: String, detail: String)
    case unsupported(format: String, detail: String)
    case tooManyPixels(width: Int, height: Int, limitMegapixels: Double)
    case fileTooLarge(bytes: Int, limitBytes: Int)
    case tooSmall(width: Int, height: Int, minimumSide: Int)
    case unreadable(path: String, reason: String)
    case notAFile(path: String)

    public var description: String {
        switch self {
        case .empty: "empty file"
        case .notAnImage: "not an image"
        case let .truncated(format): "truncated \(format)"
        case let .corrupt(format, detail):
            detail.isEmpty ? "corrupt \(format)" : "corrupt \(format) (\(detail))"
        case let .unsupported(format, detail):
            detail.isEmpty ? "unsupported \(format)" : "unsupported \(format) (\(detail))"
        case let .tooManyPixels(width, height, limit):
            "image too large (\(Self.megapixels(width * height)) MP, \(width)×\(height); limit \(Self.format(limit)) MP)"
        case let .fileTooLarge(bytes, limit):
            "file too large (\(Self.format(Double(bytes) / 1_048_576)) MB; limit \(Self.format(Double(limit) / 1_048_576)) MB)"
        case let .tooSmall(width, height, minimumSide):
            "image too small to judge (\(width)×\(height); needs at least \(minimumSide) px on each side)"
        case let .unreadable(_, reason): "cannot read file: \(reason)"
        case .notAFile: "not a regular file"
        }
    }

    static func megapixels(_ pixels: Int) -> String { format(Double(pixels) / 1_000_000) }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
