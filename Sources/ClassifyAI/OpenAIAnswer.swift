import ClassifyCore
import Foundation

/// Reads a `200` chat completion (spec section 2) into `PhotoTags`: the refusal, the finish
/// reason, the structured-output JSON in `choices[0].message.content`, and `usage`.
enum OpenAIAnswer {
    static let minimumTags = 3
    static let maximumTags = 10
    static let maximumTagLength = 48
    static let maximumCaptionLength = 300

    private struct Completion: Decodable {
        var model: String?
        var choices: [Choice]?
        var usage: Usage?
    }

    private struct Choice: Decodable {
        var message: Message?
        var finish_reason: String?
    }

    private struct Message: Decodable {
        var content: String?
        var refusal: String?
    }

    private struct Usage: Decodable {
        var prompt_tokens: Int?
        var completion_tokens: Int?
    }

    /// - Parameter requestedModel: used when the answer does not name its model.
    static func parse(_ body: [UInt8], requestedModel: String, secret: String?) throws(TaggingFailure) -> PhotoTags {
        let completion: Completion
        do {
            completion = try JSONDecoder().decode(Completion.self, from: Data(body))
        } catch {
            throw .malformedAnswer("the answer is not a chat completion")
        }
        guard let choice = completion.choices?.first, let message = choice.message else {
            throw .malformedAnswer("the answer has no choices")
        }
        if let refusal = message.refusal, !refusal.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .refused(OpenAIText.oneLine(refusal, limit: 300, secret: secret))
        }
        switch choice.finish_reason {
        case "content_filter":
            throw .refused("the answer was withheld by the content filter (finish_reason content_filter)")
        case "length":
            throw .malformedAnswer("the answer was cut off at the token limit (finish_reason length)")
        default:
            break
        }
        guard let content = message.content, !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .malformedAnswer("the answer has no content")
        }
        let (tags, caption) = try tagsAndCaption(content)
        return PhotoTags(
            tags: tags, caption: caption, model: completion.model.flatMap { $0.isEmpty ? nil : $0 } ?? requestedModel,
            promptTokens: max(0, completion.usage?.prompt_tokens ?? 0),
            completionTokens: max(0, completion.usage?.completion_tokens ?? 0))
    }

    /// The `usage` of a chat completion, also of one whose content is unusable (a refusal, a
    /// cut-off answer): nil when the body is not a completion or names no tokens.
    static func usage(_ body: [UInt8]) -> (prompt: Int, completion: Int)? {
        guard let completion = try? JSONDecoder().decode(Completion.self, from: Data(body)),
            let usage = completion.usage, usage.prompt_tokens != nil || usage.completion_tokens != nil
        else { return nil }
        return (max(0, usage.prompt_tokens ?? 0), max(0, usage.completion_tokens ?? 0))
    }

    /// The JSON object in `content` (`nsfw`, asked for by the spec's schema, is not used):
    /// `tags` cleaned (lowercased, trimmed, spaces collapsed,
    /// duplicates and tags without a letter dropped, at most 10 kept), `caption` made one line.
    /// Fewer than 3 tags or no caption is malformed. Tolerates a Markdown code fence or text
    /// around the object (local servers).
    static func tagsAndCaption(_ content: String) throws(TaggingFailure) -> (tags: [String], caption: String) {
        guard let object = jsonObject(in: content) else {
            throw .malformedAnswer("the content is not a JSON object")
        }
        guard let rawTags = object["tags"] as? [Any] else {
            throw .malformedAnswer("the content has no tags array")
        }
        guard let caption = object["caption"] as? String else {
            throw .malformedAnswer("the content has no caption")
        }
        var seen: Set<String> = []
        var tags: [String] = []
        for raw in rawTags {
            guard let text = raw as? String else { throw .malformedAnswer("a tag is not a string") }
            let tag = clean(text)
            guard !tag.isEmpty, tag.count <= maximumTagLength, tag.contains(where: \.isLetter),
                seen.insert(tag).inserted
            else { continue }
            tags.append(tag)
        }
        guard tags.count >= minimumTags else {
            throw .malformedAnswer("\(tags.count) usable tags; at least \(minimumTags) are needed")
        }
        let line = OpenAIText.oneLine(caption, limit: maximumCaptionLength, secret: nil)
        guard line.contains(where: \.isLetter) else { throw .malformedAnswer("the caption is empty") }
        return (Array(tags.prefix(maximumTags)), line)
    }

    /// Lowercase, trimmed, inner whitespace collapsed to single spaces, surrounding `#` and
    /// punctuation removed.
    static func clean(_ tag: String) -> String {
        let words = tag.lowercased().split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let joined = words.joined(separator: " ")
        return joined.trimmingCharacters(in: CharacterSet.punctuationCharacters.union(.whitespaces).union(.symbols))
    }

    private static func jsonObject(in content: String) -> [String: Any]? {
        func parse(_ text: Substring) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
        if let object = parse(Substring(content)) { return object }
        guard let start = content.firstIndex(of: "{"), let end = content.lastIndex(of: "}"), start < end else {
            return nil
        }
        return parse(content[start...end])
    }
}

/// Text from the server, fit for an error or a log line.
enum OpenAIText {
    /// One line (control characters and newlines become spaces), at most `limit` characters,
    /// and `secret` (the API key) replaced wherever it occurs.
    static func oneLine(_ text: String, limit: Int, secret: String?) -> String {
        var line = String(
            text.map { $0.isNewline || $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } ? " " : $0 })
        if let secret, !secret.isEmpty { line = line.replacingOccurrences(of: secret, with: "(key)") }
        line = line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }
}
