import ClassifyCore
import ClassifyServices
import Foundation

/// Local mode's photo source: files and folders on this machine, but only inside one allowed
/// folder (IMPORT_DIR). Paths are resolved (`..`, `~`, symlinks) before they are compared, and
/// every file found is checked again, so a link inside the folder cannot lead out of it.
public struct FolderPhotoSource: PhotoSource {
    let library: PhotoLibrary
    let allowedFolder: String
    let maxFiles: Int
    let maxFileBytes: Int

    public init(
        library: PhotoLibrary, allowedFolder: String, maxFiles: Int = 10_000, maxFileBytes: Int = 200 * 1_048_576
    ) {
        self.library = library
        self.allowedFolder = Self.resolve(allowedFolder) ?? allowedFolder
        self.maxFiles = maxFiles
        self.maxFileBytes = maxFileBytes
    }

    public func importPhotos(
        from location: String, userID: String, progress: @escaping @Sendable (ImportProgress) async -> Void
    ) async throws(PhotoSourceError) -> ImportReport {
        let expanded = (location as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : allowedFolder + "/" + expanded
        guard let resolved = Self.resolve(absolute) else { throw .notFound(location) }
        guard inside(resolved) else { throw .outsideAllowedFolder(path: location, allowed: allowedFolder) }
        var report = ImportReport()
        // The files first (names only, at most maxFiles + 1), so progress has a total.
        var entries: [PhotoFinder.Entry] = []
        for entry in PhotoFinder().entries(for: [ScanPath(resolved)]) {
            guard entries.count < maxFiles else {
                report.errors.append(
                    .init(path: location, error: "stopped after \(maxFiles) files; import the rest next"))
                break
            }
            entries.append(entry)
        }
        var done = 0
        await progress(ImportProgress(done: 0, total: entries.count))
        for entry in entries {
            switch entry {
            case let .problem(path, message):
                report.errors.append(.init(path: path.display, error: message))
            case let .photo(path):
                if let real = Self.resolve(path.display), inside(real) {
                    do {
                        let created = try await Self.addFile(
                            path, to: library, userID: userID, maxBytes: maxFileBytes, now: Date())
                        if created { report.imported += 1 } else { report.existing += 1 }
                    } catch {
                        report.errors.append(.init(path: path.display, error: "\(error)"))
                    }
                } else {
                    report.errors.append(.init(path: path.display, error: "links outside the import folder"))
                }
            }
            done += 1
            await progress(ImportProgress(done: done, total: entries.count))
        }
        return report
    }

    /// Reads one photo file and adds it to the library (its name, and its modification time
    /// when it has no EXIF date); false when the same bytes were already there. `classify
    /// import` adds files the same way.
    static func addFile(_ path: ScanPath, to library: PhotoLibrary, userID: String, maxBytes: Int, now: Date)
        async throws -> Bool
    {
        let bytes = try PhotoFileReader(maxBytes: maxBytes).read(path)
        let name = String(decoding: path.lastComponent, as: UTF8.self)
        return try await library.add(
            bytes, filename: name, userID: userID, fileDate: modificationDate(path.display), now: now
        ).created
    }

    /// A file's modification time: the photo's time when it has no EXIF date.
    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    func inside(_ resolved: String) -> Bool {
        allowedFolder == "/" || resolved == allowedFolder || resolved.hasPrefix(allowedFolder + "/")
    }

    /// The canonical path (symlinks, `.` and `..` resolved), or nil when it does not exist.
    static func resolve(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }
}
