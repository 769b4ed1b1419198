import AsyncHTTPClient
import ClassifyAI
import ClassifyCore
import ClassifyGoogle
import ClassifyServices
import ClassifyStore
import ClassifyWeb
import Foundation
import Hummingbird
import ImageDecoding
import Logging
import Metrics

/// `classify serve`: the embedded profile in one process (DESIGN.md section 4). Opens and
/// migrates both databases, then serves until SIGTERM/SIGINT, finishing in-flight requests.
public struct ServeJob: Sendable {
    public static let version = "0.1.0"
    /// Distinguishes this process's leases from those of a previous run that was killed.
    static let instance = UUID().uuidString.prefix(8).lowercased()

    public var config: Config
    public var logger: Logger

    public init(config: Config, logger: Logger = Logger(label: "classify")) {
        self.config = config
        self.logger = logger
    }

    public func run() async throws {
        ProcessMemory.configureForServer()
        try FileOutput.makeDirectory(config.dataDirectory)
        let durability: StoreConnection.SQLiteDurability = config.sqliteFullSync ? .full : .normal
        let auth = try await StoreConnection.open(url: config.authDatabaseURL, logger: logger, durability: durability)
        let photos = try await StoreConnection.open(
            url: config.photosDatabaseURL, logger: logger, durability: durability)
        // Google is called without following redirects: a baseUrl (or any answer) that points
        // elsewhere is an error, never a second request to wherever it says.
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            try await Migrator.migrate(auth, Schema.auth)
            try await Migrator.migrate(photos, Schema.photos)
            let doorbell = JobDoorbell()
            let queue = RingingJobQueue(
                SQLJobQueue(store: photos, leaseMilliseconds: Int64(config.jobLeaseSeconds) * 1000), doorbell: doorbell)
            let users = UserRepository(store: auth)
            let secret = try secret()
            let tokens = try await TokenService(secret: secret, users: users)
            let sessions = SessionService(secret: secret, users: users)
            let photoRepository = PhotoRepository(store: photos)
            let library = PhotoLibrary(
                photos: photoRepository,
                directory: URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("photos"))
            let google = try config.googleConfigured ? googleAccounts(auth, http: http) : nil
            let googlePhotos = try google.map { accounts in
                let endpoints = try GoogleEndpoints(environment: config.environment)
                return GooglePhotosLibrary(
                    accounts: accounts,
                    picker: GooglePickerClient(endpoints: endpoints, httpClient: http, logger: logger),
                    libraryAPI: GoogleLibraryClient(endpoints: endpoints, httpClient: http, logger: logger),
                    repository: GooglePhotosRepository(store: photos), photos: photoRepository, library: library,
                    users: users, queue: queue, logger: logger)
            }
            let openAI = try OpenAIConfiguration(environment: config.environment)
            let tagger: (any Tagger)? =
                openAI.isEnabled ? try OpenAITagger(configuration: openAI, httpClient: http, logger: logger) : nil
            let tagging = QueueTagService(
                tagger: tagger, offReason: openAI.disabledReason,
                prices: openAI.pricing.map {
                    [openAI.model: .init(input: $0.inputPerMillionTokens, output: $0.outputPerMillionTokens)]
                } ?? [:],
                queue: queue, photos: photoRepository, tags: TagRepository(store: photos), library: library,
                logger: logger)
            let handlers: [any JobHandler] = [tagging] + (googlePhotos.map { [$0] } ?? [])
            let decoder = ImageDecoder()
            let workers = (0..<config.workers).map { index in
                AnalysisWorker(
                    queue: queue, photos: photoRepository, library: library, owner: "\(Self.instance)-\(index)",
                    decoder: decoder, logger: logger, handlers: handlers,
                    leaseRenewal: .milliseconds(max(100, config.jobLeaseSeconds * 1000 / 3)), doorbell: doorbell)
            }
            let dataDirectory = URL(fileURLWithPath: config.dataDirectory)
            let workerCount = config.workers
            let health = HealthController(
                version: Self.version,
                checks: [
                    .init(name: "auth_db") { _ = try await auth.sql.raw("SELECT 1").all() },
                    .init(name: "photos_db") { _ = try await photos.sql.raw("SELECT 1").all() },
                    .init(name: "queue") { _ = try await queue.depth() },
                ],
                services: [
                    .init(name: "auth") {
                        _ = try await auth.sql.raw("SELECT 1").all()
                        return "in process; users and sessions in \(auth.engine)"
                    },
                    .init(name: "photos") {
                        _ = try await photos.sql.raw("SELECT 1").all()
                        guard FileManager.default.isWritableFile(atPath: dataDirectory.path) else {
                            throw ServeFailure.notWritable(dataDirectory.path)
                        }
                        return "in process; \(photos.engine), files in \(dataDirectory.path)/photos"
                    },
                    .init(name: "blur") { "in process; calibrated blur score at 480 px" },
                    .init(name: "tagging") {
                        tagger == nil
                            ? "off: \(openAI.disabledReason ?? "not configured")"
                            : "\(openAI.model) at \(openAI.baseURL), \(openAI.concurrency) at a time"
                    },
                    .init(name: "worker") { "\(workerCount) in process, lease \(config.jobLeaseSeconds) s" },
                ],
                workers: config.workers, queueDepth: { try await queue.depth() })
            let services = WebRouter.Services(
                auth: LocalAuthService(tokens: tokens, users: users, localPassword: config.localPassword),
                photos: LocalPhotosService(
                    repository: photoRepository, library: library, tags: TagRepository(store: photos)),
                blur: QueueBlurService(queue: queue, photos: photoRepository),
                source: config.localMode
                    ? FolderPhotoSource(library: library, allowedFolder: config.importDirectory) : nil,
                sessions: sessions, limiter: SignInLimiter(), google: google, googlePhotos: googlePhotos, tags: tagging)
            var app = Application(
                router: try await WebRouter.build(
                    services, health: health,
                    page: .init(
                        version: Self.version, localMode: config.localMode,
                        googleConfigured: config.googleConfigured, localPassword: config.localPassword,
                        importDirectory: config.importDirectory,
                        secureCookies: config.publicURL?.hasPrefix("https://") ?? false,
                        publicURL: config.publicURL, listenBase: "http://\(config.host):\(config.port)"),
                    metrics: MetricsController(sample: {
                        if let depth = try? await queue.depth() { Self.queueDepth.record(depth) }
                    })),
                server: LargeReadHTTP1Channel.server,
                configuration: .init(address: .hostname(config.host, port: config.port), serverName: "classify"),
                logger: logger)
            app.addServices(workers)
            app.addServices(StoreSweeper(library: library, logger: logger))
            logger.info("classify serving", metadata: ["url": "http://\(config.host):\(config.port)"])
            try await app.runService()
        } catch {
            try? await http.shutdown()
            try? await auth.shutdown()
            try? await photos.shutdown()
            throw error
        }
        try await http.shutdown()
        try await auth.shutdown()
        try await photos.shutdown()
    }

    static let queueDepth = Gauge(label: "classify_queue_depth")

    /// Google sign-in from GOOGLE_CLIENT_ID/SECRET, TOKEN_ENCRYPTION_KEY and the `GOOGLE_*`
    /// endpoint overrides; a bad value stops the start with the variable's name.
    func googleAccounts(_ auth: StoreConnection, http: HTTPClient) throws -> GoogleAccounts {
        let environment = config.environment
        let endpoints: GoogleEndpoints
        let cipher: TokenCipher
        do {
            endpoints = try GoogleEndpoints(environment: environment)
            cipher = try TokenCipher(environment: environment)
        } catch let error as GoogleConfigurationError {
            throw ConfigError.invalid(variable: error.variable, value: "(set)", reason: error.reason)
        } catch let error as TokenCipherError {
            throw ConfigError.invalid(variable: TokenCipher.variable, value: "(hidden)", reason: "\(error)")
        }
        let clientID = environment["GOOGLE_CLIENT_ID"] ?? ""
        let oauth = GoogleOAuthClient(
            clientID: clientID, clientSecret: environment["GOOGLE_CLIENT_SECRET"] ?? "", endpoints: endpoints,
            httpClient: http, logger: logger)
        return GoogleAccounts(
            oauth: oauth,
            verifier: GoogleIDTokenVerifier(
                clientID: clientID, endpoints: endpoints, httpClient: http, logger: logger),
            cipher: cipher, accounts: GoogleAccountRepository(store: auth), logger: logger)
    }

    enum ServeFailure: Error, CustomStringConvertible {
        case notWritable(String)

        var description: String {
            switch self {
            case let .notWritable(path): "\(path) is not writable"
            }
        }
    }

    /// JWT_SECRET, or a random secret kept (mode 0600) in DATA_DIR so sessions survive a
    /// restart.
    func secret() throws -> [UInt8] {
        if let configured = config.jwtSecret { return Array(configured.utf8) }
        let url = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("jwt-secret")
        if let stored = try? Data(contentsOf: url), stored.count >= 32 { return [UInt8](stored) }
        var random = SystemRandomNumberGenerator()
        let fresh = (0..<48).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        try Data(fresh).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return fresh
    }
}
