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
        let hash = Hex.string(SHA256.hash(data: bytes))
        var photo = Self.photo(
            probe, hash: hash, byteSize: bytes.count, filename: filename, userID: userID, fileDate: fileDate, now: now)
        if let google {
            // Google's creation time wins: a picker derivative may carry no EXIF.
            if let created = google.createTime {
                photo.createdTime = Int64((created.timeIntervalSince1970 * 1000).rounded())
            }
            photo.googlePhotoID = google.id
            photo.camera = google.camera
        }
        // Recorded before the file is put in place, so that a delete of the last photo with
        // these bytes, running now, sees this one (see `release(contentHash:)`).
        let added = try await photos.insert(photo)
        let file = url(forHash: hash)
        do {
            if !FileManager.default.fileExists(atPath: file.path) {
                try Self.makeDirectory(file.deletingLastPathComponent())
                try Self.writeAtomically(bytes, to: file.path)
            }
        } catch {
            if added.created { _ = try? await photos.delete(id: added.photo.id, userID: userID) }
            throw error
        }
        return added
    }

    /// Where uploads arrive before they are photos.
    public var incomingDirectory: URL { directory.appendingPathComponent("incoming") }

    /// A file to receive one upload into (see `IncomingPhotoFile`).
    public func receive() throws -> IncomingPhotoFile {
        try IncomingPhotoFile(directory: incomingDirectory, limit: decoder.limits.maxFileBytes)
    }

    /// Makes a received upload a photo, like `add(_:filename:userID:)` with its bytes: the
    /// header is read from the file mapped into memory (no copy), the file is moved under its
    /// hash, or deleted when it is refused or the same bytes are already stored.
    public func add(_ file: IncomingPhotoFile, filename: String, userID: String, now: Date = Date()) async throws
        -> (photo: Photo, created: Bool)
    {
        let hash = try file.close()
        let probe: ImageProbe
        do throws(ImageDecodingError) {
            guard !file.isOverLimit else {
                throw ImageDecodingError.fileTooLarge(bytes: file.byteCount, limitBytes: file.limit)
            }
            probe = try Self.mapped(file.path) { buffer throws(ImageDecodingError) in try decoder.probe(buffer) }
        } catch {
            try file.handOver(to: nil)
            throw Failure.notAccepted(error.description)
        }
        let destination = url(forHash: hash)
        do {
            try Self.makeDirectory(destination.deletingLastPathComponent())
        } catch {
            try file.handOver(to: nil)
            throw PhotosFailure.notStored("\(error)", diskFull: false)
        }
        let photo = Self.photo(
            probe, hash: hash, byteSize: file.byteCount, filename: filename, userID: userID, fileDate: nil, now: now)
        // Recorded first, then the file is put in place (see `release(contentHash:)`).
        let added: (photo: Photo, created: Bool)
        do {
            added = try await photos.insert(photo)
        } catch {
            try? file.handOver(to: nil)
            throw error
        }
        do {
            try file.handOver(to: destination.path)
        } catch {
            if added.created { _ = try? await photos.delete(id: added.photo.id, userID: userID) }
            throw error
        }
        return added
    }

    /// Deletes the bytes of a deleted photo, its cached renditions and what the vision model
    /// said about it, unless another photo (of any owner) has the same bytes. Safe against an
    /// upload of the same bytes at the same moment, also from another process: an upload
    /// records its photo before it puts the file in place, and this moves the file aside
    /// before it looks again. Either it then sees the new photo and puts the file back, or
    /// the upload finds no file and puts its own in place. Ends by forgetting the hash's
    /// `released_content` note; after a crash before that, `sweepReleased` runs this again,
    /// which also puts back a file the crash left moved aside.
    public func release(contentHash hash: String) async throws {
        let file = url(forHash: hash).path
        let parked = incomingDirectory.appendingPathComponent("released-\(hash)").path
        if try await !photos.hasContent(hash) {
            try Self.makeDirectory(incomingDirectory)
            _ = rename(file, parked)
            if try await !photos.hasContent(hash) {
                unlink(parked)
                for size in PhotoSize.allCases where size.maxSide != nil {
                    unlink(renditionURL(hash: hash, size).path)
                }
                try await photos.forgetContent(hash)
                return try await photos.forgetReleased(hash)
            }
        }
        // Someone's still: the file moved aside goes back (EEXIST: an upload has put its own
        // copy of the same bytes there meanwhile; ENOENT: nothing was moved aside).
        if link(parked, file) != 0 && errno != EEXIST && errno != ENOENT {
            throw IncomingPhotoFile.failure(errno)
        }
        unlink(parked)
        try await photos.forgetReleased(hash)
    }

    /// Deletes what uploads interrupted by a crash left in `incoming` (files older than
    /// `age`, so an upload arriving right now is not touched); returns how many.
    @discardableResult
    public func sweepIncoming(olderThan age: TimeInterval = 3600, now: Date = Date()) -> Int {
        let folder = incomingDirectory
        guard
            let names = try? FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
        else { return 0 }
        var removed = 0
        for name in names where name.lastPathComponent.hasPrefix("upload-") {
            let modified = (try? name.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
            if let modified, now.timeIntervalSince(modified) >= age, unlink(name.path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Finishes deletes that a crash cut off between the record and its files: every hash
    /// released at least `age` ago and still noted goes through `release(contentHash:)`.
    /// Also forgets model answers for bytes no photo has. Only what this database released
    /// is touched: a store folder next to another database (a wrong PHOTOS_DB_URL) loses
    /// nothing. Returns how many releases it finished.
    @discardableResult
    public func sweepReleased(olderThan age: TimeInterval = 60, now: Date = Date()) async throws -> Int {
        let before = Int64(((now.timeIntervalSince1970 - age) * 1000).rounded())
        let released = try await photos.releasedContent(before: before)
        for hash in released { try await release(contentHash: hash) }
        try await photos.forgetUnreferencedContent()
        return released.count
    }

    /// Makes the folder `url` unless it exists: one mkdir(2) in the common case, where
    /// FileManager would look at every parent first; parents are made only when missing.
    static func makeDirectory(_ url: URL) throws {
        if mkdir(url.path, 0o777) == 0 || errno == EEXIST { return }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The file at `path` mapped read-only for `body` (an empty file gives an empty buffer).
    static func mapped<T>(
        _ path: String, _ body: (UnsafeBufferPointer<UInt8>) throws(ImageDecodingError) -> T
    ) throws(ImageDecodingError) -> T {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: "upload", reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .unreadable(path: "upload", reason: String(cString: strerror(errno)))
        }
        let size = Int(info.st_size)
        guard size > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw .unreadable(path: "upload", reason: String(cString: strerror(errno)))
        }
        defer { munmap(address, size) }
        return try body(UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size))
    }

    /// A new photo's record from its header: taken (EXIF), else `fileDate`, else now.
    static func photo(
        _ probe: ImageProbe, hash: String, byteSize: Int, filename: String, userID: String, fileDate: Date?, now: Date
    ) -> Photo {
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded())
        return Photo(
            id: UUID().uuidString.lowercased(), userID: userID, filename: safeName(filename), contentHash: hash,
            mimeType: probe.mimeType, byteSize: byteSize, width: probe.width, height: probe.height,
            createdTime: probe.takenAt ?? fileDate.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? millis,
            importedAt: millis)
    }

    /// Sizes the gallery asks for.
    public typealias Rendition = PhotoSize

    /// The photo at `rendition` and its MIME type. Thumbnails are made once and kept beside
    /// the originals.
    public func rendition(of photo: Photo, _ rendition: Rendition) throws -> (bytes: [UInt8], mimeType: String) {
        guard let maxSide = rendition.maxSide else { return (try bytes(of: photo), photo.mimeType) }
        let cached = renditionURL(hash: photo.contentHash, rendition)
        if let data = try? Data(contentsOf: cached) { return ([UInt8](data), "image/jpeg") }
        let jpeg = try Thumbnailer.jpeg(try bytes(of: photo), maxSide: maxSide)
        try FileManager.default.createDirectory(
            at: cached.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(jpeg).write(to: cached, options: .atomic)
        return (jpeg, "image/jpeg")
    }

    func renditionURL(hash: String, _ rendition: Rendition) -> URL {
        directory.appendingPathComponent("cache").appendingPathComponent("\(hash)-\(rendition.rawValue).jpg")
    }

    /// The stored bytes of a photo.
    public func bytes(of photo: Photo) throws -> [UInt8] {
        try bytes(contentHash: photo.contentHash)
    }

    /// The stored bytes with this content hash.
    public func bytes(contentHash: String) throws -> [UInt8] {
        try Self.read(url(forHash: contentHash).path)
    }

    /// A whole file in one array, straight from read(2): no `Data` in between to copy again
    /// (the workers read a 12 MP photo for every analysis).
    static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CocoaError.error(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw CocoaError.error(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let size = Int(info.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let result = Glibc.read(descriptor, buffer.baseAddress! + count, size - count)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else {
                    failed = result < 0
                    return  // an error, or the file shrank while it was read
                }
                count += result
            }
        }
        guard !failed else { throw CocoaError.error(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
        return bytes
    }

    /// Writes to a temporary name beside `path`, then renames: a reader never sees half a
    /// photo. Plain POSIX calls straight from the bytes (no `Data` copy).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw IncomingPhotoFile.failure(errno) }
        var failure: PhotosFailure? = bytes.withUnsafeBytes { buffer in
            do throws(PhotosFailure) {
                try IncomingPhotoFile.writeAll(buffer, to: descriptor)
                return nil
            } catch {
                return error
            }
        }
        if close(descriptor) != 0, failure == nil { failure = IncomingPhotoFile.failure(errno) }
        if failure == nil, rename(temporary, path) != 0 { failure = IncomingPhotoFile.failure(errno) }
        if let failure {
            unlink(temporary)
            throw failure
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
