import ClassifyCore
import ClassifyServices
import ClassifyStore
import Foundation

/// `classify import PATH...`: adds photo files and folders (recursive) to the local user's
/// library, as an upload would; one line per file, a summary at the end.
public struct ImportJob: Sendable {
    public var paths: [ScanPath]
    public var config: Config

    public init(paths: [ScanPath], config: Config) {
        self.paths = paths
        self.config = config
    }

    public func run(output: (String) -> Void) async throws -> Int32 {
        try FileOutput.makeDirectory(config.dataDirectory)
        let durability: StoreConnection.SQLiteDurability = config.sqliteFullSync ? .full : .normal
        let auth = try await StoreConnection.open(url: config.authDatabaseURL, durability: durability)
        let photos = try await StoreConnection.open(url: config.photosDatabaseURL, durability: durability)
        do {
            let code = try await add(auth: auth, photos: photos, output: output)
            try await auth.shutdown()
            try await photos.shutdown()
            return code
        } catch {
            try? await auth.shutdown()
            try? await photos.shutdown()
            throw error
        }
    }

    private func add(auth: StoreConnection, photos: StoreConnection, output: (String) -> Void) async throws -> Int32 {
        try await Migrator.migrate(auth, Schema.auth)
        try await Migrator.migrate(photos, Schema.photos)
        let now = Date()
        _ = try await UserRepository(store: auth).ensureUser(
            id: "local", email: nil, name: "Local user", now: Int64(now.timeIntervalSince1970 * 1000))
        let library = PhotoLibrary(
            photos: PhotoRepository(store: photos),
            directory: URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("photos"))
        var added = 0, existing = 0, failed = 0
        for entry in PhotoFinder().entries(for: paths) {
            switch entry {
            case let .problem(path, message):
                failed += 1
                output("\(path.display): \(message)")
            case let .photo(path):
                do {
                    let created = try await FolderPhotoSource.addFile(
                        path, to: library, userID: "local", maxBytes: 200 * 1_048_576, now: now)
                    if created { added += 1 } else { existing += 1 }
                } catch {
                    failed += 1
                    output("\(path.display): \(error)")
                }
            }
        }
        output("\(added) added, \(existing) already in the library, \(failed) refused")
        return failed > 0 ? 1 : 0
    }
}
