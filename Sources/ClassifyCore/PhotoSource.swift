/// Where photos come from (DESIGN.md section 1): a folder on this machine in local mode, the
/// Google Photos Picker later. The gateway asks a source to bring photos into a person's
/// library; the source answers what it added and what it refused, and why.
public protocol PhotoSource: Sendable {
    /// Adds the photos at `location` (a folder or file path for a local source) to `userID`'s
    /// library. `progress` hears how many files there are before the first is added, then
    /// after each one (a refused location throws before any progress).
    func importPhotos(
        from location: String, userID: String, progress: @escaping @Sendable (ImportProgress) async -> Void
    ) async throws(PhotoSourceError) -> ImportReport
}

extension PhotoSource {
    public func importPhotos(from location: String, userID: String) async throws(PhotoSourceError) -> ImportReport {
        try await importPhotos(from: location, userID: userID, progress: { _ in })
    }
}

/// How far an import is: files handled of the files found.
public struct ImportProgress: Sendable, Equatable, Codable {
    public var done: Int
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}

public struct ImportReport: Sendable, Equatable, Codable {
    public struct Problem: Sendable, Equatable, Codable {
        public let path: String
        public let error: String

        public init(path: String, error: String) {
            self.path = path
            self.error = error
        }
    }

    public var imported: Int
    public var existing: Int
    public var errors: [Problem]

    public init(imported: Int = 0, existing: Int = 0, errors: [Problem] = []) {
        self.imported = imported
        self.existing = existing
        self.errors = errors
    }
}

/// Why a whole import was refused (a single file's problem is an `ImportReport.Problem`).
public enum PhotoSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    case outsideAllowedFolder(path: String, allowed: String)
    case notFound(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case let .outsideAllowedFolder(path, allowed): "\(path) is outside the import folder \(allowed)"
        case let .notFound(path): "no such file or folder: \(path)"
        case let .unavailable(reason): reason
        }
    }
}
