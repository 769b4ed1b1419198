import AsyncHTTPClient
import ClassifyCore
import Foundation
import NIOCore

/// Small shared pieces of talking HTTP to Google.
enum GoogleHTTP {
    /// Largest body read from Google's auth endpoints (token answers and JWKS are a few KB).
    static let maxBodyBytes = 1 << 20

    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    /// Sends `request` with a deadline and reads the whole (bounded) body. Failures become
    /// `transport` errors whose text names the host, never the query or body.
    static func send(
        _ request: HTTPClientRequest, client: HTTPClient, timeout: Duration
    ) async throws(GoogleOAuthError) -> Reply {
        let amount = TimeAmount.nanoseconds(
            timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, timeout: amount)
            let body = try await response.body.collect(upTo: maxBodyBytes)
            return Reply(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Array(body.readableBytesView))
        } catch {
            let host = URL(string: request.url)?.host ?? "Google"
            if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
                throw .transport("\(host) did not answer within \(timeout)")
            }
            throw .transport("\(host): \(type(of: error))")
        }
    }

    /// Like `send`, for the Photos APIs and `baseUrl` bytes: the whole exchange (head and body)
    /// must finish within `timeout`; a 2xx body over `maxBodyBytes` is `.tooLarge`, and of any
    /// other answer at most `errorBodyBytes` are kept (a longer one is dropped: its status
    /// decides). Failures name the host, never the path, query or body.
    static func sendPhotos(
        _ request: HTTPClientRequest, client: HTTPClient, timeout: Duration, maxBodyBytes: Int,
        errorBodyBytes: Int = 64 << 10
    ) async throws(GooglePhotosError) -> Reply {
        let host = URL(string: request.url)?.host ?? "Google"
        let clock = ContinuousClock()
        let start = clock.now
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeAmount(timeout))
        } catch {
            throw photosTransport(error, host: host, timeout: timeout)
        }
        let status = Int(response.status.code)
        let success = (200..<300).contains(status)
        let limit = success ? maxBodyBytes : errorBodyBytes
        var body: [UInt8] = []
        do {
            let remaining = timeout - (clock.now - start)
            let buffer = try await withDeadline(remaining) { try await response.body.collect(upTo: limit) }
            body = Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            if success { throw .tooLarge(limit: maxBodyBytes) }
        } catch {
            throw photosTransport(error, host: host, timeout: timeout)
        }
        return Reply(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    private static func photosTransport(_ error: any Error, host: String, timeout: Duration) -> GooglePhotosError {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return .transport("\(host) did not answer within \(timeout)")
        }
        if error is CancellationError || (error as? HTTPClientError) == .cancelled {
            return .transport("request to \(host) was cancelled")
        }
        return .transport("\(host): \(type(of: error))")
    }

    /// `operation`'s value, or `HTTPClientError.deadlineExceeded` once `limit` has passed (the
    /// operation is then cancelled).
    static func withDeadline<T: Sendable>(
        _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await ClassifyCore.withDeadline(limit, orThrow: { HTTPClientError.deadlineExceeded }, operation)
    }

    /// `application/x-www-form-urlencoded` body of `pairs`.
    static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
    }

    private static let formAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<"\u{80}"))
        set.insert(charactersIn: "-._~")
        return set
    }()

    static func formEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: formAllowed) ?? value
    }

    /// `Retry-After` as seconds: a number of seconds or an HTTP date.
    static func retryAfter(_ value: String?, now: Date = Date()) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = TimeInterval(value), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// `max-age` of a `Cache-Control` header.
    static func maxAge(_ cacheControl: String?) -> TimeInterval? {
        guard let cacheControl else { return nil }
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            if parts.count == 2, parts[0] == "max-age", let seconds = TimeInterval(parts[1]), seconds >= 0 {
                return seconds
            }
        }
        return nil
    }
}

extension Data {
    /// Base64url without padding (RFC 7636 / RFC 7515).
    func base64URLEncodedNoPadding() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded string: some StringProtocol) {
        var base64 = string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
