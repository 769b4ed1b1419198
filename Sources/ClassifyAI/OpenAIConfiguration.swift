import ClassifyCore
import Foundation

/// How Classify reaches a vision model over the OpenAI Chat Completions API: OpenAI itself, or
/// an OpenAI-compatible local server (Ollama, vLLM, llama.cpp) at `OPENAI_BASE_URL`.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `OPENAI_API_KEY` | none | sent as `Authorization: Bearer …`, nowhere else |
/// | `OPENAI_BASE_URL` | `https://api.openai.com/v1` | API root; `/chat/completions` is appended. Alone (no key) it points at a local server |
/// | `OPENAI_MODEL` | `gpt-4o-mini` | |
/// | `OPENAI_CONCURRENCY` | `4` | tagging calls in flight at once (1…64) |
/// | `OPENAI_TIMEOUT_SECONDS` | `60` | deadline of one HTTP attempt, answer included (0 < s ≤ 3600) |
/// | `OPENAI_PRICE_INPUT_PER_MTOK`, `OPENAI_PRICE_OUTPUT_PER_MTOK` | gpt-4o-mini: `0.15`, `0.60` (USD per million tokens) | for `estimatedCost`; other models have no default |
/// | `OPENAI_TOKEN_LIMIT_PARAM` | `max_completion_tokens` for api.openai.com, else `max_tokens` | local servers mostly know only `max_tokens` |
///
/// Without `OPENAI_API_KEY` and without `OPENAI_BASE_URL` tagging is off (`isEnabled` false,
/// `disabledReason` says why). A bad value is a `ConfigError` naming the variable; the key's
/// value is never part of an error, a description or a log line.
public struct OpenAIConfiguration: Sendable, Equatable, CustomStringConvertible {
    public static let defaultBaseURL = "https://api.openai.com/v1"
    public static let defaultModel = "gpt-4o-mini"
    /// gpt-4o-mini's list price (spec section 4).
    public static let gpt4oMiniPricing = OpenAIPricing(inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.60)

    private let key: OpenAIAPIKey?
    /// API root without a trailing slash, e.g. `https://api.openai.com/v1`.
    public let baseURL: String
    public let model: String
    /// Most tagging calls in flight at once.
    public let concurrency: Int
    /// Deadline of one HTTP attempt (request, answer head and body).
    public let timeout: Duration
    /// Price per million tokens; nil when unknown (a model other than gpt-4o-mini without
    /// `OPENAI_PRICE_*`).
    public let pricing: OpenAIPricing?
    /// Which body field carries the completion token limit.
    public let tokenLimitParameter: OpenAITokenLimitParameter
    /// The completion token limit sent (a tag list and a caption need well under 100).
    public let maxCompletionTokens: Int
    /// Photos are shrunk to fit this many pixels on the long side before sending.
    public let maxImageSide: Int
    /// Why tagging is off, or nil when it is on.
    public let disabledReason: String?

    public var isEnabled: Bool { disabledReason == nil }
    public var hasAPIKey: Bool { key != nil }
    /// The `Authorization` header value, if there is a key. Only the HTTP layer reads it.
    var authorization: String? { key.map { "Bearer \($0.value)" } }
    /// The key, to scrub it from any text that came back from the server.
    var secret: String? { key?.value }

    public static let disabledByDefaultReason =
        "neither OPENAI_API_KEY nor OPENAI_BASE_URL is set (set the key for OpenAI, or the base URL of an OpenAI-compatible server)"

    /// - Parameters:
    ///   - apiKey: nil or empty for none (a local server without `--api-key`).
    ///   - baseURL: nil for OpenAI's. Tagging is off when both `apiKey` and `baseURL` are nil.
    ///   - pricing: nil for the model's default (gpt-4o-mini's list price, else unknown).
    ///   - tokenLimitParameter: nil to pick by host (see the type's table).
    /// Errors name the environment variable each value comes from.
    public init(
        apiKey: String?, baseURL: String? = nil, model: String = OpenAIConfiguration.defaultModel,
        concurrency: Int = 4, timeout: Duration = .seconds(60), pricing: OpenAIPricing? = nil,
        tokenLimitParameter: OpenAITokenLimitParameter? = nil, maxCompletionTokens: Int = 300, maxImageSide: Int = 512
    ) throws(ConfigError) {
        let apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        if let apiKey {
            // Printable ASCII without spaces: anything else could split the header.
            guard apiKey.utf8.count <= 512, apiKey.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw .invalid(
                    variable: "OPENAI_API_KEY", value: "(hidden)",
                    reason: "expected printable ASCII without spaces, at most 512 characters")
            }
        }
        key = apiKey.map(OpenAIAPIKey.init)
        self.baseURL = try Self.checkBaseURL(baseURL ?? Self.defaultBaseURL)
        let model = model.trimmingCharacters(in: .whitespaces)
        guard !model.isEmpty, model.count <= 256, !model.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw .invalid(variable: "OPENAI_MODEL", value: model, reason: "expected a model name without spaces")
        }
        self.model = model
        guard (1...64).contains(concurrency) else {
            throw .invalid(
                variable: "OPENAI_CONCURRENCY", value: String(concurrency), reason: "expected a whole number in 1…64")
        }
        self.concurrency = concurrency
        guard timeout > .zero, timeout <= .seconds(3600) else {
            throw .invalid(
                variable: "OPENAI_TIMEOUT_SECONDS", value: "\(timeout)",
                reason: "expected seconds, more than 0, at most 3600")
        }
        self.timeout = timeout
        self.pricing = pricing ?? Self.defaultPricing(model: model)
        self.tokenLimitParameter =
            tokenLimitParameter
            ?? (URL(string: self.baseURL)?.host?.lowercased() == "api.openai.com" ? .maxCompletionTokens : .maxTokens)
        precondition((16...16_384).contains(maxCompletionTokens), "maxCompletionTokens out of range")
        precondition((64...2048).contains(maxImageSide), "maxImageSide out of range")
        self.maxCompletionTokens = maxCompletionTokens
        self.maxImageSide = maxImageSide
        disabledReason = (apiKey == nil && baseURL == nil) ? Self.disabledByDefaultReason : nil
    }

    /// Reads the variables in the type's table (empty values count as unset).
    public init(environment: [String: String]) throws(ConfigError) {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap {
                $0.isEmpty ? nil : $0
            }
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard let text = value(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw .invalid(
                    variable: name, value: text,
                    reason: "expected a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        func price(_ name: String) throws(ConfigError) -> Double? {
            guard let text = value(name) else { return nil }
            guard let number = Double(text), number.isFinite, number >= 0, number <= 10_000 else {
                throw .invalid(
                    variable: name, value: text, reason: "expected US dollars per million tokens, e.g. 0.15")
            }
            return number
        }
        let model = value("OPENAI_MODEL") ?? Self.defaultModel
        let concurrency = try integer("OPENAI_CONCURRENCY", default: 4, range: 1...64)
        var timeout = Duration.seconds(60)
        if let text = value("OPENAI_TIMEOUT_SECONDS") {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 3600 else {
                throw .invalid(
                    variable: "OPENAI_TIMEOUT_SECONDS", value: text,
                    reason: "expected seconds, more than 0, at most 3600")
            }
            timeout = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        var pricing: OpenAIPricing?
        let input = try price("OPENAI_PRICE_INPUT_PER_MTOK")
        let output = try price("OPENAI_PRICE_OUTPUT_PER_MTOK")
        if input != nil || output != nil {
            let fallback = Self.defaultPricing(model: model)
            guard let inputPrice = input ?? fallback?.inputPerMillionTokens else {
                throw .missing(
                    variable: "OPENAI_PRICE_INPUT_PER_MTOK",
                    reason:
                        "\(model) has no default price: set both OPENAI_PRICE_INPUT_PER_MTOK and OPENAI_PRICE_OUTPUT_PER_MTOK"
                )
            }
            guard let outputPrice = output ?? fallback?.outputPerMillionTokens else {
                throw .missing(
                    variable: "OPENAI_PRICE_OUTPUT_PER_MTOK",
                    reason:
                        "\(model) has no default price: set both OPENAI_PRICE_INPUT_PER_MTOK and OPENAI_PRICE_OUTPUT_PER_MTOK"
                )
            }
            pricing = OpenAIPricing(inputPerMillionTokens: inputPrice, outputPerMillionTokens: outputPrice)
        }
        var parameter: OpenAITokenLimitParameter?
        if let text = value("OPENAI_TOKEN_LIMIT_PARAM") {
            guard let known = OpenAITokenLimitParameter(rawValue: text) else {
                throw .invalid(
                    variable: "OPENAI_TOKEN_LIMIT_PARAM", value: text,
                    reason: "expected max_completion_tokens or max_tokens")
            }
            parameter = known
        }
        try self.init(
            apiKey: environment["OPENAI_API_KEY"].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
            baseURL: value("OPENAI_BASE_URL"), model: model, concurrency: concurrency, timeout: timeout,
            pricing: pricing, tokenLimitParameter: parameter)
    }

    /// US dollars for a call's tokens, or nil when the model's price is unknown.
    public func estimatedCost(promptTokens: Int, completionTokens: Int) -> Double? {
        pricing?.cost(promptTokens: promptTokens, completionTokens: completionTokens)
    }

    /// gpt-4o-mini (and its dated snapshots) has a known list price; other models none.
    public static func defaultPricing(model: String) -> OpenAIPricing? {
        model == "gpt-4o-mini" || model.hasPrefix("gpt-4o-mini-") ? gpt4oMiniPricing : nil
    }

    /// Never shows the key: only whether there is one.
    public var description: String {
        let state = disabledReason.map { "off (\($0))" } ?? "on"
        return
            "OpenAI tagging \(state): \(baseURL), model \(model), key \(hasAPIKey ? "set" : "none"), concurrency \(concurrency), timeout \(timeout)"
    }

    /// `http(s)://host[:port][/path]`, without credentials, query or fragment; the trailing
    /// slash removed.
    static func checkBaseURL(_ text: String) throws(ConfigError) -> String {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw .invalid(
                variable: "OPENAI_BASE_URL", value: Self.redactedURL(text),
                reason: "expected http(s)://host[:port]/path, e.g. https://api.openai.com/v1")
        }
        guard components.user == nil, components.password == nil, components.query == nil,
            components.fragment == nil
        else {
            throw .invalid(
                variable: "OPENAI_BASE_URL", value: Self.redactedURL(text),
                reason: "must not carry credentials, a query or a fragment (the key goes in OPENAI_API_KEY)")
        }
        return trimmed
    }

    /// Scheme, host and port only: a mistyped URL may hold a secret in its user info or query.
    private static func redactedURL(_ text: String) -> String {
        guard let components = URLComponents(string: text), let host = components.host else { return "(unparseable)" }
        return "\(components.scheme ?? "?")://\(host)\(components.port.map { ":\($0)" } ?? "")/…"
    }
}

/// Price per million tokens, in US dollars.
public struct OpenAIPricing: Sendable, Equatable, Codable {
    public var inputPerMillionTokens: Double
    public var outputPerMillionTokens: Double

    public init(inputPerMillionTokens: Double, outputPerMillionTokens: Double) {
        self.inputPerMillionTokens = inputPerMillionTokens
        self.outputPerMillionTokens = outputPerMillionTokens
    }

    public func cost(promptTokens: Int, completionTokens: Int) -> Double {
        (Double(max(0, promptTokens)) * inputPerMillionTokens + Double(max(0, completionTokens))
            * outputPerMillionTokens) / 1_000_000
    }
}

/// The request field for the completion token limit: OpenAI's current name, or the deprecated
/// one that local servers understand (spec 1.2 and 6).
public enum OpenAITokenLimitParameter: String, Sendable, Equatable, CaseIterable {
    case maxCompletionTokens = "max_completion_tokens"
    case maxTokens = "max_tokens"
}

/// An API key that does not print: `description`, `debugDescription` and mirrors hide it.
struct OpenAIAPIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String
    var description: String { "(hidden)" }
    var debugDescription: String { "(hidden)" }
    var customMirror: Mirror { Mirror(self, children: []) }
}
