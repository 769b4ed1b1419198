import Foundation

/// A fault the next `count` matching requests meet: an error status (429 with `Retry-After`,
/// 5xx, …) in Google's envelope, a delay before the normal answer, or both a delay and an error.
public struct FakeFault: Sendable, Codable, Equatable {
    public var id: String
    /// Matches request paths that start with this (e.g. `/photospicker/v1/mediaItems`).
    public var pathPrefix: String
    /// Only this method, when set (`GET`, `POST`, …).
    public var method: String?
    public var remaining: Int
    public var status: Int?
    /// Seconds, sent as `Retry-After`.
    public var retryAfter: Int?
    public var delayMs: Int?
    /// A 429 that says the daily quota is spent (clients should stop, not retry).
    public var dailyQuota: Bool?

    public init(
        pathPrefix: String, method: String? = nil, count: Int = 1, status: Int? = nil, retryAfter: Int? = nil,
        delayMs: Int? = nil, dailyQuota: Bool? = nil
    ) {
        self.id = FakeRandom.token(6)
        self.pathPrefix = pathPrefix
        self.method = method
        self.remaining = count
        self.status = status
        self.retryAfter = retryAfter
        self.delayMs = delayMs
        self.dailyQuota = dailyQuota
    }

    func matches(method: String, path: String) -> Bool {
        remaining > 0 && path.hasPrefix(pathPrefix) && (self.method.map { $0.uppercased() == method } ?? true)
    }

    /// The error this fault answers with, if it answers with one.
    var error: GoogleAPIError? {
        guard let status else { return nil }
        let rpc = GoogleAPIError.rpcName(for: status)
        var error = GoogleAPIError(
            status: .init(code: status), rpcStatus: rpc, message: "Injected fault: \(rpc).", retryAfter: retryAfter)
        if status == 429 {
            error.reason = "RATE_LIMIT_EXCEEDED"
            error.message =
                dailyQuota == true
                ? "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service 'photoslibrary.googleapis.com' for consumer 'project_number:000000000000'."
                : "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' of service 'photospicker.googleapis.com' for consumer 'project_number:000000000000'."
            error.metadata = [
                "quota_metric": dailyQuota == true ? "photoslibrary.googleapis.com/all_requests" : "requests",
                "quota_limit": dailyQuota == true ? "ApiCallsPerProjectPerDay" : "RequestsPerMinutePerUser",
                "consumer": "projects/000000000000",
            ]
        }
        return error
    }
}

/// One line of the fake's request log: never a token, code or query value.
public struct FakeRequestLogEntry: Sendable, Codable, Equatable {
    public var sequence: Int
    public var time: String
    public var method: String
    /// The path, with `baseUrl` tokens replaced by `<token>` (the size suffix is kept).
    public var path: String
    /// Names of the query parameters, without their values.
    public var queryNames: [String]
    public var hadBearer: Bool
    public var status: Int
    public var durationMs: Int
    /// The fault that was injected, if any.
    public var fault: String?

    static func redact(_ path: String) -> String {
        guard path.hasPrefix("/lh3/") else { return path }
        let parts = path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: true)
        guard parts.count == 3 else { return path }
        let suffix = parts[2].firstIndex(of: "=").map { String(parts[2][$0...]) } ?? ""
        return "/lh3/\(parts[1])/<token>\(suffix)"
    }
}
