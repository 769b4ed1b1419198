import ClassifyAI
import ClassifyCore
import ClassifyTestSupport
import Foundation
import ImageDecoding
import Synchronization
import Testing

/// The tagger against the fake OpenAI over real HTTP: every answer and fault of
/// specs/openai-vision.md that the client must handle.
@Suite struct OpenAITaggerTests {
    typealias Live = LiveFakeOpenAI

    // MARK: Happy path

    @Test func tagsAPhotoWithCleanTagsCaptionUsageAndModel() async throws {
        try await Live.run { live in
            let tagger = try live.tagger()
            #expect(tagger.model == "gpt-4o-mini")
            let tags = try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg"))
            #expect((3...10).contains(tags.tags.count))
            #expect(tags.tags.allSatisfy { $0 == $0.lowercased() && $0 == $0.trimmingCharacters(in: .whitespaces) })
            #expect(Set(tags.tags).count == tags.tags.count)
            #expect(!tags.caption.isEmpty && !tags.caption.contains("\n"))
            #expect(tags.model == "gpt-4o-mini-2024-07-18")  // the snapshot the answer names
            #expect(tags.promptTokens > 2833 && tags.completionTokens > 0)

            let entry = try #require(await live.fake.log().last)
            #expect(entry.status == 200 && entry.hadBearer && entry.keyAccepted && !entry.keyInURL)
            #expect(entry.model == "gpt-4o-mini")
            #expect(entry.responseFormat == "json_schema" && entry.schemaName == "photo_tags" && entry.strict == true)
            #expect(entry.promptTokens == tags.promptTokens && entry.completionTokens == tags.completionTokens)
            #expect(entry.tokenLimitParameter == "max_tokens" && entry.tokenLimit == 300)  // loopback: a local server
            let image = try #require(entry.images.first)
            #expect(entry.images.count == 1)
            #expect(image.mimeType == "image/jpeg" && image.detail == "low" && image.tokens == 2833)
            #expect(image.width == 451 && image.height == 300)  // already small: never enlarged

            let cost = try #require(
                tagger.estimatedCost(promptTokens: tags.promptTokens, completionTokens: tags.completionTokens))
            let expected = (Double(tags.promptTokens) * 0.15 + Double(tags.completionTokens) * 0.60) / 1_000_000
            #expect(abs(cost - expected) < 1e-12)
            #expect(cost > 0.0004 && cost < 0.0006)  // spec 4: ≈ $0.00042 per low-detail image
        }
    }

    @Test func theSamePhotoGetsTheSameTags() async throws {
        try await Live.run { live in
            let tagger = try live.tagger()
            let bytes = try Live.photo("sharp-rocket.jpg")
            let first = try await tagger.tag(imageBytes: bytes)
            let second = try await tagger.tag(imageBytes: bytes)
            #expect(first.tags == second.tags && first.caption == second.caption)
        }
    }

    @Test func maxCompletionTokensIsSentWhenConfigured() async throws {
        try await Live.run { live in
            let tagger = try live.tagger(try live.configuration(tokenLimitParameter: .maxCompletionTokens))
            _ = try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg"))
            let entry = try #require(await live.fake.log().last)
            #expect(entry.tokenLimitParameter == "max_completion_tokens" && entry.tokenLimit == 300)
        }
    }

    // MARK: The image sent

    @Test func aLargeRealPhotoIsShrunkTo512PixelsBeforeSending() async throws {
        try await Live.run { live in
            let original = try Live.photo("sharp-retina.jpg")
            let probe = try ImageDecoder().probe(original)
            #expect(probe.width == 1411 && probe.height == 1411)
            _ = try await live.tagger().tag(imageBytes: original)
            let image = try #require(await live.fake.log().last?.images.first)
            #expect(image.width == 512 && image.height == 512)
            #expect(image.mimeType == "image/jpeg" && image.detail == "low")
            #expect(image.bytes < original.count)
        }
    }

    @Test func aWidePhotoKeepsItsAspectRatio() async throws {
        try await Live.run { live in
            _ = try await live.tagger().tag(imageBytes: try Live.photo("sharp-hubble.jpg"))  // 1000×872
            let image = try #require(await live.fake.log().last?.images.first)
            #expect(image.width == 512 && (445...447).contains(image.height))
        }
    }

    @Test func aBigPNGIsSentAsASmallJPEG() async throws {
        try await Live.run { live in
            let png = try Live.bigPNG()
            #expect(png.count > 100_000)
            _ = try await live.tagger().tag(imageBytes: png)
            let image = try #require(await live.fake.log().last?.images.first)
            #expect(image.mimeType == "image/jpeg")
            #expect(image.width == 512 && (341...342).contains(image.height))
            #expect(image.bytes < 100_000)
        }
    }

    @Test func theEXIFOrientationIsAppliedBeforeSending() async throws {
        try await Live.run { live in
            // Stored 400×600 with Orientation 6: upright it is 600×400.
            _ = try await live.tagger().tag(imageBytes: try Live.photo("rotated6-coffee.jpg"))
            let image = try #require(await live.fake.log().last?.images.first)
            #expect(image.width == 512 && (341...342).contains(image.height))
        }
    }

    @Test(
        arguments: [
            ("not an image", Array("hello, this is text".utf8)),
            ("empty", []),
            ("truncated JPEG", Array((try? LiveFakeOpenAI.photo("sharp-cat.jpg"))?.prefix(600) ?? [])),
        ] as [(String, [UInt8])])
    func unreadableBytesAreABadImageBeforeAnyRequest(name: String, bytes: [UInt8]) async throws {
        try await Live.run { live in
            let error = await failure { try await live.tagger().tag(imageBytes: bytes) }
            guard case .badImage = error else {
                Issue.record("\(name): expected badImage, got \(String(describing: error))")
                return
            }
            #expect(await live.requestCount() == 0)
        }
    }

    // MARK: Keys

    @Test func aWrongKeyIsUnauthorizedWithoutRetrying() async throws {
        try await Live.run { live in
            let sleeps = SleepRecorder()
            let tagger = try live.tagger(try live.configuration(apiKey: "sk-wrong-key-123456"), sleeps: sleeps)
            let error = await failure { try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            #expect(error == .unauthorized)
            #expect(sleeps.requested.isEmpty)
            let entry = try #require(await live.fake.log().last)
            #expect(
                entry.status == 401 && entry.hadBearer && !entry.keyAccepted && entry.errorCode == "invalid_api_key")
            #expect(await live.requestCount() == 1)
        }
    }

    @Test func noKeyAgainstAServerThatWantsOneIsUnauthorized() async throws {
        try await Live.run { live in
            let error = await failure {
                try await live.tagger(try live.configuration(apiKey: nil)).tag(
                    imageBytes: try Live.photo("sharp-cat.jpg"))
            }
            #expect(error == .unauthorized)
            #expect(await live.fake.log().last?.hadBearer == false)
        }
    }

    @Test func noKeyWorksWithALocalServerThatWantsNone() async throws {
        try await Live.run({ $0.requireKey = false }) { live in
            let tags = try await live.tagger(try live.configuration(apiKey: nil)).tag(
                imageBytes: try Live.photo("sharp-cat.jpg"))
            #expect(tags.tags.count >= 3)
            #expect(await live.fake.log().last?.hadBearer == false)
        }
    }

    @Test func theKeyIsNeverInTheLogAURLOrAnyError() async throws {
        try await Live.run { live in
            let key = Live.key
            let tagger = try live.tagger(retry: OpenAIRetryPolicy(maxAttempts: 2))
            let photo = try Live.photo("sharp-cat.jpg")
            var errors: [TaggingFailure] = []
            for kind in [
                FakeOpenAIFault.Kind.rateLimit, .serverError, .refusal, .malformed, .length, .insufficientQuota,
            ] {
                await live.fault(kind, count: 2, retryAfter: 1)
                if let error = await failure({ try await tagger.tag(imageBytes: photo) }) { errors.append(error) }
                await live.fake.clearFaults()
            }
            if let error = await failure({ try await tagger.tag(imageBytes: []) }) { errors.append(error) }
            // A wrong key whose text contains the real one.
            let wrong = try live.tagger(try live.configuration(apiKey: key + "x"))
            if let error = await failure({ try await wrong.tag(imageBytes: photo) }) { errors.append(error) }
            #expect(errors.count == 8)
            for error in errors {
                #expect(!error.description.contains(key))
                #expect(!String(reflecting: error).contains(key))
            }
            let log = try await live.logJSON()
            #expect(!log.contains(key) && !log.contains("sk-fake"))
            #expect(await live.fake.log().allSatisfy { !$0.keyInURL && $0.queryNames.isEmpty })
            #expect(!tagger.configuration.description.contains(key))
            var dumped = ""
            dump(tagger.configuration, to: &dumped)
            #expect(!dumped.contains(key))
            #expect(!String(reflecting: tagger.configuration).contains(key))
        }
    }

    // MARK: Rate limits and server errors

    @Test func a429WaitsRetryAfterThenSucceeds() async throws {
        try await Live.run { live in
            await live.fault(.rateLimit, count: 2, retryAfter: 3)
            let sleeps = SleepRecorder()
            let tags = try await live.tagger(sleeps: sleeps).tag(imageBytes: try Live.photo("sharp-cat.jpg"))
            #expect(tags.tags.count >= 3)
            #expect(sleeps.requested == [.seconds(3), .seconds(3)])
            #expect(await live.fake.log().map(\.status) == [429, 429, 200])
        }
    }

    @Test func a429WithoutRetryAfterWaitsForTheRateLimitReset() async throws {
        try await Live.run { live in
            await live.fake.addFault(FakeOpenAIFault(.rateLimit, resetRequests: "1.5s"))
            await live.fake.addFault(FakeOpenAIFault(.rateLimit, retryAfterMs: 250))
            let sleeps = SleepRecorder()
            _ = try await live.tagger(sleeps: sleeps).tag(imageBytes: try Live.photo("sharp-cat.jpg"))
            #expect(sleeps.requested == [.milliseconds(1500), .milliseconds(250)])
        }
    }

    @Test func a429ForeverIsRateLimitedAfterTheBoundedTries() async throws {
        try await Live.run { live in
            await live.fault(.rateLimit, count: 100, retryAfter: 2)
            let sleeps = SleepRecorder()
            let tagger = try live.tagger(retry: OpenAIRetryPolicy(maxAttempts: 3), sleeps: sleeps)
            let error = await failure { try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            #expect(error == .rateLimited(retryAfter: .seconds(2)))
            #expect(error?.isTransient == true)
            #expect(sleeps.requested == [.seconds(2), .seconds(2)])
            #expect(await live.requestCount() == 3)
        }
    }

    @Test func aRetryAfterLongerThanTheLongestWaitIsNotWaitedFor() async throws {
        try await Live.run { live in
            await live.fault(.rateLimit, count: 5, retryAfter: 600)
            let sleeps = SleepRecorder()
            let error = await failure {
                try await live.tagger(sleeps: sleeps).tag(imageBytes: try Live.photo("sharp-cat.jpg"))
            }
            #expect(error == .rateLimited(retryAfter: .seconds(600)))
            #expect(sleeps.requested.isEmpty)
            #expect(await live.requestCount() == 1)
        }
    }

    @Test func insufficientQuotaIsNotRetried() async throws {
        try await Live.run { live in
            await live.fault(.insufficientQuota, count: 5)
            let sleeps = SleepRecorder()
            let error = await failure {
                try await live.tagger(sleeps: sleeps).tag(imageBytes: try Live.photo("sharp-cat.jpg"))
            }
            #expect(error == .quotaExhausted)
            #expect(sleeps.requested.isEmpty)
            #expect(await live.requestCount() == 1)
        }
    }

    @Test func serverErrorsAreRetriedWithBackoffThenSucceed() async throws {
        try await Live.run { live in
            await live.fault(.serverError)
            await live.fault(.overloaded)
            let sleeps = SleepRecorder()
            let retry = OpenAIRetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), maxDelay: .seconds(30))
            let tags = try await live.tagger(retry: retry, sleeps: sleeps).tag(
                imageBytes: try Live.photo("sharp-cat.jpg"))
            #expect(tags.tags.count >= 3)
            #expect(await live.fake.log().map(\.status) == [500, 503, 200])
            let waits = sleeps.requested.map(\.inSeconds)
            #expect(waits.count == 2)
            #expect(waits.count == 2 && (0.5...1).contains(waits[0]) && (1...2).contains(waits[1]))
        }
    }

    @Test func serverErrorsForeverAreUnavailableAfterTheBoundedTries() async throws {
        try await Live.run { live in
            await live.fake.addFault(FakeOpenAIFault(.serverError, count: 10, status: 502))
            let sleeps = SleepRecorder()
            let tagger = try live.tagger(retry: OpenAIRetryPolicy(maxAttempts: 3), sleeps: sleeps)
            let error = await failure { try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            guard case .unavailable(let reason) = error else {
                Issue.record("expected unavailable, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("502"))
            #expect(sleeps.requested.count == 2)
            #expect(await live.requestCount() == 3)
        }
    }

    @Test func aSlowAnswerPastTheTimeoutIsUnavailableAndNotRetried() async throws {
        try await Live.run { live in
            await live.fault(.delay, count: 5, delayMs: 2_500)
            let sleeps = SleepRecorder()
            let tagger = try live.tagger(try live.configuration(timeout: .milliseconds(700)), sleeps: sleeps)
            let error = await failure { try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            guard case .unavailable(let reason) = error else {
                Issue.record("expected unavailable, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("did not answer within"))
            #expect(sleeps.requested.isEmpty)
            #expect(await live.requestCount() == 1)
        }
    }

    @Test func aSlowAnswerWithinTheTimeoutIsFine() async throws {
        try await Live.run { live in
            await live.fault(.delay, delayMs: 400)
            let tags = try await live.tagger(try live.configuration(timeout: .seconds(5))).tag(
                imageBytes: try Live.photo("sharp-cat.jpg"))
            #expect(tags.tags.count >= 3)
            #expect((await live.fake.log().last?.durationMs ?? 0) >= 400)
        }
    }

    @Test func aServerThatIsNotThereIsUnavailable() async throws {
        // AsyncHTTPClient keeps retrying a refused connection until the deadline.
        let configuration = try OpenAIConfiguration(
            apiKey: Live.key, baseURL: "http://127.0.0.1:9/v1", timeout: .seconds(1))
        let tagger = try OpenAITagger(configuration: configuration, retry: OpenAIRetryPolicy(maxAttempts: 2))
        let error = await failure { try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
        guard case .unavailable(let reason) = error else {
            Issue.record("expected unavailable, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("127.0.0.1"))
        #expect(!reason.contains(Live.key))
    }

    // MARK: Answers that are not tags

    @Test func aRefusalIsRefused() async throws {
        try await Live.run { live in
            await live.fault(.refusal)
            let error = await failure { try await live.tagger().tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            #expect(error == .refused(FakeOpenAICompletionText.refusal))
            #expect(await live.requestCount() == 1)
        }
    }

    @Test func theContentFilterIsRefused() async throws {
        try await Live.run { live in
            await live.fault(.contentFilter)
            let error = await failure { try await live.tagger().tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            guard case .refused(let reason) = error else {
                Issue.record("expected refused, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("content_filter"))
        }
    }

    @Test(arguments: [FakeOpenAIFault.Kind.malformed, .length, .fewTags])
    func aMalformedAnswerIsAPerPhotoError(kind: FakeOpenAIFault.Kind) async throws {
        try await Live.run { live in
            await live.fault(kind)
            let sleeps = SleepRecorder()
            let tagger = try live.tagger(sleeps: sleeps)
            let error = await failure { try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            guard case .malformedAnswer(let reason) = error else {
                Issue.record("\(kind): expected malformedAnswer, got \(String(describing: error))")
                return
            }
            if kind == .length { #expect(reason.contains("length")) }
            if kind == .fewTags { #expect(reason.contains("at least 3")) }
            #expect(sleeps.requested.isEmpty)
            // The next photo is fine.
            #expect(try await tagger.tag(imageBytes: try Live.photo("sharp-cat.jpg")).tags.count >= 3)
        }
    }

    @Test func anUnknownModelIsAnInvalidRequest() async throws {
        try await Live.run { live in
            let configuration = try OpenAIConfiguration(apiKey: Live.key, baseURL: live.apiBase, model: "gpt-9-vision")
            let error = await failure {
                try await live.tagger(configuration).tag(imageBytes: try Live.photo("sharp-cat.jpg"))
            }
            guard case .invalidRequest(let reason) = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("404") && reason.contains("model_not_found"))
        }
    }

    @Test func anImageTheServerRefusesIsABadImage() async throws {
        try await Live.run({ $0.maxImageBytes = 1_000 }) { live in
            let error = await failure { try await live.tagger().tag(imageBytes: try Live.photo("sharp-cat.jpg")) }
            guard case .badImage(let reason) = error else {
                Issue.record("expected badImage, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("too large"))
        }
    }

    // MARK: Concurrency

    @Test func concurrencyIsCappedBySetting() async throws {
        try await Live.run { live in
            await live.fault(.delay, count: 8, delayMs: 300)
            let tagger = try live.tagger(try live.configuration(concurrency: 2))
            let photo = try Live.photo("sharp-cat.jpg")
            let results = try await withThrowingTaskGroup(of: PhotoTags.self) { group in
                for _ in 0..<8 { group.addTask { try await tagger.tag(imageBytes: photo) } }
                return try await group.reduce(into: [PhotoTags]()) { $0.append($1) }
            }
            #expect(results.count == 8)
            #expect(await live.fake.peakInFlight == 2)
        }
    }

    @Test func copiesOfATaggerShareTheCap() async throws {
        try await Live.run { live in
            await live.fault(.delay, count: 6, delayMs: 300)
            let tagger = try live.tagger(try live.configuration(concurrency: 1))
            let copies = [tagger, tagger, tagger]
            let photo = try Live.photo("sharp-cat.jpg")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for copy in copies + copies { group.addTask { _ = try await copy.tag(imageBytes: photo) } }
                try await group.waitForAll()
            }
            #expect(await live.fake.peakInFlight == 1)
        }
    }

    @Test func tagsArriveThroughTheTaggerProtocol() async throws {
        try await Live.run { live in
            let tagger: any Tagger = try live.tagger()
            let tags = try await tagger.tag(imageBytes: try Live.photo("sharp-coffee.webp"))
            #expect(tags.tags.count >= 3)
            #expect(await live.fake.log().last?.images.first?.mimeType == "image/jpeg")
        }
    }
}

/// Texts the fake answers with, for exact comparisons.
enum FakeOpenAICompletionText {
    static let refusal = "I'm sorry, but I can't help with that request."
}
