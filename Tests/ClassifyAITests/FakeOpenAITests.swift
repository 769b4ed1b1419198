import AsyncHTTPClient
import ClassifyTestSupport
import Foundation
import NIOCore
import Testing

/// The fake OpenAI itself over raw HTTP: as strict as specs/openai-vision.md section 5 asks.
@Suite struct FakeOpenAITests {
    typealias Live = LiveFakeOpenAI

    struct Answer {
        var status: Int
        var headers: [String: String]
        var json: [String: Any]

        var error: [String: Any]? { json["error"] as? [String: Any] }
        var code: String? { error?["code"] as? String }
        var param: String? { error?["param"] as? String }
    }

    static func post(
        _ live: LiveFakeOpenAI, _ body: Any, path: String = "/v1/chat/completions", key: String? = Live.key
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: live.root + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let data = try (body as? Data) ?? JSONSerialization.data(withJSONObject: body)
        request.body = .bytes(ByteBuffer(bytes: data))
        return try await send(request)
    }

    static func get(_ live: LiveFakeOpenAI, _ path: String, key: String? = Live.key) async throws -> Answer {
        var request = HTTPClientRequest(url: live.root + path)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        return try await send(request)
    }

    static func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), headers: headers, json: json)
    }

    static var schema: [String: Any] {
        [
            "type": "object",
            "properties": [
                "tags": ["type": "array", "items": ["type": "string"]], "caption": ["type": "string"],
                "nsfw": ["type": "boolean"],
            ],
            "required": ["tags", "caption", "nsfw"], "additionalProperties": false,
        ]
    }

    static func request(
        image: [String: Any]? = nil, schema: [String: Any]? = FakeOpenAITests.schema, extra: [String: Any] = [:]
    ) throws -> [String: Any] {
        let url = "data:image/jpeg;base64," + Data(try Live.photo("sharp-cat.jpg")).base64EncodedString()
        var body: [String: Any] = [
            "model": "gpt-4o-mini",
            "messages": [
                ["role": "system", "content": "You tag photos. Reply only with the JSON object."],
                [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": "Tag this photo."],
                        ["type": "image_url", "image_url": image ?? ["url": url, "detail": "low"]],
                    ],
                ],
            ],
            "max_completion_tokens": 300,
        ]
        if let schema {
            body["response_format"] = [
                "type": "json_schema", "json_schema": ["name": "photo_tags", "strict": true, "schema": schema],
            ]
        }
        for (key, value) in extra { body[key] = value }
        return body
    }

    @Test func theSpecExampleGetsASchemaConformingAnswer() async throws {
        try await Live.run { live in
            let answer = try await Self.post(live, try Self.request())
            #expect(answer.status == 200)
            #expect(answer.json["object"] as? String == "chat.completion")
            #expect(answer.json["model"] as? String == "gpt-4o-mini-2024-07-18")
            #expect((answer.json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            let choice = try #require((answer.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "stop" && choice["logprobs"] is NSNull)
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["role"] as? String == "assistant" && message["refusal"] is NSNull)
            let content = try #require(message["content"] as? String)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["tags", "caption", "nsfw"])
            #expect((object["tags"] as? [String])?.count ?? 0 >= 3)
            let usage = try #require(answer.json["usage"] as? [String: Any])
            let prompt = try #require(usage["prompt_tokens"] as? Int)
            let completion = try #require(usage["completion_tokens"] as? Int)
            #expect(usage["total_tokens"] as? Int == prompt + completion)
            #expect(prompt > 2833 && prompt < 2900)  // one low image plus a few text tokens (spec 4)
            for header in [
                "x-request-id", "openai-version", "openai-processing-ms", "x-ratelimit-limit-requests",
                "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
            ] {
                #expect(answer.headers[header] != nil, "\(header)")
            }
        }
    }

    @Test func keysAreCheckedWithTheRealErrorShape() async throws {
        try await Live.run { live in
            let missing = try await Self.post(live, try Self.request(), key: nil)
            #expect(missing.status == 401)
            let error = try #require(missing.error)
            #expect(Set(error.keys) == ["message", "type", "param", "code"])
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error["param"] is NSNull && error["code"] is NSNull)
            let wrong = try await Self.post(live, try Self.request(), key: "sk-nope-0000")
            #expect(wrong.status == 401 && wrong.code == "invalid_api_key")
            let message = try #require(wrong.error?["message"] as? String)
            #expect(message.hasPrefix("Incorrect API key provided"))
            #expect(!message.contains("sk-nope-0000"))
            #expect(try await Self.get(live, "/v1/models", key: nil).status == 401)
            #expect(await live.fake.log().map(\.hadBearer) == [false, true, false])
        }
    }

    @Test func modelsAreListedAndUnknownOnesRefused() async throws {
        try await Live.run { live in
            let list = try await Self.get(live, "/v1/models")
            let ids = (list.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            #expect(ids.contains("gpt-4o-mini") && list.json["object"] as? String == "list")
            #expect(try await Self.get(live, "/v1/models/gpt-4o-mini").json["id"] as? String == "gpt-4o-mini")
            #expect(try await Self.get(live, "/v1/models/gpt-9").code == "model_not_found")
            var body = try Self.request()
            body["model"] = "gpt-9"
            let answer = try await Self.post(live, body)
            #expect(answer.status == 404 && answer.code == "model_not_found")
            let unknownPath = try await Self.get(live, "/v1/completions/x")
            #expect(
                unknownPath.status == 404
                    && (unknownPath.error?["message"] as? String)?.hasPrefix("Invalid URL") == true)
        }
    }

    @Test func requestsAreValidatedStrictly() async throws {
        try await Live.run { live in
            let cat = try Live.photo("sharp-cat.jpg")
            let png = try Live.photo("sharp-coffee.png")
            func expectRefused(
                _ body: Any, status: Int = 400, code: String?, param: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let answer = try await Self.post(live, body)
                #expect(answer.status == status, sourceLocation: sourceLocation)
                #expect(answer.error?["type"] as? String == "invalid_request_error", sourceLocation: sourceLocation)
                #expect(answer.code == code, "\(answer.json)", sourceLocation: sourceLocation)
                if let param { #expect(answer.param == param, sourceLocation: sourceLocation) }
            }
            let imageURL = "messages[1].content[1].image_url.url"
            try await expectRefused(Data("{not json".utf8), code: nil)
            try await expectRefused(try Self.request(extra: ["colour": "blue"]), code: nil)
            try await expectRefused(try Self.request(extra: ["model": 4]), code: "invalid_type", param: "model")
            try await expectRefused(try Self.request(extra: ["messages": []]), code: "empty_array", param: "messages")
            try await expectRefused(
                try Self.request(extra: ["messages": [["role": "robot", "content": "hi"]]]), code: "invalid_value",
                param: "messages[0].role")
            try await expectRefused(
                try Self.request(extra: ["messages": [["role": "user", "content": []]]]), code: "empty_array",
                param: "messages[0].content")
            try await expectRefused(
                try Self.request(extra: ["messages": [["role": "user", "content": [["type": "video", "video": "x"]]]]]),
                code: "invalid_value", param: "messages[0].content[0].type")
            try await expectRefused(
                try Self.request(extra: [
                    "messages": [
                        [
                            "role": "system",
                            "content": [["type": "image_url", "image_url": ["url": "https://x.test/a.jpg"]]],
                        ]
                    ]
                ]), code: "invalid_value")
            try await expectRefused(
                try Self.request(extra: ["max_completion_tokens": 0]), code: "integer_below_min_value")
            try await expectRefused(try Self.request(extra: ["temperature": 3]), code: "decimal_above_max_value")
            try await expectRefused(try Self.request(extra: ["max_tokens": true]), code: "invalid_type")
            try await expectRefused(
                try Self.request(image: [
                    "url": "data:image/jpeg;base64," + Data(cat).base64EncodedString(), "detail": "medium",
                ]),
                code: "invalid_value", param: "messages[1].content[1].image_url.detail")
            try await expectRefused(try Self.request(image: ["detail": "low"]), code: "missing_required_parameter")
            // Data URLs: declared type, base64, decodable bytes, supported formats.
            try await expectRefused(
                try Self.request(image: ["url": "data:image/png;base64," + Data(cat).base64EncodedString()]),
                code: "invalid_image", param: imageURL)
            try await expectRefused(
                try Self.request(image: ["url": "data:image/jpeg;base64,not*base64"]), code: "invalid_image",
                param: imageURL)
            try await expectRefused(
                try Self.request(image: ["url": "data:image/jpeg;base64," + Data(cat.prefix(400)).base64EncodedString()]
                ),
                code: "invalid_image", param: imageURL)
            try await expectRefused(
                try Self.request(image: ["url": "data:image/heic;base64," + Data(cat).base64EncodedString()]),
                code: "invalid_image_format", param: imageURL)
            try await expectRefused(
                try Self.request(image: ["url": "data:image/jpeg," + Data(cat).base64EncodedString()]),
                code: "invalid_image_url")
            try await expectRefused(
                try Self.request(image: ["url": "https://example.test/cat.jpg"]), code: "invalid_image_url")
            // Strict schemas.
            var open = Self.schema
            open["additionalProperties"] = nil
            try await expectRefused(try Self.request(schema: open), code: nil, param: "response_format")
            var partial = Self.schema
            partial["required"] = ["tags", "caption"]
            try await expectRefused(try Self.request(schema: partial), code: nil, param: "response_format")
            try await expectRefused(
                try Self.request(schema: ["type": "array", "items": ["type": "string"]]), code: nil,
                param: "response_format")
            try await expectRefused(
                try Self.request(extra: [
                    "response_format": ["type": "json_object"], "messages": [["role": "user", "content": "Tag this."]],
                ]), code: nil, param: "messages")
            // And a PNG declared as such is fine.
            let ok = try await Self.post(
                live, try Self.request(image: ["url": "data:image/png;base64," + Data(png).base64EncodedString()]))
            #expect(ok.status == 200)
            #expect(await live.fake.log().last?.images.first?.mimeType == "image/png")
        }
    }

    @Test func imageTokensFollowTheTileRule() {
        let mini = FakeOpenAIModel.gpt4oMini
        #expect(mini.imageTokens(width: 4000, height: 3000, detail: "low") == 2_833)
        #expect(mini.imageTokens(width: 1024, height: 1024, detail: "high") == 25_501)
        #expect(mini.imageTokens(width: 2048, height: 4096, detail: "high") == 36_835)
        #expect(mini.imageTokens(width: 128, height: 64, detail: "high") == 8_500)
        #expect(FakeOpenAIModel.gpt4o.imageTokens(width: 1024, height: 1024, detail: "auto") == 765)
    }

    @Test func aHighDetailImageCostsTiles() async throws {
        try await Live.run { live in
            let url = "data:image/jpeg;base64," + Data(try Live.photo("sharp-retina.jpg")).base64EncodedString()
            let answer = try await Self.post(live, try Self.request(image: ["url": url, "detail": "high"]))
            let prompt = try #require((answer.json["usage"] as? [String: Any])?["prompt_tokens"] as? Int)
            #expect(prompt > 25_501 && prompt < 25_600)  // 1411² → 768² → 4 tiles
        }
    }

    @Test func aSmallTokenLimitCutsTheAnswerOff() async throws {
        try await Live.run { live in
            let answer = try await Self.post(live, try Self.request(extra: ["max_completion_tokens": 5, "n": 2]))
            let choices = try #require(answer.json["choices"] as? [[String: Any]])
            #expect(choices.count == 2)
            #expect(choices.allSatisfy { $0["finish_reason"] as? String == "length" })
            #expect((answer.json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 5)
        }
    }

    @Test func faultsAnswerLikeOpenAI() async throws {
        try await Live.run { live in
            await live.fault(.rateLimit, retryAfter: 7)
            let limited = try await Self.post(live, try Self.request())
            #expect(limited.status == 429 && limited.code == "rate_limit_exceeded")
            #expect(limited.headers["retry-after"] == "7")
            #expect(limited.headers["x-ratelimit-remaining-requests"] == "0")
            #expect(limited.headers["x-ratelimit-reset-requests"] == "7s")
            await live.fault(.insufficientQuota)
            let quota = try await Self.post(live, try Self.request())
            #expect(quota.status == 429 && quota.error?["type"] as? String == "insufficient_quota")
            await live.fault(.overloaded)
            #expect(try await Self.post(live, try Self.request()).status == 503)
            await live.fault(.refusal)
            let refused = try await Self.post(live, try Self.request())
            let message = (refused.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            #expect(message?["content"] is NSNull && message?["refusal"] as? String == FakeOpenAICompletionText.refusal)
            #expect(
                await live.fake.log().map(\.fault) == ["rate_limit", "insufficient_quota", "overloaded", "refusal"])
        }
    }

    @Test func theRequestsPerMinuteLimitAnswers429() async throws {
        try await Live.run({ $0.requestsPerMinute = 2 }) { live in
            #expect(try await Self.post(live, try Self.request()).status == 200)
            #expect(try await Self.post(live, try Self.request()).status == 200)
            let third = try await Self.post(live, try Self.request())
            #expect(third.status == 429 && third.code == "rate_limit_exceeded")
            #expect(Int(third.headers["retry-after"] ?? "") ?? 0 >= 1)
        }
    }

    @Test func theAdminAPIIsReachableOverHTTP() async throws {
        try await Live.run { live in
            let fault = try await Self.post(
                live, ["kind": "server_error", "count": 2, "status": 502], path: "/fake/faults", key: nil)
            #expect(fault.json["kind"] as? String == "server_error")
            #expect(try await Self.post(live, try Self.request()).status == 502)
            var request = HTTPClientRequest(url: live.root + "/fake/log")
            let log = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await log.body.collect(upTo: 1 << 20)
            let entries = try #require(
                try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]])
            #expect(entries.count == 1 && entries[0]["status"] as? Int == 502)
            request = HTTPClientRequest(url: live.root + "/fake/reset")
            request.method = .POST
            _ = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(await live.fake.log().isEmpty)
            #expect(await live.fake.activeFaults.isEmpty)
        }
    }
}
