import ClassifyCore
import Foundation
import Testing

@testable import ClassifyAI

/// Reading answers and headers without a server: the content JSON, rate-limit headers, the
/// request body.
@Suite struct OpenAIAnswerTests {
    static func completion(
        content: String?, refusal: String? = nil, finish: String = "stop", usage: Bool = true
    ) -> [UInt8] {
        var message: [String: Any] = [
            "role": "assistant", "content": content ?? NSNull(), "refusal": refusal ?? NSNull(),
        ]
        message["annotations"] = [Any]()
        var body: [String: Any] = [
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini-2024-07-18",
            "choices": [["index": 0, "message": message, "logprobs": NSNull(), "finish_reason": finish]],
        ]
        if usage { body["usage"] = ["prompt_tokens": 2845, "completion_tokens": 21, "total_tokens": 2866] }
        return [UInt8](try! JSONSerialization.data(withJSONObject: body))
    }

    @Test func tagsAreLowercasedTrimmedDedupedAndCapped() throws {
        let content = """
            {"tags": ["  Beach ", "SUNSET", "beach", "sea\\n  shore", "#Travel", "", "42", "a", "b", "c", "d", "e", "f", "g"],
             "caption": "Sunset over\\na beach.\\n", "nsfw": false}
            """
        let tags = try OpenAIAnswer.parse(Self.completion(content: content), requestedModel: "gpt-4o-mini", secret: nil)
        #expect(tags.tags == ["beach", "sunset", "sea shore", "travel", "a", "b", "c", "d", "e", "f"])
        #expect(tags.caption == "Sunset over a beach.")
        #expect(tags.model == "gpt-4o-mini-2024-07-18")
        #expect(tags.promptTokens == 2845 && tags.completionTokens == 21)
    }

    @Test func contentInACodeFenceIsRead() throws {
        let content = "```json\n{\"tags\": [\"cat\", \"sofa\", \"indoor\"], \"caption\": \"A cat on a sofa.\"}\n```"
        let tags = try OpenAIAnswer.parse(
            Self.completion(content: content, usage: false), requestedModel: "llava", secret: nil)
        #expect(tags.tags == ["cat", "sofa", "indoor"])
        #expect(tags.promptTokens == 0 && tags.completionTokens == 0)  // local servers may omit usage
    }

    @Test(arguments: [
        ("{\"tags\": [\"cat\", \"cat\", \"CAT \"], \"caption\": \"x cat\"}", "usable tags"),
        ("{\"tags\": \"cat, dog, sofa\", \"caption\": \"A cat.\"}", "tags array"),
        ("{\"tags\": [\"cat\", \"dog\", \"sofa\"]}", "caption"),
        ("{\"tags\": [\"cat\", \"dog\", \"sofa\"], \"caption\": \"  \"}", "caption"),
        ("{\"tags\": [\"cat\", 3, \"sofa\"], \"caption\": \"A cat.\"}", "not a string"),
        ("The photo shows a cat.", "not a JSON object"),
        ("{\"tags\": [\"cat\", \"dog\"", "not a JSON object"),
    ])
    func badContentIsMalformed(content: String, expected: String) {
        #expect {
            _ = try OpenAIAnswer.parse(Self.completion(content: content), requestedModel: "m", secret: nil)
        } throws: { error in
            guard case .malformedAnswer(let reason) = error as? TaggingFailure else { return false }
            return reason.contains(expected)
        }
    }

    @Test func refusalsLengthAndFilterAreRecognised() {
        #expect(throws: TaggingFailure.refused("I can't help with that.")) {
            try OpenAIAnswer.parse(
                Self.completion(content: nil, refusal: "I can't\nhelp with that."), requestedModel: "m", secret: nil)
        }
        #expect(
            throws: TaggingFailure.malformedAnswer("the answer was cut off at the token limit (finish_reason length)")
        ) {
            try OpenAIAnswer.parse(
                Self.completion(content: "{\"tags\": [", finish: "length"), requestedModel: "m", secret: nil)
        }
        #expect {
            try OpenAIAnswer.parse(
                Self.completion(content: nil, finish: "content_filter"), requestedModel: "m", secret: nil)
        } throws: { ($0 as? TaggingFailure).map { if case .refused = $0 { true } else { false } } ?? false }
        #expect(throws: TaggingFailure.malformedAnswer("the answer has no content")) {
            try OpenAIAnswer.parse(Self.completion(content: nil), requestedModel: "m", secret: nil)
        }
        #expect(throws: TaggingFailure.malformedAnswer("the answer is not a chat completion")) {
            try OpenAIAnswer.parse(Array("<html>".utf8), requestedModel: "m", secret: nil)
        }
    }

    @Test func serverTextIsOneLineAndNeverHoldsTheKey() {
        let line = OpenAIText.oneLine("bad key sk-secret-1\nsee\tdocs", limit: 100, secret: "sk-secret-1")
        #expect(line == "bad key (key) see docs")
        #expect(OpenAIText.oneLine(String(repeating: "a", count: 50), limit: 10, secret: nil).count == 11)
    }

    // MARK: Headers

    @Test func goDurationsAreParsed() {
        #expect(OpenAIHTTP.goDuration("1s") == .seconds(1))
        #expect(OpenAIHTTP.goDuration("6m0s") == .seconds(360))
        #expect(OpenAIHTTP.goDuration("12ms") == .milliseconds(12))
        #expect(OpenAIHTTP.goDuration("17.5s") == .milliseconds(17_500))
        #expect(OpenAIHTTP.goDuration("1h2m3.5s") == .milliseconds(3_723_500))
        #expect(OpenAIHTTP.goDuration("250us") == .microseconds(250))
        #expect(OpenAIHTTP.goDuration("0") == .zero)
        #expect(OpenAIHTTP.goDuration("") == nil)
        #expect(OpenAIHTTP.goDuration("5") == nil)
        #expect(OpenAIHTTP.goDuration("soon") == nil)
    }

    @Test func theWaitComesFromTheBestHeaderThereIs() {
        func reply(_ headers: [(String, String)]) -> OpenAIHTTP.Reply { .init(status: 429, headers: headers, body: []) }
        #expect(
            OpenAIHTTP.requestedWait(reply([("retry-after-ms", "1200"), ("Retry-After", "2")])) == .milliseconds(1200))
        #expect(
            OpenAIHTTP.requestedWait(reply([("Retry-After", "2"), ("x-ratelimit-reset-requests", "9s")])) == .seconds(2)
        )
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(
            OpenAIHTTP.requestedWait(reply([("Retry-After", "Mon, 12 Jan 1970 13:46:50 GMT")]), now: now)
                == .seconds(10))
        // The exhausted limit's reset, not the other one.
        #expect(
            OpenAIHTTP.requestedWait(
                reply([
                    ("x-ratelimit-remaining-requests", "10"), ("x-ratelimit-reset-requests", "1s"),
                    ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "6m0s"),
                ])) == .seconds(360))
        #expect(
            OpenAIHTTP.requestedWait(
                reply([("x-ratelimit-reset-requests", "1s"), ("x-ratelimit-reset-tokens", "250ms")])) == .seconds(1))
        #expect(OpenAIHTTP.requestedWait(reply([])) == nil)
    }

    @Test func errorEnvelopesOfEveryServerAreRead() {
        let openAI = OpenAIHTTP.ErrorEnvelope(
            Array(
                #"{"error":{"message":"Invalid image.","type":"invalid_request_error","param":null,"code":"invalid_image"}}"#
                    .utf8))
        #expect(openAI?.message == "Invalid image." && openAI?.code == "invalid_image")
        let llama = OpenAIHTTP.ErrorEnvelope(
            Array(#"{"error":{"code":500,"message":"boom","type":"server_error"}}"#.utf8))
        #expect(llama?.code == "500" && llama?.type == "server_error")
        let vllm = OpenAIHTTP.ErrorEnvelope(
            Array(#"{"object":"error","message":"bad","type":"BadRequestError","param":null,"code":400}"#.utf8))
        #expect(vllm?.message == "bad" && vllm?.code == "400")
        #expect(OpenAIHTTP.ErrorEnvelope(Array("<html>".utf8)) == nil)
    }

    // MARK: The request

    @Test func theRequestFollowsTheSpec() throws {
        let configuration = try OpenAIConfiguration(apiKey: "sk-x", model: "gpt-4o-mini")
        let body = OpenAIChatRequest(jpeg: [0xFF, 0xD8, 0xFF, 0xD9], configuration: configuration).encoded()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(json["model"] as? String == "gpt-4o-mini")
        #expect(json["max_completion_tokens"] as? Int == 300 && json["max_tokens"] == nil)
        #expect((json["temperature"] as? Double).map { abs($0 - 0.2) < 1e-9 } == true)
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user"])
        let parts = try #require(messages[1]["content"] as? [[String: Any]])
        #expect(parts.map { $0["type"] as? String } == ["text", "image_url"])
        let image = try #require(parts[1]["image_url"] as? [String: Any])
        #expect(image["url"] as? String == "data:image/jpeg;base64,/9j/2Q==")
        #expect(image["detail"] as? String == "low")
        let format = try #require(json["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let schema = try #require(format["json_schema"] as? [String: Any])
        #expect(schema["name"] as? String == "photo_tags" && schema["strict"] as? Bool == true)
        let root = try #require(schema["schema"] as? [String: Any])
        #expect(root["additionalProperties"] as? Bool == false)
        #expect(Set(root["required"] as? [String] ?? []) == ["tags", "caption", "nsfw"])
        #expect(!String(decoding: body, as: UTF8.self).contains("sk-x"))
    }
}
