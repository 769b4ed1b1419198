import Foundation

/// The body of `POST {base}/chat/completions` (spec section 1): a system prompt, the user's
/// text and image parts (the photo as a `data:image/jpeg;base64,…` URL, `detail: low`), and a
/// strict JSON-schema `response_format`.
struct OpenAIChatRequest: Encodable {
    var model: String
    var messages: [Message]
    var responseFormat: ResponseFormat
    var tokenLimitParameter: OpenAITokenLimitParameter
    var tokenLimit: Int
    var temperature: Double

    static let systemPrompt =
        "You tag photos for a personal photo library. Reply only with the JSON object. "
        + "tags: 3 to 10 short English tags in lowercase (what is shown, the scene, the setting, notable "
        + "qualities; nouns or short noun phrases; no duplicates). caption: one English sentence on one line. "
        + "nsfw: whether the photo is not safe for work."
    static let userPrompt = "Tag this photo."
    static let schemaName = "photo_tags"

    /// The strict schema: every property required, `additionalProperties: false` (spec 1.3).
    /// Counts (3–10) are asked for in the prompt and checked on the answer: `minItems` is not
    /// enforced everywhere.
    static let schema: JSONValue = .object([
        ("type", "object"),
        (
            "properties",
            .object([
                ("tags", .object([("type", "array"), ("items", .object([("type", "string")]))])),
                ("caption", .object([("type", "string")])),
                ("nsfw", .object([("type", "boolean")])),
            ])
        ),
        ("required", .array(["tags", "caption", "nsfw"])),
        ("additionalProperties", false),
    ])

    init(jpeg: [UInt8], configuration: OpenAIConfiguration) {
        model = configuration.model
        messages = [
            Message(role: "system", content: .text(Self.systemPrompt)),
            Message(
                role: "user",
                content: .parts([
                    .text(Self.userPrompt),
                    .image(url: "data:image/jpeg;base64," + Data(jpeg).base64EncodedString(), detail: "low"),
                ])),
        ]
        responseFormat = ResponseFormat(name: Self.schemaName, schema: Self.schema)
        tokenLimitParameter = configuration.tokenLimitParameter
        tokenLimit = configuration.maxCompletionTokens
        temperature = 0.2
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Only strings, numbers and booleans inside: encoding cannot fail.
        return (try? Array(encoder.encode(self))) ?? []
    }

    private enum CodingKeys: String, CodingKey {
        case model, messages, temperature
        case responseFormat = "response_format"
        case maxCompletionTokens = "max_completion_tokens"
        case maxTokens = "max_tokens"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(messages, forKey: .messages)
        try container.encode(responseFormat, forKey: .responseFormat)
        try container.encode(
            tokenLimit, forKey: tokenLimitParameter == .maxTokens ? .maxTokens : .maxCompletionTokens)
        try container.encode(temperature, forKey: .temperature)
    }

    struct Message: Encodable {
        var role: String
        var content: Content

        enum Content: Encodable {
            case text(String)
            case parts([Part])

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .parts(let parts): try container.encode(parts)
                }
            }
        }
    }

    enum Part: Encodable {
        case text(String)
        case image(url: String, detail: String)

        private enum CodingKeys: String, CodingKey {
            case type, text
            case imageURL = "image_url"
        }

        private struct ImageURL: Encodable {
            var url: String
            var detail: String
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .image(let url, let detail):
                try container.encode("image_url", forKey: .type)
                try container.encode(ImageURL(url: url, detail: detail), forKey: .imageURL)
            }
        }
    }

    struct ResponseFormat: Encodable {
        var name: String
        var schema: JSONValue

        private enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }

        private struct Schema: Encodable {
            var name: String
            var strict: Bool
            var schema: JSONValue
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("json_schema", forKey: .type)
            try container.encode(Schema(name: name, strict: true, schema: schema), forKey: .jsonSchema)
        }
    }
}

/// A JSON value with ordered object keys, for the schema.
enum JSONValue: Encodable, Sendable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])

    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .object(let pairs):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in pairs { try container.encode(value, forKey: Key(stringValue: key)) }
        }
    }
}
