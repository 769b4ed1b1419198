import Foundation

/// An in-memory OpenAI Chat Completions API for tests and demos, following
/// `specs/openai-vision.md`: bearer keys checked, requests validated strictly (model, messages,
/// content parts, data URLs that must decode to an image of the declared type, `detail`,
/// strict JSON schemas), answers that conform to the request's schema with tags derived from
/// the image's pixels, realistic `usage`, rate-limit headers, and faults (429, 5xx, delays,
/// refusals, malformed or cut-off content). `FakeOpenAIRouter` serves it over HTTP; an admin API
/// under `/fake/` reads the request log (never a key) and injects faults. docs/fake-openai.md.
///
/// This actor holds only state; requests are validated and answered outside it, so slow or
/// large requests do not hold each other up.
public actor FakeOpenAI {
    var configuration: FakeOpenAIConfiguration
    var faults: [FakeOpenAIFault] = []
    var requestLog: [FakeOpenAILogEntry] = []
    var requestSequence = 0
    var requests = 0
    var inFlight = 0
    var maxInFlight = 0
    /// Start of the current one-minute rate-limit window and the requests counted in it.
    var windowStart = Date()
    var windowRequests = 0

    public init(configuration: FakeOpenAIConfiguration = .init()) {
        self.configuration = configuration
    }

    public var configurationSnapshot: FakeOpenAIConfiguration { configuration }

    public func updateConfiguration(_ change: @Sendable (inout FakeOpenAIConfiguration) -> Void) {
        change(&configuration)
    }

    // MARK: Faults

    public func addFault(_ fault: FakeOpenAIFault) { faults.append(fault) }

    public func clearFaults() { faults.removeAll() }

    public var activeFaults: [FakeOpenAIFault] { faults.filter { $0.remaining > 0 } }

    /// Takes one use of the first fault.
    func takeFault() -> FakeOpenAIFault? {
        guard let index = faults.firstIndex(where: { $0.remaining > 0 }) else { return nil }
        faults[index].remaining -= 1
        let fault = faults[index]
        faults.removeAll { $0.remaining <= 0 }
        return fault
    }

    // MARK: Log and state

    func record(_ entry: FakeOpenAILogEntry) {
        requestSequence += 1
        var entry = entry
        entry.sequence = requestSequence
        entry.time = FakeTime.rfc3339(Date())
        requestLog.append(entry)
        if requestLog.count > configuration.requestLogCapacity {
            requestLog.removeFirst(requestLog.count - configuration.requestLogCapacity)
        }
    }

    /// Log lines after `sequence` (admin calls are never logged).
    public func log(since sequence: Int = 0) -> [FakeOpenAILogEntry] {
        requestLog.filter { $0.sequence > sequence }
    }

    public func clearLog() { requestLog.removeAll() }

    public func state() -> FakeOpenAIState {
        FakeOpenAIState(
            inFlight: inFlight, maxInFlight: maxInFlight, requests: requests, faults: activeFaults,
            models: configuration.models.map(\.id), requireKey: configuration.requireKey,
            requestsPerMinute: configuration.requestsPerMinute, latencyMs: configuration.latencyMs)
    }

    /// The most chat completions in flight at once since the last reset.
    public var peakInFlight: Int { maxInFlight }

    public func resetPeakInFlight() { maxInFlight = inFlight }

    /// Forgets faults, log, counters and the rate-limit window (the configuration stays).
    public func reset() {
        faults.removeAll()
        requestLog.removeAll()
        requestSequence = 0
        requests = 0
        maxInFlight = inFlight
        windowStart = Date()
        windowRequests = 0
    }

    // MARK: Used by the controller

    func begin() {
        inFlight += 1
        requests += 1
        maxInFlight = max(maxInFlight, inFlight)
    }

    func end() { inFlight -= 1 }

    /// Whether `bearer` may call the API.
    func accepts(_ bearer: String?) -> Bool {
        guard configuration.requireKey else { return true }
        guard let bearer else { return false }
        return configuration.apiKeys.contains(bearer)
    }

    /// Whether any configured key, or `sent`, occurs in `text` (a path or query).
    func containsKey(_ text: String, sent: String?) -> Bool {
        let keys = configuration.apiKeys + (sent.map { [$0] } ?? [])
        let decoded = text.removingPercentEncoding ?? text
        return keys.contains { !$0.isEmpty && (text.contains($0) || decoded.contains($0)) }
    }

    /// Counts a request in the one-minute window. The rate-limit headers' values, and the
    /// seconds to wait when the request is over `requestsPerMinute`.
    func admitRequest() -> (headers: FakeOpenAIRateHeaders, overLimitWait: Int?) {
        let now = Date()
        if now.timeIntervalSince(windowStart) >= 60 {
            windowStart = now
            windowRequests = 0
        }
        let limit = configuration.requestsPerMinute ?? 10_000
        let reset = max(0.001, 60 - now.timeIntervalSince(windowStart))
        var headers = FakeOpenAIRateHeaders(
            limitRequests: limit, remainingRequests: 0, resetRequests: FakeOpenAIRateHeaders.goDuration(reset),
            limitTokens: 10_000_000, remainingTokens: 10_000_000, resetTokens: "0s")
        if configuration.requestsPerMinute != nil, windowRequests >= limit {
            return (headers, Int(reset.rounded(.up)))
        }
        windowRequests += 1
        headers.remainingRequests = max(0, limit - windowRequests)
        return (headers, nil)
    }
}

/// The `x-ratelimit-*` headers of an answer (spec 3.1).
struct FakeOpenAIRateHeaders: Sendable {
    var limitRequests: Int
    var remainingRequests: Int
    var resetRequests: String
    var limitTokens: Int
    var remainingTokens: Int
    var resetTokens: String

    var pairs: [(String, String)] {
        [
            ("x-ratelimit-limit-requests", String(limitRequests)),
            ("x-ratelimit-limit-tokens", String(limitTokens)),
            ("x-ratelimit-remaining-requests", String(remainingRequests)),
            ("x-ratelimit-remaining-tokens", String(remainingTokens)),
            ("x-ratelimit-reset-requests", resetRequests),
            ("x-ratelimit-reset-tokens", resetTokens),
        ]
    }

    /// Go-style duration, as OpenAI sends: `12ms`, `1s`, `17.5s`, `6m0s`.
    static func goDuration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(max(1, Int((seconds * 1000).rounded())))ms" }
        let tenths = (seconds * 10).rounded() / 10
        if tenths < 60 {
            return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
        }
        let minutes = Int(tenths) / 60
        let rest = Int(tenths) % 60
        return "\(minutes)m\(rest)s"
    }
}
