import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/chat/completions`, `GET /v1/models` and `GET /v1/models/{id}` (spec sections 1–5).
struct FakeOpenAIController {
    let fake: FakeOpenAI

    func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/chat/completions") { request, _ in await chatCompletions(request) }
        router.get("/v1/models") { request, _ in
            await logged(request) { _ async -> Response in
                let models = await fake.configurationSnapshot.models
                return Self.ok([
                    "object": "list",
                    "data": models.map { Self.modelObject($0) },
                ])
            }
        }
        router.get("/v1/models/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await logged(request) { _ async -> Response in
                guard let model = await fake.configurationSnapshot.models.first(where: { $0.id == id }) else {
                    return FakeOpenAIError.modelNotFound(id).response()
                }
                return Self.ok(Self.modelObject(model))
            }
        }
    }

    static func modelObject(_ model: FakeOpenAIModel) -> [String: Any] {
        ["id": model.id, "object": "model", "created": model.created, "owned_by": "system"]
    }

    static func ok(_ body: [String: Any], headers: [(String, String)] = []) -> Response {
        var response = FakeHTTP.json(body)
        for (name, value) in FakeOpenAIHeaders.common() + headers {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }

    // MARK: Log and key

    /// The log line of a request, before the fake looked at its body.
    func startEntry(_ request: Request) async -> (entry: FakeOpenAILogEntry, bearer: String?) {
        let bearer = FakeHTTP.bearer(request)
        let query = request.uri.query ?? ""
        let entry = FakeOpenAILogEntry(
            method: request.method.rawValue, path: request.uri.path,
            queryNames: FakeHTTP.formPairs(query).map(\.0),
            keyInURL: await fake.containsKey(request.uri.path + "?" + query, sent: bearer),
            hadBearer: bearer != nil, keyAccepted: await fake.accepts(bearer))
        return (entry, bearer)
    }

    /// Checks the key, answers with `body`, logs the request.
    private func logged(
        _ request: Request, _ body: (inout FakeOpenAILogEntry) async -> Response
    ) async -> Response {
        let clock = ContinuousClock(), start = clock.now
        var (entry, bearer) = await startEntry(request)
        let response: Response
        if let refusal = Self.keyRefusal(entry: entry, bearer: bearer) {
            entry.errorCode = refusal.logCode
            response = refusal.response()
        } else {
            response = await body(&entry)
        }
        entry.status = Int(response.status.code)
        entry.durationMs = Int((clock.now - start) / .milliseconds(1))
        await fake.record(entry)
        return response
    }

    static func keyRefusal(entry: FakeOpenAILogEntry, bearer: String?) -> FakeOpenAIError? {
        guard !entry.keyAccepted else { return nil }
        guard let bearer, !bearer.isEmpty else { return .missingKey }
        return .incorrectKey(length: bearer.count)
    }

    // MARK: Chat completions

    func chatCompletions(_ request: Request) async -> Response {
        await fake.begin()
        let response = await logged(request) { entry async -> Response in
            await answer(request, entry: &entry)
        }
        await fake.end()
        return response
    }

    private func answer(_ request: Request, entry: inout FakeOpenAILogEntry) async -> Response {
        let clock = ContinuousClock(), start = clock.now
        let configuration = await fake.configurationSnapshot
        let fault = await fake.takeFault()
        entry.fault = fault?.kind.rawValue
        let (rate, overLimitWait) = await fake.admitRequest()
        let delay = configuration.latencyMs + (fault?.delayMs ?? 0)
        if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }

        func failure(_ error: FakeOpenAIError, _ headers: [(String, String)] = []) -> Response {
            entry.errorCode = error.logCode
            return error.response(extraHeaders: headers)
        }
        if let wait = overLimitWait {
            return failure(
                .rateLimited(model: "gpt-4o-mini", limit: rate.limitRequests, wait: wait),
                [("retry-after", String(wait))] + rate.pairs)
        }
        if let fault {
            var headers: [(String, String)] = []
            if let seconds = fault.retryAfter { headers.append(("retry-after", String(seconds))) }
            if let ms = fault.retryAfterMs { headers.append(("retry-after-ms", String(ms))) }
            switch fault.kind {
            case .rateLimit:
                var limited = rate
                limited.remainingRequests = 0
                limited.resetRequests =
                    fault.resetRequests
                    ?? FakeOpenAIRateHeaders.goDuration(
                        Double(fault.retryAfter ?? 0) + Double(fault.retryAfterMs ?? 0) / 1000)
                return failure(
                    .rateLimited(model: "gpt-4o-mini", limit: rate.limitRequests, wait: fault.retryAfter ?? 1),
                    headers + limited.pairs)
            case .insufficientQuota:
                return failure(.insufficientQuota, rate.pairs)
            case .serverError:
                let status = fault.status.flatMap { (500...599).contains($0) ? $0 : nil } ?? 500
                return failure(.serverError(status), headers)
            case .overloaded:
                return failure(.overloaded, headers)
            default:
                break
            }
        }

        let body: [UInt8]
        do {
            body = try await FakeHTTP.body(request, limit: configuration.maxRequestBytes)
        } catch {
            return failure(
                FakeOpenAIError(
                    status: 413,
                    message: "Request too large: the body is over \(configuration.maxRequestBytes / 1_048_576) MB.",
                    type: "invalid_request_error", param: nil, code: "request_too_large"))
        }
        let parsed: FakeOpenAIChatRequest
        do {
            parsed = try FakeOpenAIChatRequest.parse(body, configuration: configuration, entry: &entry)
        } catch {
            return failure(error)
        }
        let completion = FakeOpenAICompletion(request: parsed, fault: fault?.kind)
        entry.promptTokens = completion.promptTokens
        entry.completionTokens = completion.completionTokens
        entry.finishReason = completion.finishReason
        let processing = Int((clock.now - start) / .milliseconds(1))
        return Self.ok(completion.body, headers: [("openai-processing-ms", String(processing))] + rate.pairs)
    }
}

/// The answer to a valid request: content that conforms to the requested format (or the
/// fault's refusal / malformed / cut-off content), and `usage` counted like OpenAI (spec 4):
/// text ≈ characters / 4, 3 tokens per message plus 3, each image by its `detail`.
struct FakeOpenAICompletion {
    var content: String?
    var refusal: String?
    var finishReason: String
    var promptTokens: Int
    var completionTokens: Int
    var model: String
    var n: Int

    static let refusalText = "I'm sorry, but I can't help with that request."

    init(request: FakeOpenAIChatRequest, fault: FakeOpenAIFault.Kind?) {
        model = request.model.snapshot
        n = request.n
        let features = request.images.first?.features
        var tags = features?.tags ?? ["text", "no image", "request"]
        let caption = features?.caption ?? "A request without an image."
        if fault == .fewTags { tags = Array(tags.prefix(2)) }
        let json: String
        switch request.responseFormat {
        case .text:
            json = "\(caption) Tags: \(tags.joined(separator: ", "))."
        case .jsonObject, .jsonSchema(_, _, nil):
            json = FakeJSON.object(["tags": .array(tags.map(FakeJSON.string)), "caption": .string(caption)]).text
        case .jsonSchema(_, _, let schema?):
            json = FakeOpenAISchema.value(for: .object(schema), root: schema, tags: tags, caption: caption).text
        }
        content = json
        refusal = nil
        finishReason = "stop"
        switch fault {
        case .refusal:
            content = nil
            refusal = Self.refusalText
        case .malformed:
            content = "Sure! \(caption) I would tag it as \(tags.joined(separator: ", "))."
        case .length:
            content = String(json.prefix(max(1, json.count / 2)))
            finishReason = "length"
        case .contentFilter:
            content = nil
            finishReason = "content_filter"
        default:
            break
        }
        let text = content ?? refusal ?? ""
        completionTokens = max(1, (text.count + 3) / 4)
        if let limit = request.tokenLimit, completionTokens > limit, finishReason == "stop" {
            content = content.map { String($0.prefix(limit * 4)) }
            completionTokens = limit
            finishReason = "length"
        }
        promptTokens =
            (request.textCharacters + 3) / 4 + 3 * request.messageCount + 3
            + request.images.reduce(0) { $0 + $1.record.tokens }
    }

    var body: [String: Any] {
        let message: [String: Any] = [
            "role": "assistant", "content": content.map { $0 as Any } ?? NSNull(),
            "refusal": refusal.map { $0 as Any } ?? NSNull(), "annotations": [Any](),
        ]
        return [
            "id": "chatcmpl-"
                + FakeRandom.token(21).replacingOccurrences(of: "-", with: "x").replacingOccurrences(
                    of: "_", with: "y"),
            "object": "chat.completion",
            "created": Int(Date().timeIntervalSince1970),
            "model": model,
            "choices": (0..<n).map { index -> [String: Any] in
                ["index": index, "message": message, "logprobs": NSNull(), "finish_reason": finishReason]
            },
            "usage": [
                "prompt_tokens": promptTokens, "completion_tokens": completionTokens,
                "total_tokens": promptTokens + completionTokens,
                "prompt_tokens_details": ["cached_tokens": 0, "audio_tokens": 0],
                "completion_tokens_details": [
                    "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                ],
            ] as [String: Any],
            "service_tier": "default",
            "system_fingerprint": "fp_fakeclassify",
        ]
    }
}
