import Foundation

/// A `POST /v1/chat/completions` body the fake validated (spec 1 and 5.2), with its images
/// decoded. Errors are OpenAI's 400 `invalid_request_error` (404 `model_not_found` for an
/// unknown model), with the offending `param`.
struct FakeOpenAIChatRequest: Sendable {
    enum ResponseFormat: Sendable {
        case text
        case jsonObject
        case jsonSchema(name: String, strict: Bool, schema: [String: FakeJSON]?)
    }

    var model: FakeOpenAIModel
    var images: [FakeOpenAIImage]
    /// Characters of text (system prompt, user text, …), for the token estimate.
    var textCharacters: Int
    var messageCount: Int
    var responseFormat: ResponseFormat
    var tokenLimit: Int?
    var n: Int

    static let knownParameters: Set<String> = [
        "model", "messages", "response_format", "max_completion_tokens", "max_tokens", "temperature", "top_p", "n",
        "stream", "stream_options", "stop", "seed", "store", "user", "safety_identifier", "prompt_cache_key",
        "prompt_cache_retention", "metadata", "service_tier", "logprobs", "top_logprobs", "presence_penalty",
        "frequency_penalty", "logit_bias", "tools", "tool_choice", "parallel_tool_calls", "modalities", "audio",
        "prediction", "reasoning_effort", "verbosity", "web_search_options", "functions", "function_call",
    ]
    static let roles = ["system", "developer", "user", "assistant", "tool", "function"]
    static let messageKeys: [String: Set<String>] = [
        "system": ["role", "content", "name"], "developer": ["role", "content", "name"],
        "user": ["role", "content", "name"],
        "assistant": ["role", "content", "name", "refusal", "tool_calls", "function_call", "audio"],
        "tool": ["role", "content", "tool_call_id"], "function": ["role", "content", "name"],
    ]

    /// Validates `body`; fills `entry` with what the log shows as it goes (model, token limit,
    /// response format, images), so a refused request is logged with what was understood.
    static func parse(
        _ body: [UInt8], configuration: FakeOpenAIConfiguration, entry: inout FakeOpenAILogEntry
    ) throws(FakeOpenAIError) -> FakeOpenAIChatRequest {
        guard let json = FakeJSON.parse(body), let object = json.object else {
            throw .invalid(
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"
            )
        }
        if let unknown = object.keys.sorted().first(where: { !knownParameters.contains($0) }) {
            throw .invalid("Unrecognized request argument supplied: \(unknown)")
        }
        guard let modelValue = object["model"] else { throw .invalid("you must provide a model parameter") }
        guard let modelName = modelValue.string else { throw typeError("model", modelValue, expected: "a string") }
        entry.model = modelName

        // Token limit, sampling, n, stream.
        var tokenLimit: Int?
        for name in ["max_completion_tokens", "max_tokens"] {
            guard let value = object[name], !value.isNull else { continue }
            guard let limit = value.int else { throw typeError(name, value, expected: "an integer") }
            guard limit >= 1 else {
                throw .invalid(
                    "Invalid '\(name)': integer below minimum value. Expected a value >= 1, but got \(limit) instead.",
                    param: name, code: "integer_below_min_value")
            }
            entry.tokenLimitParameter = name
            entry.tokenLimit = limit
            tokenLimit = limit
        }
        try number(object, "temperature", in: 0...2)
        try number(object, "top_p", in: 0...1)
        try number(object, "presence_penalty", in: -2...2)
        try number(object, "frequency_penalty", in: -2...2)
        var n = 1
        if let value = object["n"], !value.isNull {
            guard let count = value.int else { throw typeError("n", value, expected: "an integer") }
            guard (1...128).contains(count) else {
                throw .invalid(
                    "Invalid 'n': integer \(count < 1 ? "below minimum" : "above maximum") value. Expected a value \(count < 1 ? ">= 1" : "<= 128"), but got \(count) instead.",
                    param: "n", code: count < 1 ? "integer_below_min_value" : "integer_above_max_value")
            }
            n = count
        }
        if let value = object["stream"], !value.isNull {
            guard let stream = value.bool else { throw typeError("stream", value, expected: "a boolean") }
            if stream {
                throw .invalid(
                    "The fake does not stream: send stream false (Classify never streams).", param: "stream",
                    code: "unsupported_value")
            }
        }
        for name in ["store", "logprobs", "parallel_tool_calls"] {
            if let value = object[name], !value.isNull, value.bool == nil {
                throw typeError(name, value, expected: "a boolean")
            }
        }
        for name in ["user", "safety_identifier", "prompt_cache_key", "service_tier"] {
            if let value = object[name], !value.isNull, value.string == nil {
                throw typeError(name, value, expected: "a string")
            }
        }
        if let value = object["seed"], !value.isNull, value.int == nil {
            throw typeError("seed", value, expected: "an integer")
        }

        // Response format.
        let responseFormat = try parseResponseFormat(object["response_format"], entry: &entry)

        // Messages.
        guard let messagesValue = object["messages"] else {
            throw .invalid(
                "Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard let messages = messagesValue.array else {
            throw typeError("messages", messagesValue, expected: "an array")
        }
        guard !messages.isEmpty else {
            throw .invalid(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param: "messages", code: "empty_array")
        }
        var texts: [String] = []
        var imageParts: [(url: String, detail: String?, param: String)] = []
        for (index, message) in messages.enumerated() {
            let path = "messages[\(index)]"
            guard let message = message.object else { throw typeError(path, message, expected: "an object") }
            guard let roleValue = message["role"] else {
                throw .invalid(
                    "Missing required parameter: '\(path).role'.", param: "\(path).role",
                    code: "missing_required_parameter")
            }
            guard let role = roleValue.string, roles.contains(role) else {
                throw .invalid(
                    "Invalid value: '\(roleValue.string ?? roleValue.text)'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
                    param: "\(path).role", code: "invalid_value")
            }
            if let extra = message.keys.sorted().first(where: { !(messageKeys[role] ?? []).contains($0) }) {
                throw .invalid("Additional properties are not allowed ('\(extra)' was unexpected) - '\(path)'")
            }
            if role == "tool", message["tool_call_id"]?.string == nil {
                throw .invalid(
                    "Missing required parameter: '\(path).tool_call_id'.", param: "\(path).tool_call_id",
                    code: "missing_required_parameter")
            }
            guard let content = message["content"], !content.isNull else {
                if role == "assistant" { continue }
                throw .invalid(
                    "Missing required parameter: '\(path).content'.", param: "\(path).content",
                    code: "missing_required_parameter")
            }
            switch content {
            case .string(let text):
                texts.append(text)
            case .array(let parts):
                guard !parts.isEmpty else {
                    throw .invalid(
                        "Invalid '\(path).content': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                        param: "\(path).content", code: "empty_array")
                }
                for (partIndex, part) in parts.enumerated() {
                    let partPath = "\(path).content[\(partIndex)]"
                    let parsed = try parsePart(part, path: partPath, role: role)
                    if let text = parsed.text { texts.append(text) }
                    if let image = parsed.image {
                        imageParts.append((image.url, image.detail, "\(partPath).image_url"))
                    }
                }
            default:
                throw typeError("\(path).content", content, expected: "one of a string or array of objects")
            }
        }
        if case .jsonObject = responseFormat, !texts.contains(where: { $0.lowercased().contains("json") }) {
            throw .invalid(
                "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                param: "messages")
        }
        guard imageParts.count <= configuration.maxImages else {
            throw .invalid(
                "Too many images in request. Max is \(configuration.maxImages).", param: "messages",
                code: "too_many_images")
        }

        // The model must exist before images are looked at.
        guard let model = configuration.model(modelName) else { throw .modelNotFound(modelName) }

        var images: [FakeOpenAIImage] = []
        var totalBytes = 0
        for part in imageParts {
            let image = try FakeOpenAIImage.load(
                url: part.url, detail: part.detail, param: part.param + ".url", model: model,
                maxBytes: configuration.maxImageBytes)
            totalBytes += image.record.bytes
            guard totalBytes <= configuration.maxTotalImageBytes else {
                throw .invalid(
                    "Total image size in request exceeds the \(configuration.maxTotalImageBytes / 1_048_576) MB limit.",
                    param: "messages", code: "image_too_large")
            }
            images.append(image)
            entry.images.append(image.record)
        }
        return FakeOpenAIChatRequest(
            model: model, images: images, textCharacters: texts.reduce(0) { $0 + $1.count },
            messageCount: messages.count, responseFormat: responseFormat, tokenLimit: tokenLimit, n: n)
    }

    /// One content part: text, or an image (user messages only), or a refusal (assistant).
    private static func parsePart(_ part: FakeJSON, path: String, role: String) throws(FakeOpenAIError) -> (
        text: String?, image: (url: String, detail: String?)?
    ) {
        guard let part = part.object else { throw typeError(path, part, expected: "an object") }
        guard let type = part["type"]?.string else {
            throw .invalid(
                "Missing required parameter: '\(path).type'.", param: "\(path).type", code: "missing_required_parameter"
            )
        }
        switch type {
        case "text":
            if let extra = part.keys.sorted().first(where: { $0 != "type" && $0 != "text" }) {
                throw .invalid("Additional properties are not allowed ('\(extra)' was unexpected) - '\(path)'")
            }
            guard let textValue = part["text"] else {
                throw .invalid(
                    "Missing required parameter: '\(path).text'.", param: "\(path).text",
                    code: "missing_required_parameter")
            }
            guard let text = textValue.string else { throw typeError("\(path).text", textValue, expected: "a string") }
            return (text, nil)
        case "image_url":
            guard role == "user" else {
                throw .invalid(
                    "Invalid '\(path)'. Image URLs are only allowed for messages with role 'user', but this message with role '\(role)' contains an image URL.",
                    param: path, code: "invalid_value")
            }
            if let extra = part.keys.sorted().first(where: { $0 != "type" && $0 != "image_url" }) {
                throw .invalid("Additional properties are not allowed ('\(extra)' was unexpected) - '\(path)'")
            }
            guard let imageValue = part["image_url"] else {
                throw .invalid(
                    "Missing required parameter: '\(path).image_url'.", param: "\(path).image_url",
                    code: "missing_required_parameter")
            }
            guard let image = imageValue.object else {
                throw typeError("\(path).image_url", imageValue, expected: "an object")
            }
            if let extra = image.keys.sorted().first(where: { $0 != "url" && $0 != "detail" }) {
                throw .invalid(
                    "Additional properties are not allowed ('\(extra)' was unexpected) - '\(path).image_url'")
            }
            guard let urlValue = image["url"] else {
                throw .invalid(
                    "Missing required parameter: '\(path).image_url.url'.", param: "\(path).image_url.url",
                    code: "missing_required_parameter")
            }
            guard let url = urlValue.string else {
                throw typeError("\(path).image_url.url", urlValue, expected: "a string")
            }
            var detail: String?
            if let detailValue = image["detail"], !detailValue.isNull {
                guard let text = detailValue.string, ["auto", "low", "high"].contains(text) else {
                    throw .invalid(
                        "Invalid value: '\(detailValue.string ?? detailValue.text)'. Supported values are: 'low', 'high', and 'auto'.",
                        param: "\(path).image_url.detail", code: "invalid_value")
                }
                detail = text
            }
            return (nil, (url, detail))
        case "refusal" where role == "assistant":
            return (part["refusal"]?.string, nil)
        default:
            let supported =
                role == "user"
                ? "'text', 'image_url', 'input_audio', and 'file'"
                : role == "assistant" ? "'text' and 'refusal'" : "'text'"
            if role == "user", type == "input_audio" || type == "file" {
                throw .invalid(
                    "Invalid '\(path).type': the fake serves text and images only ('\(type)' is not supported by this model).",
                    param: "\(path).type", code: "invalid_value")
            }
            throw .invalid(
                "Invalid value: '\(type)'. Supported values are: \(supported).", param: "\(path).type",
                code: "invalid_value")
        }
    }

    private static func parseResponseFormat(
        _ value: FakeJSON?, entry: inout FakeOpenAILogEntry
    ) throws(FakeOpenAIError) -> ResponseFormat {
        guard let value, !value.isNull else {
            entry.responseFormat = "text"
            return .text
        }
        guard let format = value.object else { throw typeError("response_format", value, expected: "an object") }
        guard let type = format["type"]?.string else {
            throw .invalid(
                "Missing required parameter: 'response_format.type'.", param: "response_format.type",
                code: "missing_required_parameter")
        }
        entry.responseFormat = type
        switch type {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            guard let schemaValue = format["json_schema"] else {
                throw .invalid(
                    "Missing required parameter: 'response_format.json_schema'.", param: "response_format.json_schema",
                    code: "missing_required_parameter")
            }
            guard let jsonSchema = schemaValue.object else {
                throw typeError("response_format.json_schema", schemaValue, expected: "an object")
            }
            if let extra = jsonSchema.keys.sorted().first(where: {
                !["name", "description", "schema", "strict"].contains($0)
            }) {
                throw .invalid("Unrecognized request argument supplied: response_format.json_schema.\(extra)")
            }
            guard let name = jsonSchema["name"]?.string else {
                throw .invalid(
                    "Missing required parameter: 'response_format.json_schema.name'.",
                    param: "response_format.json_schema.name", code: "missing_required_parameter")
            }
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
            guard (1...64).contains(name.count), name.allSatisfy(allowed.contains) else {
                throw .invalid(
                    "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' (at most 64 characters).",
                    param: "response_format.json_schema.name", code: "invalid_value")
            }
            entry.schemaName = name
            var strict = false
            if let strictValue = jsonSchema["strict"], !strictValue.isNull {
                guard let flag = strictValue.bool else {
                    throw typeError("response_format.json_schema.strict", strictValue, expected: "a boolean")
                }
                strict = flag
            }
            entry.strict = strict
            var schema: [String: FakeJSON]?
            if let value = jsonSchema["schema"], !value.isNull {
                guard let object = value.object else {
                    throw typeError("response_format.json_schema.schema", value, expected: "an object")
                }
                schema = object
            }
            if strict {
                guard let schema else {
                    throw .invalid(
                        "Invalid schema for response_format '\(name)': a schema is required with strict: true.",
                        param: "response_format")
                }
                try FakeOpenAISchema.validateStrict(schema, name: name)
            }
            return .jsonSchema(name: name, strict: strict, schema: schema)
        default:
            throw .invalid(
                "Invalid value: '\(type)'. Supported values are: 'json_object', 'json_schema', and 'text'.",
                param: "response_format.type", code: "invalid_value")
        }
    }

    private static func number(
        _ object: [String: FakeJSON], _ name: String, in range: ClosedRange<Double>
    ) throws(FakeOpenAIError) {
        guard let value = object[name], !value.isNull else { return }
        guard let number = value.number else { throw typeError(name, value, expected: "a number") }
        if number < range.lowerBound {
            throw .invalid(
                "Invalid '\(name)': decimal below minimum value. Expected a value >= \(range.lowerBound), but got \(number) instead.",
                param: name, code: "decimal_below_min_value")
        }
        if number > range.upperBound {
            throw .invalid(
                "Invalid '\(name)': decimal above maximum value. Expected a value <= \(range.upperBound), but got \(number) instead.",
                param: name, code: "decimal_above_max_value")
        }
    }

    private static func typeError(_ param: String, _ value: FakeJSON, expected: String) -> FakeOpenAIError {
        .invalid(
            "Invalid type for '\(param)': expected \(expected), but got \(value.typeName) instead.", param: param,
            code: "invalid_type")
    }
}
