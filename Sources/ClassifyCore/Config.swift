/// Configuration, read once from the environment at start (DESIGN.md 5.4). A bad value stops
/// the process with the variable's name in the message.
public struct Config: Sendable, Equatable {
    public var port: Int
    public var host: String
    public var dataDirectory: String
    public var authDatabaseURL: String
    public var photosDatabaseURL: String
    public var localPassword: String?
    public var workers: Int
    public var googleConfigured: Bool
    /// HMAC secret for access tokens; when unset, the app keeps a random one in DATA_DIR.
    public var jwtSecret: String?
    /// How long a worker holds a job item before another may take it (JOB_LEASE_SECONDS).
    public var jobLeaseSeconds: Int
    /// The address people use, e.g. https://photos.example.org (PUBLIC_URL); https makes the
    /// session cookie `Secure`.
    public var publicURL: String?
    /// The folder the page's Import may read from (IMPORT_DIR, default: $HOME); paths outside
    /// it are refused.
    public var importDirectory: String
    /// trace, debug, info (default), notice, warning, error or critical (LOG_LEVEL).
    public var logLevel: String
    /// SQLITE_SYNC=full: every SQLite commit waits for the disk (fsync); `normal` (default)
    /// survives a killed process, not every power cut (see `StoreConnection.SQLiteDurability`).
    public var sqliteFullSync: Bool
    /// The whole environment, for the parts read by their own modules (the `GOOGLE_*` endpoint
    /// overrides, TOKEN_ENCRYPTION_KEY): they fail at start with the variable's name too.
    public var environment: [String: String]

    /// Local mode: no Google credentials, one local user.
    public var localMode: Bool { !googleConfigured }

    public init(environment: [String: String], cores: Int) throws(ConfigError) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard let text = value(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw .invalid(
                    variable: name, value: text,
                    reason: "expected a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        port = try integer("PORT", default: 8080, range: 1...65535)
        workers = try integer("WORKERS", default: max(1, cores), range: 1...256)
        jobLeaseSeconds = try integer("JOB_LEASE_SECONDS", default: 60, range: 1...3600)
        dataDirectory = value("DATA_DIR") ?? "./data"
        importDirectory = value("IMPORT_DIR") ?? value("HOME") ?? "/"
        logLevel = value("LOG_LEVEL")?.lowercased() ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw .invalid(
                variable: "LOG_LEVEL", value: logLevel,
                reason: "expected trace, debug, info, notice, warning, error or critical")
        }
        switch value("SQLITE_SYNC")?.lowercased() ?? "normal" {
        case "normal": sqliteFullSync = false
        case "full": sqliteFullSync = true
        case let other: throw .invalid(variable: "SQLITE_SYNC", value: other, reason: "expected normal or full")
        }
        publicURL = value("PUBLIC_URL")
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw .invalid(variable: "PUBLIC_URL", value: publicURL, reason: "expected http://… or https://…")
        }
        authDatabaseURL = value("AUTH_DB_URL") ?? "sqlite:\(dataDirectory)/auth.sqlite"
        photosDatabaseURL = value("PHOTOS_DB_URL") ?? "sqlite:\(dataDirectory)/photos.sqlite"
        for name in ["AUTH_DB_URL", "PHOTOS_DB_URL"] {
            if let url = value(name),
                !(url.hasPrefix("sqlite:") || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"))
            {
                throw .invalid(variable: name, value: url, reason: "expected sqlite:PATH or postgres://…")
            }
        }
        self.environment = environment
        let clientID = value("GOOGLE_CLIENT_ID"), clientSecret = value("GOOGLE_CLIENT_SECRET")
        if (clientID == nil) != (clientSecret == nil) {
            throw .missing(
                variable: clientID == nil ? "GOOGLE_CLIENT_ID" : "GOOGLE_CLIENT_SECRET",
                reason: "Google needs both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (or neither, for local mode)")
        }
        googleConfigured = clientID != nil
        if googleConfigured && value("TOKEN_ENCRYPTION_KEY") == nil {
            throw .missing(
                variable: "TOKEN_ENCRYPTION_KEY",
                reason: "Google tokens are encrypted at rest; set 32 random bytes, e.g. `openssl rand -base64 32`")
        }
        localPassword = value("LOCAL_PASSWORD")
        jwtSecret = value("JWT_SECRET")
        if let jwtSecret, jwtSecret.utf8.count < 32 {
            throw .invalid(
                variable: "JWT_SECRET", value: "(\(jwtSecret.utf8.count) bytes)", reason: "needs at least 32 bytes")
        }
        host = value("HOST") ?? "127.0.0.1"
        if localMode && !Self.isLoopback(host) && localPassword == nil {
            throw .missing(
                variable: "LOCAL_PASSWORD",
                reason: "local mode listening on \(host) (not loopback) needs a password for sign-in")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(variable: String, value: String, reason: String)
    case missing(variable: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(variable, value, reason): "\(variable)=\(value) is not valid: \(reason)"
        case let .missing(variable, reason): "\(variable) is required: \(reason)"
        }
    }
}
