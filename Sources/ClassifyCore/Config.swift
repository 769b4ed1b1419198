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
        dataDirectory = value("DATA_DIR") ?? "./data"
        authDatabaseURL = value("AUTH_DB_URL") ?? "sqlite:\(dataDirectory)/auth.sqlite"
        photosDatabaseURL = value("PHOTOS_DB_URL") ?? "sqlite:\(dataDirectory)/photos.sqlite"
        for name in ["AUTH_DB_URL", "PHOTOS_DB_URL"] {
            if let url = value(name),
                !(url.hasPrefix("sqlite:") || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"))
            {
                throw .invalid(variable: name, value: url, reason: "expected sqlite:PATH or postgres://…")
            }
        }
        googleConfigured = value("GOOGLE_CLIENT_ID") != nil && value("GOOGLE_CLIENT_SECRET") != nil
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
