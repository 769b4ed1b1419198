import Foundation

/// Why a call to the Photos Picker or Library API (or a `baseUrl` fetch) failed (spec 2.5, 2.4
/// and 4). Built from Google's JSON error envelope
/// `{"error": {"code", "message", "status", "details": [{"reason"}]}}` and the HTTP status.
/// Never carries a token, a `baseUrl` or a URL query.
public enum GooglePhotosError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401: the access token is missing, expired or revoked. Refresh it once and retry; if that
    /// fails too, the user must sign in again.
    case unauthenticated
    /// 403. With `insufficientScope` the user unticked a scope: ask for it again. Otherwise
    /// (e.g. sharing calls, someone else's album) do not retry.
    case permissionDenied(reason: String?, message: String)
    /// 400 FAILED_PRECONDITION. Picker: the user has not finished picking (keep polling), or has
    /// no Google Photos account (`sessions.create`).
    case failedPrecondition(String)
    /// 404: unknown, deleted or expired session, album or item.
    case notFound(String)
    /// 400 INVALID_ARGUMENT / OUT_OF_RANGE, or a request this client refused to send.
    case invalidArgument(String)
    /// 429 RESOURCE_EXHAUSTED. Retry after `retryAfter` (or with backoff), unless `dailyQuota`:
    /// the daily quota resets at midnight Pacific time, so retrying today does not help.
    case rateLimited(retryAfter: TimeInterval?, dailyQuota: Bool)
    /// 500 / 502 / 503 / 504, or 409 ABORTED: retry with backoff.
    case unavailable(status: Int, retryAfter: TimeInterval?)
    /// No answer (connection refused, timeout, cancelled, …): may be retried. Names the host only.
    case transport(String)
    /// An answer that is not what Google sends (or a status this client has no case for).
    case unexpectedResponse(status: Int, reason: String)
    /// A `baseUrl` fetch answered non-2xx (expired, revoked or someone else's URL: Google sends
    /// 403/404 with an HTML body). List the session's media items again for fresh `baseUrl`s.
    case mediaUnavailable(status: Int)
    /// The bytes (to upload, or answered by a `baseUrl`) are over `limit` bytes.
    case tooLarge(limit: Int)

    /// The `ErrorInfo` reason Google gives when the token lacks the API's scope.
    public static let scopeInsufficientReason = "ACCESS_TOKEN_SCOPE_INSUFFICIENT"

    /// A 403 because the token does not carry the API's scope (granular consent): ask the user
    /// for the scope again.
    public var insufficientScope: Bool {
        guard case .permissionDenied(let reason, let message) = self else { return false }
        return reason == Self.scopeInsufficientReason
            || message.localizedCaseInsensitiveContains("insufficient authentication scopes")
    }

    /// Whether the same request may succeed later without anything else changing: 429 (not the
    /// daily quota), 5xx / ABORTED and transport failures. A 401 needs a new access token first.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited(_, let dailyQuota): !dailyQuota
        case .unavailable, .transport: true
        default: false
        }
    }

    /// Seconds Google asked to wait (`Retry-After`), if it said.
    public var retryAfter: TimeInterval? {
        switch self {
        case .rateLimited(let retryAfter, _), .unavailable(_, let retryAfter): retryAfter
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .unauthenticated:
            "Google Photos refused the access token (401 UNAUTHENTICATED); refresh it"
        case .permissionDenied(let reason, let message):
            "Google Photos denied permission\(reason.map { " (\($0))" } ?? ""): \(message)"
        case .failedPrecondition(let message): "Google Photos precondition failed: \(message)"
        case .notFound(let message): "Google Photos: not found: \(message)"
        case .invalidArgument(let message): "Google Photos: invalid argument: \(message)"
        case .rateLimited(let retryAfter, let dailyQuota):
            dailyQuota
                ? "Google Photos daily quota is spent; try again tomorrow"
                : "Google Photos rate limit (429); retry\(retryAfter.map { " after \(Int($0.rounded(.up))) s" } ?? " later")"
        case .unavailable(let status, let retryAfter):
            "Google Photos answered \(status); retry\(retryAfter.map { " after \(Int($0.rounded(.up))) s" } ?? " later")"
        case .transport(let reason): "Could not reach Google Photos: \(reason)"
        case .unexpectedResponse(let status, let reason): "Unexpected answer from Google Photos (\(status)): \(reason)"
        case .mediaUnavailable(let status):
            "The photo's baseUrl answered \(status) (expired or revoked); list the media items again"
        case .tooLarge(let limit): "The photo is larger than \(limit) bytes"
        }
    }

    /// The error of a non-2xx answer of a Photos JSON API: the envelope's `status` decides,
    /// the HTTP status when there is no envelope (HTML from a proxy, an empty body).
    /// `retryAfter` is the `Retry-After` header in seconds.
    public init(status: Int, body: [UInt8], retryAfter: TimeInterval? = nil) {
        let envelope = Envelope(body)
        let message = envelope?.message ?? "HTTP \(status)"
        let rpc = envelope?.status ?? ""
        switch status {
        case 401:
            self = .unauthenticated
        case 429:
            self = .rateLimited(retryAfter: retryAfter, dailyQuota: envelope?.isDailyQuota ?? false)
        case 500, 502, 503, 504:
            self = .unavailable(status: status, retryAfter: retryAfter)
        case 403:
            self = .permissionDenied(reason: envelope?.reason, message: message)
        case 404:
            self = .notFound(message)
        case 409 where rpc == "ABORTED" || rpc.isEmpty:
            self = .unavailable(status: status, retryAfter: retryAfter)
        default:
            switch rpc {
            case "FAILED_PRECONDITION": self = .failedPrecondition(message)
            case "INVALID_ARGUMENT", "OUT_OF_RANGE": self = .invalidArgument(message)
            case "NOT_FOUND": self = .notFound(message)
            case "UNAUTHENTICATED": self = .unauthenticated
            case "PERMISSION_DENIED": self = .permissionDenied(reason: envelope?.reason, message: message)
            case "RESOURCE_EXHAUSTED":
                self = .rateLimited(retryAfter: retryAfter, dailyQuota: envelope?.isDailyQuota ?? false)
            case "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED":
                self = .unavailable(status: status, retryAfter: retryAfter)
            case "" where status == 400: self = .invalidArgument(message)
            case "": self = .unexpectedResponse(status: status, reason: message)
            default: self = .unexpectedResponse(status: status, reason: "\(rpc): \(message)")
            }
        }
    }

    /// The parts of Google's error envelope this client uses (legacy `errors[]` tolerated).
    struct Envelope {
        var message: String?
        var status: String?
        var reason: String?
        var isDailyQuota: Bool

        init?(_ body: [UInt8]) {
            guard !body.isEmpty, body.count <= 1 << 20,
                let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
                let error = json["error"] as? [String: Any]
            else { return nil }
            message = (error["message"] as? String).map(Self.clean)
            status = error["status"] as? String
            let details = error["details"] as? [[String: Any]] ?? []
            let legacy = error["errors"] as? [[String: Any]] ?? []
            reason =
                (details.compactMap { $0["reason"] as? String } + legacy.compactMap { $0["reason"] as? String })
                .first
            let limits = details.compactMap { ($0["metadata"] as? [String: Any])?["quota_limit"] as? String }
            isDailyQuota =
                (message?.localizedCaseInsensitiveContains("per day") ?? false)
                || limits.contains { $0.localizedCaseInsensitiveContains("PerDay") }
                || legacy.contains { ($0["reason"] as? String) == "dailyLimitExceeded" }
        }

        /// One line, at most 500 characters: Google's messages go into logs.
        static func clean(_ message: String) -> String {
            let line = String(message.map { $0.isNewline || $0.unicodeScalars.contains { $0.value < 0x20 } ? " " : $0 })
            return line.count > 500 ? String(line.prefix(500)) + "…" : line
        }
    }
}

/// Retries a Photos call the way spec section 4 asks: only `isRetryable` errors (never a 401, a
/// 4xx or a daily-quota 429), after `Retry-After` when Google gave one (up to 120 s; a longer one
/// is thrown to the caller at once), otherwise after truncated exponential backoff with jitter
/// (`baseDelay` · 2ⁿ, capped at `maxDelay`, then a random half to all of it). The clients never
/// retry by themselves; callers wrap what they want retried.
public enum GoogleRetry {
    /// The longest `Retry-After` honoured by waiting.
    public static let longestRetryAfter: TimeInterval = 120

    /// Runs on the caller's actor (so `body` may use its state).
    nonisolated(nonsending) public static func run<T>(
        maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(32),
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        _ body: () async throws(GooglePhotosError) -> T
    ) async throws(GooglePhotosError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            let failure: GooglePhotosError
            do {
                return try await body()
            } catch {
                failure = error
            }
            guard attempt < maxAttempts, failure.isRetryable, !Task.isCancelled,
                let delay = delay(after: failure, retry: attempt - 1, baseDelay: baseDelay, maxDelay: maxDelay)
            else { throw failure }
            do {
                try await sleep(delay)
            } catch {
                throw failure  // cancelled while waiting
            }
        }
    }

    /// How long to wait before retry number `retry` (0-based) after `error`; nil when Google
    /// asked for a longer wait than `longestRetryAfter`.
    static func delay(after error: GooglePhotosError, retry: Int, baseDelay: Duration, maxDelay: Duration)
        -> Duration?
    {
        if let retryAfter = error.retryAfter {
            guard retryAfter <= longestRetryAfter else { return nil }
            return .milliseconds(Int64((max(0, retryAfter) * 1000).rounded(.up)))
        }
        let exponential = baseDelay * Double(1 << min(retry, 30))
        let capped = min(exponential, maxDelay)
        return capped * Double.random(in: 0.5...1)
    }
}
