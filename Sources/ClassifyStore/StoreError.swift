/// What went wrong in the store, in words for the log and the HTTP layer.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case badURL(String)
    case migrationFailed(id: Int, name: String, reason: String)
    case corruptRow(table: String, reason: String)

    public var description: String {
        switch self {
        case let .badURL(url): "unsupported database URL: \(url) (use sqlite:PATH or postgres://…)"
        case let .migrationFailed(id, name, reason): "migration \(id) (\(name)) failed: \(reason)"
        case let .corruptRow(table, reason): "unreadable row in \(table): \(reason)"
        }
    }
}
