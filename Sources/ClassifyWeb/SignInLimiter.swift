import Foundation

/// Bounds sign-in attempts per client address (a sliding window), so a password cannot be
/// guessed at network speed. Memory is bounded: at most `maxClients` addresses are tracked,
/// the stalest forgotten first.
public actor SignInLimiter {
    let attempts: Int
    let window: TimeInterval
    let maxClients: Int
    var history: [String: [Date]] = [:]

    public init(attempts: Int = 10, window: TimeInterval = 60, maxClients: Int = 10_000) {
        self.attempts = attempts
        self.window = window
        self.maxClients = maxClients
    }

    /// Records an attempt from `client`; nil when allowed, else the seconds until the next
    /// attempt will be.
    public func attempt(from client: String?, now: Date = Date()) -> Int? {
        let key = client ?? "unknown"
        var recent = (history[key] ?? []).filter { now.timeIntervalSince($0) < window }
        if recent.count >= attempts {
            history[key] = recent
            return max(1, Int((window - now.timeIntervalSince(recent[0])).rounded(.up)))
        }
        recent.append(now)
        history[key] = recent
        if history.count > maxClients {
            let stalest = history.min { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
            if let stalest { history[stalest.key] = nil }
        }
        return nil
    }
}
