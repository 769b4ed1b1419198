import AsyncHTTPClient
import ClassifyCore
import Foundation
import NIOCore

/// Talking HTTP to an OpenAI-compatible server: one attempt with a deadline, and the parts of
/// its answer the retry logic needs (spec section 3).
enum OpenAIHTTP {
    /// A chat completion with a tag list is a few KB; local servers add `timings`.
    static let maxBodyBytes = 1 << 20
    /// Of an error answer, this much is read (a longer one is dropped: its status decides).
    static let maxErrorBodyBytes = 64 << 10

    /// Follows no redirect: a 3xx must not carry the `Authorization` header elsewhere.
    static let defaultClient = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    /// Why an attempt got no answer.
    enum TransportFailure: Error {
        /// The deadline passed (connecting, waiting for the head or reading the body).
        case timedOut
        case cancelled
        /// Connection refused, reset, TLS failure, …: `reason` names the error type only.
        case failed(String)
    }

    /// Sends `request`; the whole exchange must finish within `timeout`.
    static func send(_ request: HTTPClientRequest, client: HTTPClient, timeout: Duration) async throws(TransportFailure)
        -> Reply
    {
        do {
            return try await withDeadline(timeout) {
                let response = try await client.execute(request, timeout: timeAmount(timeout))
                let status = Int(response.status.code)
                let limit = (200..<300).contains(status) ? maxBodyBytes : maxErrorBodyBytes
                var body: [UInt8] = []
                do {
                    body = Array(try await response.body.collect(upTo: limit).readableBytesView)
                } catch let error as NIOTooManyBytesError {
                    if (200..<300).contains(status) { throw error }
                }
                return Reply(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: body)
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timedOut
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw .timedOut
        } catch is CancellationError {
            throw Task.isCancelled ? .cancelled : .timedOut
        } catch let error as HTTPClientError where error == .cancelled {
            throw Task.isCancelled ? .cancelled : .timedOut
        } catch is NIOTooManyBytesError {
            throw .failed("the answer is larger than \(maxBodyBytes) bytes")
        } catch {
            throw .failed(String(describing: type(of: error)))
        }
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// `operation`'s value, or `HTTPClientError.deadlineExceeded` once `limit` has passed (the
    /// operation is then cancelled).
    static func withDeadline<T: Sendable>(
        _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await ClassifyCore.withDeadline(limit, orThrow: { HTTPClientError.deadlineExceeded }, operation)
    }

    // MARK: Rate-limit headers (spec 3.1)

    /// How long the server asked to wait: `retry-after-ms`, then `Retry-After` (seconds or an
    /// HTTP date), then the `x-ratelimit-reset-*` durations of the exhausted limits (all of
    /// them when none says it is exhausted). nil when it did not say.
    static func requestedWait(_ reply: Reply, now: Date = Date()) -> Duration? {
        if let text = reply.header("retry-after-ms"), let ms = Double(text.trimmingCharacters(in: .whitespaces)),
            ms.isFinite, ms >= 0
        {
            return .milliseconds(Int64(ms.rounded(.up)))
        }
        if let seconds = retryAfter(reply.header("Retry-After"), now: now) {
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        let resets: [(remaining: String, reset: String)] = [
            ("x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"),
            ("x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"),
        ]
        let known = resets.compactMap { pair -> (exhausted: Bool, wait: Duration)? in
            guard let text = reply.header(pair.reset), let wait = goDuration(text) else { return nil }
            let remaining = reply.header(pair.remaining).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return (remaining == 0, wait)
        }
        let exhausted = known.filter(\.exhausted)
        return (exhausted.isEmpty ? known : exhausted).map(\.wait).max()
    }

    /// `Retry-After` as seconds: a number or an HTTP date.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// A Go duration string (`1s`, `6m0s`, `12ms`, `17.5s`, `1h2m3.5s`, `250us`), as OpenAI
    /// sends in `x-ratelimit-reset-*`. nil when it is not one.
    static func goDuration(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return .zero }
        var nanoseconds = 0.0
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest unit first, so `ms` is not read as `m` then `s`.
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) })
            else { return nil }
            rest = rest.dropFirst(unit.0.count)
            nanoseconds += value * unit.1
        }
        guard nanoseconds.isFinite, nanoseconds < 1e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds.rounded(.up)))
    }

    // MARK: Error envelope (spec 3 and 6)

    /// The parts of an error answer this client uses: OpenAI's `{"error": {message, type,
    /// param, code}}` (code a string, a number or null), or the top-level form older vLLM sends.
    struct ErrorEnvelope {
        var message: String?
        var type: String?
        var code: String?

        init?(_ body: [UInt8]) {
            guard !body.isEmpty,
                let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            else { return nil }
            let error = json["error"] as? [String: Any] ?? (json["object"] as? String == "error" ? json : nil)
            guard let error else {
                if let message = json["error"] as? String { self.message = message } else { return nil }
                return
            }
            message = error["message"] as? String
            type = error["type"] as? String
            if let code = error["code"] as? String {
                self.code = code
            } else if let code = error["code"] as? NSNumber {
                self.code = code.stringValue
            }
        }
    }
}
