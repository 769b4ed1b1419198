import ClassifyStore

/// `classify migrate`: brings both databases to the current schema and says what it did.
public struct MigrateJob: Sendable {
    public var authURL: String
    public var photosURL: String

    public init(authURL: String, photosURL: String) {
        self.authURL = authURL
        self.photosURL = photosURL
    }

    public func run(output: (String) -> Void) async throws {
        for (name, url, migrations) in [("auth", authURL, Schema.auth), ("photos", photosURL, Schema.photos)] {
            let store = try await StoreConnection.open(url: url)
            do {
                let applied = try await Migrator.migrate(store, migrations)
                output(
                    applied.isEmpty
                        ? "\(name): up to date"
                        : "\(name): applied migrations \(applied.map(String.init).joined(separator: ", "))")
                try await store.shutdown()
            } catch {
                try? await store.shutdown()
                throw error
            }
        }
    }
}
