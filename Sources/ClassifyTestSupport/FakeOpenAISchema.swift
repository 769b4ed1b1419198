import Foundation

/// Strict JSON schemas (spec 1.3): the checks OpenAI makes before answering, and a value that
/// conforms to a schema, filled with the fake's tags and caption.
enum FakeOpenAISchema {
    static let supportedTypes: Set<String> = ["string", "number", "integer", "boolean", "object", "array", "null"]
    static let maxDepth = 10
    static let maxProperties = 5_000

    /// The strict-mode rules: root `type: object` (not `anyOf`), every object with
    /// `additionalProperties: false` and every property in `required`, supported types only,
    /// arrays with `items`, `$ref`s that resolve, modest depth and size.
    static func validateStrict(_ schema: [String: FakeJSON], name: String) throws(FakeOpenAIError) {
        func fail(_ message: String) -> FakeOpenAIError {
            .invalid("Invalid schema for response_format '\(name)': \(message)", param: "response_format")
        }
        guard schema["anyOf"] == nil, schema["type"] == .string("object") else {
            let got = schema["type"].map { $0.text } ?? (schema["anyOf"] != nil ? "anyOf" : "none")
            throw fail("schema must be a JSON Schema of 'type: \"object\"', got 'type: \(got)'.")
        }
        let definitions = schema["$defs"]?.object ?? [:]
        var properties = 0
        func check(_ node: FakeJSON, context: [String], depth: Int) throws(FakeOpenAIError) {
            let where_ = "In context=(\(context.map { "'\($0)'" }.joined(separator: ", ")))"
            guard depth <= maxDepth else { throw fail("\(where_), the schema is nested more than \(maxDepth) levels.") }
            guard let node = node.object else { throw fail("\(where_), a schema must be an object.") }
            if let reference = node["$ref"] {
                guard let text = reference.string else { throw fail("\(where_), '$ref' must be a string.") }
                guard text == "#" || (text.hasPrefix("#/$defs/") && definitions[String(text.dropFirst(8))] != nil)
                else { throw fail("\(where_), reference to component '\(text)' which was not found in the schema.") }
                return
            }
            if let options = node["anyOf"] {
                guard let options = options.array, !options.isEmpty else {
                    throw fail("\(where_), 'anyOf' must be a non-empty array.")
                }
                for (index, option) in options.enumerated() {
                    try check(option, context: context + ["anyOf", String(index)], depth: depth + 1)
                }
                return
            }
            var types: [String] = []
            switch node["type"] {
            case .string(let type)?: types = [type]
            case .array(let list)?: types = list.compactMap(\.string)
            case nil:
                if node["enum"] != nil { return }
                throw fail("\(where_), schema must have a 'type' key.")
            default: throw fail("\(where_), 'type' must be a string or an array of strings.")
            }
            for type in types where !supportedTypes.contains(type) {
                throw fail("\(where_), '\(type)' is not a valid type.")
            }
            if let values = node["enum"], values.array == nil { throw fail("\(where_), 'enum' must be an array.") }
            if types.contains("object") {
                let keys = (node["properties"]?.object ?? [:]).keys.sorted()
                properties += keys.count
                guard properties <= maxProperties else {
                    throw fail("the schema has more than \(maxProperties) properties.")
                }
                guard node["additionalProperties"] == .bool(false) else {
                    throw fail("\(where_), 'additionalProperties' is required to be supplied and to be false.")
                }
                let required = node["required"]?.array?.compactMap(\.string) ?? []
                if let missing = keys.first(where: { !required.contains($0) }) {
                    throw fail(
                        "\(where_), 'required' is required to be supplied and to be an array including every key in properties. Missing '\(missing)'."
                    )
                }
                if let extra = required.first(where: { !keys.contains($0) }) {
                    throw fail("\(where_), 'required' names '\(extra)', which is not in properties.")
                }
                for key in keys {
                    try check(
                        node["properties"]!.object![key]!, context: context + ["properties", key], depth: depth + 1)
                }
            }
            if types.contains("array") {
                guard let items = node["items"] else { throw fail("\(where_), array schema missing items.") }
                try check(items, context: context + ["items"], depth: depth + 1)
            }
        }
        for (key, definition) in definitions.sorted(by: { $0.key < $1.key }) {
            try check(definition, context: ["$defs", key], depth: 1)
        }
        try check(.object(schema), context: [], depth: 0)
    }

    /// A value conforming to `schema`: `tags` arrays of strings get the tags, `caption` (or
    /// any other string) the caption, booleans false, numbers 0, enums their first value,
    /// `anyOf` its first option, `["x", "null"]` an `x`.
    static func value(
        for schema: FakeJSON, root: [String: FakeJSON], tags: [String], caption: String, key: String? = nil,
        depth: Int = 0
    ) -> FakeJSON {
        guard depth <= maxDepth + 2, let node = schema.object else { return .null }
        if let reference = node["$ref"]?.string {
            let target: FakeJSON? =
                reference == "#" ? .object(root) : root["$defs"]?.object?[String(reference.dropFirst(8))]
            guard let target else { return .null }
            return value(for: target, root: root, tags: tags, caption: caption, key: key, depth: depth + 1)
        }
        if let first = node["anyOf"]?.array?.first {
            return value(for: first, root: root, tags: tags, caption: caption, key: key, depth: depth + 1)
        }
        if let first = node["enum"]?.array?.first { return first }
        let types: [String]
        switch node["type"] {
        case .string(let type)?: types = [type]
        case .array(let list)?: types = list.compactMap(\.string)
        default: types = node["properties"] != nil ? ["object"] : ["string"]
        }
        let type = types.first { $0 != "null" } ?? "null"
        switch type {
        case "object":
            var object: [String: FakeJSON] = [:]
            for (name, property) in node["properties"]?.object ?? [:] {
                object[name] = value(
                    for: property, root: root, tags: tags, caption: caption, key: name, depth: depth + 1)
            }
            return .object(object)
        case "array":
            let items = node["items"] ?? .object(["type": .string("string")])
            if items.object?["type"] == .string("string") {
                return .array((key == "tags" || key == nil ? tags : Array(tags.prefix(3))).map(FakeJSON.string))
            }
            return .array([value(for: items, root: root, tags: tags, caption: caption, depth: depth + 1)])
        case "string": return .string(key == "caption" || key == nil ? caption : tags.first ?? caption)
        case "integer": return .int(0)
        case "number": return .double(0)
        case "boolean": return .bool(false)
        default: return .null
        }
    }
}
