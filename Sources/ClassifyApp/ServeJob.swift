import ClassifyCore
import ClassifyStore
import ClassifyWeb
import Hummingbird
import Logging

/// `classify serve`: the embedded profile in one process (DESIGN.md section 4). Opens and
/// migrates both databases, then serves until SIGTERM/SIGINT, finishing in-flight requests.
public struct ServeJob: Sendable {
    public static let version = "0.1.0"

    public var config: Config
    public var logger: Logger

    public init(config: Config, logger: Logger = Logger(label: "classify")) {
        self.config = config
        self.logger = logger
    }

    public func run() async throws {
        try FileOutput.makeDirectory(config.dataDirectory)
        let auth = try await StoreConnection.open(url: config.authDatabaseURL, logger: logger)
        let photos = try await StoreConnection.open(url: config.photosDatabaseURL, logger: logger)
        do {
            try await Migrator.migrate(auth, Schema.auth)
            try await Migrator.migrate(photos, Schema.photos)
            let queue = SQLJobQueue(store: photos)
            let health = HealthController(
                version: Self.version,
                checks: [
                    .init(name: "auth_db") { _ = try await auth.sql.raw("SELECT 1").all() },
                    .init(name: "photos_db") { _ = try await photos.sql.raw("SELECT 1").all() },
                    .init(name: "queue") { _ = try await queue.depth() },
                ])
            let app = Application(
                router: WebRouter.build(health: health),
                configuration: .init(address: .hostname(config.host, port: config.port), serverName: "classify"),
                logger: logger)
            logger.info("classify serving", metadata: ["url": "http://\(config.host):\(config.port)"])
            try await app.runService()
        } catch {
            try? await auth.shutdown()
            try? await photos.shutdown()
            throw error
        }
        try await auth.shutdown()
        try await photos.shutdown()
    }
}
