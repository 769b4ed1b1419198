import Foundation
import ImageDecoding

/// What Google reports about a photo file: size, type, camera and exposure (from EXIF), and
/// when it was taken.
public struct FakePhotoInfo: Sendable, Equatable {
    public var mimeType: String
    public var width: Int
    public var height: Int
    public var cameraMake: String?
    public var cameraModel: String?
    public var focalLength: Double?
    public var apertureFNumber: Double?
    public var isoEquivalent: Int?
    /// Seconds.
    public var exposureTime: Double?
    public var takenAt: Date?

    /// Reads an image's header and EXIF; nil when the bytes are not an image the fake can read.
    public static func read(_ bytes: [UInt8]) -> FakePhotoInfo? {
        guard let probe = try? ImageDecoder().probe(bytes), probe.format != .unknown else { return nil }
        var info = FakePhotoInfo(mimeType: probe.mimeType, width: probe.width, height: probe.height)
        if probe.format == .jpeg, let exif = FakeExifReader.read(jpeg: bytes) {
            info.cameraMake = exif.make
            info.cameraModel = exif.model
            info.focalLength = exif.focalLength
            info.apertureFNumber = exif.fNumber
            info.isoEquivalent = exif.iso
            info.exposureTime = exif.exposureTime
            info.takenAt = exif.dateTimeOriginal
        }
        return info
    }

    /// Photo files (by extension) directly in `folder`, sorted by name.
    public static func imageFiles(in folder: String) throws -> [String] {
        let extensions: Set<String> = ["jpg", "jpeg", "png", "webp", "gif", "tif", "tiff", "heic", "heif", "avif"]
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        return names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    /// Picker `mediaFileMetadata` (integers for width and height).
    var pickerMetadata: [String: Any] {
        var metadata: [String: Any] = ["width": width, "height": height]
        if let cameraMake { metadata["cameraMake"] = cameraMake }
        if let cameraModel { metadata["cameraModel"] = cameraModel }
        metadata["photoMetadata"] = photoMetadata
        return metadata
    }

    /// Library `mediaMetadata` (int64 strings for width and height).
    func libraryMetadata(creationTime: Date) -> [String: Any] {
        var photo = photoMetadata
        if let cameraMake { photo["cameraMake"] = cameraMake }
        if let cameraModel { photo["cameraModel"] = cameraModel }
        return [
            "creationTime": FakeTime.rfc3339(takenAt ?? creationTime), "width": String(width),
            "height": String(height), "photo": photo,
        ]
    }

    private var photoMetadata: [String: Any] {
        var photo: [String: Any] = [:]
        if let focalLength { photo["focalLength"] = focalLength }
        if let apertureFNumber { photo["apertureFNumber"] = apertureFNumber }
        if let isoEquivalent { photo["isoEquivalent"] = isoEquivalent }
        if let exposureTime { photo["exposureTime"] = FakeTime.duration(exposureTime) }
        return photo
    }
}

/// Google's time formats: RFC 3339 timestamps normalised to Z, and protobuf Duration strings.
enum FakeTime {
    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `5s`, `1799.5s`, `0.033333335s`: seconds with up to 9 fractional digits.
    static func duration(_ seconds: Double) -> String {
        let nanos = (max(0, seconds) * 1e9).rounded()
        let whole = Int64(nanos / 1e9)
        let fraction = Int64(nanos) - whole * 1_000_000_000
        guard fraction > 0 else { return "\(whole)s" }
        var digits = String(format: "%09lld", fraction)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)s"
    }
}
