import AsyncHTTPClient
import ClassifyCore
import Foundation
import ImageDecoding
import Logging
import NIOCore

/// How `OpenAITagger` retries: 429 (not `insufficient_quota`), 5xx, 408/409 and failed
/// connections, at most `maxAttempts` tries in all. It waits what the server asked for
/// (`retry-after-ms`, `Retry-After`, else the `x-ratelimit-reset-*` of the exhausted limit),
/// otherwise `baseDelay`·2ⁿ capped at `maxDelay`, then a random half to all of it. A requested
/// wait longer than `longestWait` is not waited for: the error goes to the caller at once.
/// Timeouts are not retried (the server may still be working, and billing, on the first try).
public struct OpenAIRetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var longestWait: Duration

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30),
        longestWait: Duration = .seconds(120)
    ) {
        precondition(maxAttempts >= 1, "at least one attempt")
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.longestWait = longestWait
    }

    /// The wait before retry number `retry` (0-based) when the server did not say.
    func backoff(retry: Int) -> Duration {
        let exponential = baseDelay * Double(1 << min(retry, 30))
        return min(exponential, maxDelay) * Double.random(in: 0.5...1)
    }
}

/// Tags photos with an OpenAI-compatible Chat Completions endpoint (spec sections 1–4): the
/// photo shrunk to at most `maxImageSide` (512) pixels on the long side and re-encoded as JPEG
/// (libvips; EXIF orientation applied, metadata stripped), sent as a base64 data URL with
/// `detail: low` and a strict JSON schema; the answer checked and cleaned. At most
/// `configuration.concurrency` calls are in flight at once, across all callers of this value
/// and its copies.
///
/// The API key goes only into the `Authorization` header: never into a URL, a log line or an
/// error (server messages are scrubbed of it too).
public struct OpenAITagger: BillingTagger {
    public let configuration: OpenAIConfiguration
    public let retry: OpenAIRetryPolicy
    public var model: String { configuration.model }

    private let httpClient: HTTPClient
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let limiter: AsyncSemaphore
    private let url: String

    /// Checks what is sent (header and a small decode), so an unreadable file is refused before
    /// any request. Photos as small as 1 px are fine.
    static let decoder = ImageDecoder(limits: DecodeLimits(minimumSide: 1))

    /// - Parameters:
    ///   - httpClient: nil for a shared client that follows no redirects.
    ///   - sleep: how retries wait (tests record instead of sleeping).
    /// - Throws: `.off` when the configuration says tagging is off.
    public init(
        configuration: OpenAIConfiguration, retry: OpenAIRetryPolicy = OpenAIRetryPolicy(),
        httpClient: HTTPClient? = nil, logger: Logger = Logger(label: "classify.openai"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) throws(TaggingFailure) {
        if let reason = configuration.disabledReason { throw .off(reason: reason) }
        self.configuration = configuration
        self.retry = retry
        self.httpClient = httpClient ?? OpenAIHTTP.defaultClient
        self.logger = logger
        self.sleep = sleep
        self.limiter = AsyncSemaphore(limit: configuration.concurrency)
        self.url = configuration.baseURL + "/chat/completions"
    }

    /// US dollars for a call's tokens, or nil when the model's price is unknown.
    public func estimatedCost(promptTokens: Int, completionTokens: Int) -> Double? {
        configuration.estimatedCost(promptTokens: promptTokens, completionTokens: completionTokens)
    }

    /// Tags one photo (any format libvips reads). Throws only `TaggingFailure`.
    public func tag(imageBytes: [UInt8]) async throws(TaggingFailure) -> PhotoTags {
        do {
            return try await tagBilled(imageBytes: imageBytes)
        } catch {
            throw error.failure
        }
    }

    /// Like `tag(imageBytes:)`, but a failure says what the service billed for it: a refusal,
    /// a cut-off or an unusable answer carries its `usage` tokens (others 0).
    public func tagBilled(imageBytes: [UInt8]) async throws(BilledTaggingFailure) -> PhotoTags {
        let jpeg: [UInt8]
        do {
            jpeg = try Self.shrink(imageBytes, maxSide: configuration.maxImageSide)
        } catch {
            throw BilledTaggingFailure(error)
        }
        let body = OpenAIChatRequest(jpeg: jpeg, configuration: configuration).encoded()
        let result = try await limiter.withPermit { () async throws(BilledTaggingFailure) -> PhotoTags in
            try await send(body)
        }
        guard let result else { throw BilledTaggingFailure(.unavailable("tagging was cancelled")) }
        return result
    }

    /// The photo as a JPEG fitted in `maxSide`×`maxSide` (never enlarged; orientation applied;
    /// metadata stripped). `.badImage` for what is not a readable image.
    static func shrink(_ bytes: [UInt8], maxSide: Int) throws(TaggingFailure) -> [UInt8] {
        do {
            _ = try decoder.probe(bytes)
            // A small full decode finds what the header does not show (a truncated or corrupt
            // JPEG, which libvips would otherwise pad with gray and send).
            _ = try decoder.decode(bytes, minimumLongSide: 64)
            return try Thumbnailer.jpeg(bytes, maxSide: maxSide)
        } catch {
            throw .badImage(error.description)
        }
    }

    // MARK: Attempts

    private enum AttemptFailure: Error {
        /// Worth another try, after `wait` if the server said.
        case retryable(TaggingFailure, wait: Duration?)
        /// Not worth another try; billed when the service answered (a refusal, an unusable answer).
        case final(BilledTaggingFailure)
    }

    private func send(_ body: [UInt8]) async throws(BilledTaggingFailure) -> PhotoTags {
        var attempt = 0
        while true {
            attempt += 1
            let failure: TaggingFailure
            let wait: Duration?
            do {
                return try await attemptOnce(body)
            } catch {
                switch error {
                case .final(let error):
                    logger.warning("openai tagging failed: \(error.failure)")
                    throw error
                case .retryable(let error, let requested):
                    failure = error
                    wait = requested
                }
            }
            guard attempt < retry.maxAttempts, !Task.isCancelled else {
                logger.warning("openai tagging gave up after \(attempt) attempt(s): \(failure)")
                throw BilledTaggingFailure(failure)
            }
            let delay = wait ?? retry.backoff(retry: attempt - 1)
            guard delay <= retry.longestWait else {
                logger.warning("openai tagging: the server asked to wait \(delay), longer than \(retry.longestWait)")
                throw BilledTaggingFailure(failure)
            }
            logger.debug("openai tagging: \(failure); retry \(attempt) after \(delay)")
            do { try await sleep(delay) } catch { throw BilledTaggingFailure(failure) }  // cancelled while waiting
        }
    }

    private func attemptOnce(_ body: [UInt8]) async throws(AttemptFailure) -> PhotoTags {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization = configuration.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let host = URL(string: url)?.host ?? "the vision service"
        let clock = ContinuousClock(), start = clock.now
        let reply: OpenAIHTTP.Reply
        do {
            reply = try await OpenAIHTTP.send(request, client: httpClient, timeout: configuration.timeout)
        } catch {
            switch error {
            case .timedOut:
                throw .final(
                    BilledTaggingFailure(
                        .unavailable("\(host) did not answer within \(Self.seconds(configuration.timeout)) s")))
            case .cancelled:
                throw .final(BilledTaggingFailure(.unavailable("tagging was cancelled")))
            case .failed(let reason):
                throw .retryable(.unavailable("could not reach \(host): \(reason)"), wait: nil)
            }
        }
        let requestID = reply.header("x-request-id").map {
            " (request \(OpenAIText.oneLine($0, limit: 80, secret: nil)))"
        }
        logger.debug(
            "openai chat completion answered \(reply.status) in \(Int((clock.now - start).milliseconds)) ms\(requestID ?? "")"
        )
        guard reply.status == 200 else { throw failure(reply) }
        do {
            return try OpenAIAnswer.parse(reply.body, requestedModel: configuration.model, secret: configuration.secret)
        } catch {
            // A refused or unusable answer is billed all the same.
            let usage = OpenAIAnswer.usage(reply.body)
            throw .final(
                BilledTaggingFailure(error, promptTokens: usage?.prompt ?? 0, completionTokens: usage?.completion ?? 0))
        }
    }

    /// The outcome of a non-200 answer (spec section 3).
    private func failure(_ reply: OpenAIHTTP.Reply) -> AttemptFailure {
        let envelope = OpenAIHTTP.ErrorEnvelope(reply.body)
        let message = OpenAIText.oneLine(envelope?.message ?? "", limit: 300, secret: configuration.secret)
        let detail = [envelope?.code, message.isEmpty ? nil : message].compactMap { $0 }.joined(separator: ": ")
        let described = "HTTP \(reply.status)" + (detail.isEmpty ? "" : " \(detail)")
        switch reply.status {
        case 401:
            return .final(BilledTaggingFailure(.unauthorized))
        case 429:
            if envelope?.type == "insufficient_quota" || envelope?.code == "insufficient_quota" {
                return .final(BilledTaggingFailure(.quotaExhausted))
            }
            let wait = OpenAIHTTP.requestedWait(reply)
            return .retryable(.rateLimited(retryAfter: wait), wait: wait)
        case 408, 409, 500...599:
            return .retryable(.unavailable(described), wait: OpenAIHTTP.requestedWait(reply))
        case 400 where Self.imageCodes.contains(envelope?.code ?? ""):
            return .final(BilledTaggingFailure(.badImage(message.isEmpty ? described : message)))
        case 400..<500:
            return .final(BilledTaggingFailure(.invalidRequest(described)))
        default:
            return .final(BilledTaggingFailure(.unavailable("unexpected \(described)")))
        }
    }

    /// Error codes OpenAI gives for an image it cannot use.
    static let imageCodes: Set<String> = [
        "invalid_image", "invalid_image_format", "invalid_image_url", "image_parse_error", "image_too_large",
    ]

    private static func seconds(_ duration: Duration) -> String {
        let value = duration.milliseconds / 1000
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}
