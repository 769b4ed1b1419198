import ClassifyCore
import ClassifyStore
import Crypto
import Foundation
import ImageDecoding

/// Adds photos to a person's library: bytes are sniffed and size-checked (never trusted by
/// name), kept once under DATA_DIR/photos by content hash, and recorded in the photos
/// database. The same bytes twice give the same photo.
public struct PhotoLibrary: Sendable {
    let photos: PhotoRepository
    let directory: URL
    let decoder: ImageDecoder

    public init(photos: PhotoRepository, directory: URL, decoder: ImageDecoder = ImageDecoder()) {
        self.photos = photos
        self.directory = directory
        self.decoder = decoder
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notAccepted(String)

        public var description: String {
            switch self {
            case let .notAccepted(reason): reason
            }
        }
    }

    /// Stores `bytes` for `userID`; `created` is false when the photo was already there. The
    /// photo's time is when it was taken (EXIF), else `fileDate` (a file's modification time),
    /// else now.
    public func add(
        _ bytes: [UInt8], filename: String, userID: String, fileDate: Date? = nil, now: Date = Date(),
        google: (id: String, createTime: Date?, camera: String?)? = nil
    ) async throws -> (
        photo: Photo, created: Bool
    ) {
        let probe: ImageProbe
        do {
            probe = try decoder.probe(bytes)
        } catch {
            throw Failure.notAccepted(error.description)
        }
        let hash = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let file = url(forHash: hash)
        if !FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Self.writeAtomically(bytes, to: file.path)
        }
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded())
        var photo = Photo(
            id: UUID().uuidString.lowercased(), userID: userID, filename: Self.safeName(filename), contentHash: hash,
            mimeType: probe.mimeType, byteSize: bytes.count, width: probe.width, height: probe.height,
            createdTime: probe.takenAt ?? fileDate.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? millis,
            importedAt: millis)
        if let google {
            // Google's creation time wins: a picker derivative may carry no EXIF.
            if let created = google.createTime {
                photo.createdTime = Int64((created.timeIntervalSince1970 * 1000).rounded())
            }
            photo.googlePhotoID = google.id
            photo.camera = google.camera
        }
        return try await photos.insert(photo)
    }

    /// Sizes the gallery asks for.
    public typealias Rendition = PhotoSize

    /// The photo at `rendition` and its MIME type. Thumbnails are made once and kept beside
    /// the originals.
    public func rendition(of photo: Photo, _ rendition: Rendition) throws -> (bytes: [UInt8], mimeType: String) {
        guard let maxSide = rendition.maxSide else { return (try bytes(of: photo), photo.mimeType) }
        let cached = directory.appendingPathComponent("cache").appendingPathComponent(
            "\(photo.contentHash)-\(rendition.rawValue).jpg")
        if let data = try? Data(contentsOf: cached) { return ([UInt8](data), "image/jpeg") }
        let jpeg = try Thumbnailer.jpeg(try bytes(of: photo), maxSide: maxSide)
        try FileManager.default.createDirectory(
            at: cached.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(jpeg).write(to: cached, options: .atomic)
        return (jpeg, "image/jpeg")
    }

    /// The stored bytes of a photo.
    public func bytes(of photo: Photo) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(forHash: photo.contentHash)))
    }

    /// Writes to a temporary name beside `path`, then renames: a reader never sees half a
    /// photo. Plain POSIX calls straight from the bytes (no `Data` copy).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return true
        }
        guard close(descriptor) == 0, ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    public func url(forHash hash: String) -> URL {
        directory.appendingPathComponent(String(hash.prefix(2))).appendingPathComponent(hash)
    }

    /// The last path component only, without control characters: names are shown, never
    /// used as paths.
    static func safeName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(255))
        return clean.isEmpty || clean == "." || clean == ".." ? "photo" : clean
    }
}

extension PhotoSize {
    /// Longest side of the JPEG made for this size (nil: the stored file as is).
    var maxSide: Int? {
        switch self {
        case .thumb: 320
        case .display: 1600
        case .original: nil
        }
    }
}
