import ClassifyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 5 (AI tags) end to end: the fake OpenAI in this process on a free loopback port and
/// `classify serve` as a child process pointed at it (`OPENAI_BASE_URL`, `OPENAI_API_KEY`), real
/// HTTP both ways, each test with its own DATA_DIR (harness: `TaggingFlow` below). Photos arrive
/// by `POST /photos/upload`, tagging goes through the durable queue, and the fake's request log
/// is the bill the server's usage figures must match.
@Suite(.serialized)
struct TaggingFlowTests {
    /// Eight distinct fixtures: two larger than 512 px (hubble 1000×872, retina 1411²), one
    /// with EXIF orientation 6 (400×600 stored, 600×400 shown).
    static let eight = [
        "sharp-cat.jpg", "sharp-astronaut.jpg", "sharp-rocket.jpg", "sharp-hubble.jpg", "sharp-retina.jpg",
        "rotated6-coffee.jpg", "defocus-cat.jpg", "motion-coffee.jpg",
    ]
    static let four = ["sharp-cameraman.jpg", "sharp-grace-hopper.jpg", "defocus-astronaut.jpg", "motion-cat.jpg"]

    // MARK: 1. Tags through the queue, and what they cost

    @Test(.timeLimit(.minutes(2)))
    func tagsEveryPhotoThroughTheQueueAndCountsWhatItCost() async throws {
        try await TaggingFlow.run(environment: ["LOG_LEVEL": "trace"]) { flow in
            let uploaded = try await flow.upload(Self.eight)
            try #require(uploaded.count == 8)
            #expect(uploaded.allSatisfy { $0["tags"].strings.isEmpty && $0["caption"].isNull })

            let batch = try await flow.post("/api/v1/tags/batch", "{}")
            try #require(batch.status == 202, "tags/batch answered \(batch.summary)")
            #expect(batch.json["total"].int == 8 && batch.json["status"].string == "queued", "\(batch.summary)")
            let job = try await flow.waitJob(try #require(batch.json["job_id"].string))
            #expect(job["status"].string == "done" && job["done"].int == 8 && job["failed"].int == 0, "\(job.value)")

            // Every photo: 3–10 lowercase tags and a one-line caption, in the list and alone.
            let photos = try await flow.photos()
            #expect(photos.count == 8)
            for photo in photos {
                TaggingFlow.expectTagged(photo)
                let alone = try await flow.photo(try #require(photo["id"].string))
                #expect(alone["tags"].strings == photo["tags"].strings)
                #expect(alone["caption"].string == photo["caption"].string)
            }

            // The fake saw each photo once: 8 requests, one image each, ≤ 512 px on the long side
            // at detail low; the sizes sent are the 8 photos' (as shown) fitted in 512 px.
            let requests = await flow.chatCompletions()
            #expect(requests.count == 8, "\(requests.count) chat completions for 8 photos")
            #expect(requests.allSatisfy { $0.status == 200 && $0.images.count == 1 })
            let images = requests.flatMap(\.images)
            #expect(images.allSatisfy { max($0.width, $0.height) <= 512 }, "\(images.map { ($0.width, $0.height) })")
            #expect(images.allSatisfy { $0.detail == "low" && $0.mimeType == "image/jpeg" })
            let sent = images.map { [$0.width, $0.height] }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
            // The API's width and height are the stored size (before EXIF orientation); the
            // photo is sent upright, so orientation 6 swaps them.
            let expected = photos.map { photo -> [Int] in
                var width = photo["width"].int ?? 0, height = photo["height"].int ?? 0
                if photo["filename"].string?.hasPrefix("rotated6-") == true { swap(&width, &height) }
                let scale = min(1, 512 / Double(max(width, height, 1)))
                return [Int((Double(width) * scale).rounded()), Int((Double(height) * scale).rounded())]
            }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
            #expect(
                sent.count == expected.count
                    && zip(sent, expected).allSatisfy { abs($0[0] - $1[0]) <= 1 && abs($0[1] - $1[1]) <= 1 },
                "sent \(sent), expected the photos' sizes fitted in 512: \(expected)")
            #expect(sent.contains([512, 512]) && sent.contains { $0[0] == 512 && $0[1] < 512 }, "\(sent)")
            #expect(requests.allSatisfy { $0.responseFormat == "json_schema" && $0.strict == true })
            #expect(requests.allSatisfy { $0.schemaName == "photo_tags" && $0.model == "gpt-4o-mini" })

            // The key: only ever in the Authorization header, never in a URL or a log.
            #expect(requests.allSatisfy { !$0.keyInURL && $0.hadBearer && $0.keyAccepted && $0.queryNames.isEmpty })
            let fakeLog = String(decoding: try JSONEncoder().encode(await flow.fake.log()), as: UTF8.self)
            #expect(!fakeLog.contains(TaggingFlow.key), "the fake's log holds the key")
            let serverLog = flow.serverLog()
            #expect(!serverLog.contains(TaggingFlow.key), "the server's log holds the key")
            #expect(serverLog.contains("openai chat completion answered 200"), "the trace log should show the calls")

            // Usage: GET /tags and /stats agree with what the fake billed, priced as gpt-4o-mini.
            let billed = TaggingFlow.billed(requests)
            let tags = try await flow.get("/api/v1/tags")
            try #require(tags.status == 200, "\(tags.summary)")
            #expect(tags.json["enabled"].bool == true && tags.json["model"].string == "gpt-4o-mini")
            #expect(tags.json["reason"].isNull)
            #expect(tags.json["tagged_photos"].int == 8)
            let usage = try await flow.usage()
            #expect(usage.calls == 8 && usage.cached == 0, "\(usage)")
            #expect(usage.prompt == billed.prompt && usage.completion == billed.completion, "\(usage) vs \(billed)")
            let cost = TaggingFlow.cost(prompt: billed.prompt, completion: billed.completion)
            #expect(abs(usage.cost - cost) < 1e-12, "\(usage.cost) vs tokens × prices \(cost)")
            // Tag counts: as many photos as carry the tag.
            let carried = photos.flatMap { $0["tags"].strings }.counted
            #expect(!tags.json["tags"].array.isEmpty)
            for entry in tags.json["tags"].array {
                let name = entry["tag"].string ?? ""
                #expect(entry["count"].int == carried[name], "tag \(name)")
            }
            let stats = try await flow.get("/api/v1/stats")
            try #require(stats.status == 200, "\(stats.summary)")
            #expect(
                NSDictionary(dictionary: stats.json["tagging"].value as? [String: Any] ?? [:])
                    == NSDictionary(dictionary: tags.json.value as? [String: Any] ?? ["": 0]),
                "/stats tagging \(stats.json["tagging"].value) differs from GET /tags \(tags.json.value)")

            // The measurement: tokens per photo at detail low, ≤ 512 px, and 1,000 photos' cost.
            let prompts = requests.compactMap(\.promptTokens), completions = requests.compactMap(\.completionTokens)
            let perPhoto = Double(billed.prompt) / 8, perPhotoOut = Double(billed.completion) / 8
            print(
                """
                tagging-flow: per photo prompt tokens \(prompts.min() ?? 0)…\(prompts.max() ?? 0) (mean \(perPhoto); \
                image part \(Set(images.map(\.tokens)).sorted()) at detail low), completion tokens \
                \(completions.min() ?? 0)…\(completions.max() ?? 0) (mean \(perPhotoOut)); 1,000 photos ≈ \
                $\(String(format: "%.4f", cost / 8 * 1000)) at $0.15 / $0.60 per million tokens
                """)
        }
    }

    // MARK: 2. The cache: nothing is sent twice

    @Test(.timeLimit(.minutes(2)))
    func aTaggedImageIsNeverSentAgainUnlessForced() async throws {
        try await TaggingFlow.run { flow in
            let uploaded = try await flow.upload(Self.four)
            try #require(uploaded.count == 4)
            _ = try await flow.tagAndWait("{}", done: 4)
            let sentBefore = await flow.chatCompletions().count
            #expect(sentBefore == 4)
            let before = try await flow.usage()
            #expect(before.calls == 4 && before.cached == 0, "\(before)")

            // Again: nothing left to tag, nothing sent.
            let again = try await flow.post("/api/v1/tags/batch", "{}")
            #expect(again.status == 202 && again.json["total"].int == 0, "\(again.summary)")
            #expect(again.json["status"].string == "done")
            // A tagged photo asked for by id without force: the job runs, the photo is skipped.
            let first = try #require(uploaded.first?["id"].string)
            let firstTags = try await flow.photo(first)["tags"].strings
            _ = try await flow.tagAndWait(path: "/api/v1/photos/\(first)/tag", done: 1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await flow.chatCompletions().count == sentBefore, "a tagged photo was sent again")
            #expect(try await flow.usage() == before)

            // Delete a tagged photo and upload its bytes again: a new photo with the same hash.
            // The model's answer went with the last photo that had those bytes (what a deleted
            // photo showed is not kept), so the model is asked again: one request, billed.
            let victim = try #require(uploaded.last)
            let victimID = try #require(victim["id"].string)
            #expect(try await flow.send("DELETE", "/api/v1/photos/\(victimID)").status == 204)
            #expect(try flow.sqlite().query("SELECT COUNT(*) FROM tag_cache") == "3")
            let reuploaded = try await flow.upload([try #require(victim["filename"].string)])
            let newID = try #require(reuploaded.first?["id"].string)
            #expect(newID != victimID, "the re-uploaded photo kept the deleted photo's id")
            #expect(reuploaded.first?["tags"].strings == [], "a new photo has no tags yet")
            _ = try await flow.tagAndWait(path: "/api/v1/photos/\(newID)/tag", done: 1)
            TaggingFlow.expectTagged(try await flow.photo(newID))
            let asked = await flow.chatCompletions()
            #expect(asked.count == sentBefore + 1, "a deleted photo's answer was kept")
            let afterCache = try await flow.usage()
            #expect(afterCache.calls == before.calls + 1 && afterCache.cached == before.cached, "\(afterCache)")
            #expect(afterCache.prompt == before.prompt + (asked.last?.promptTokens ?? -1), "\(afterCache)")

            // force=true on one photo: exactly one new request, billed.
            _ = try await flow.tagAndWait(path: "/api/v1/photos/\(first)/tag?force=true", done: 1)
            let after = await flow.chatCompletions()
            #expect(after.count == sentBefore + 2, "force sent \(after.count - sentBefore - 1) requests")
            let last = try #require(after.last)
            let afterForce = try await flow.usage()
            #expect(afterForce.calls == afterCache.calls + 1 && afterForce.cached == afterCache.cached)
            #expect(afterForce.prompt == afterCache.prompt + (last.promptTokens ?? -1), "\(afterForce)")
            #expect(afterForce.completion == afterCache.completion + (last.completionTokens ?? -1), "\(afterForce)")
            // The same picture gets the same tags, and the tags table holds them once.
            #expect(try await flow.photo(first)["tags"].strings == firstTags)
            let sqlite = try flow.sqlite()
            #expect(
                try sqlite.query("SELECT COUNT(*) FROM photo_tags WHERE photo_id = '\(first)'") == "\(firstTags.count)")
            #expect(try sqlite.query("SELECT COUNT(*) FROM tag_cache") == "4")
            #expect(try sqlite.query("SELECT COUNT(*) FROM photo_tags WHERE photo_id = '\(victimID)'") == "0")

            // A photo deleted while its (paid) call is in flight: no tags, the call counts in
            // usage, and its answer is not kept (no photo has those bytes any more).
            await flow.fake.updateConfiguration { $0.latencyMs = 1500 }
            let late = try #require(try await flow.upload(["sharp-rocket.jpg"]).first?["id"].string)
            let lateJob = try await flow.post("/api/v1/photos/\(late)/tag")
            try #require(lateJob.status == 202, "\(lateJob.summary)")
            let inFlight = Date().addingTimeInterval(10)
            while await flow.fake.state().inFlight == 0, Date() < inFlight {
                try await Task.sleep(for: .milliseconds(20))
            }
            try #require(await flow.fake.state().inFlight == 1, "the call never started")
            #expect(try await flow.send("DELETE", "/api/v1/photos/\(late)").status == 204)
            _ = try await flow.waitJob(try #require(lateJob.json["job_id"].string))
            await flow.fake.updateConfiguration { $0.latencyMs = 0 }
            let paid = try #require(await flow.chatCompletions().last)
            let afterDelete = try await flow.usage()
            #expect(afterDelete.calls == afterForce.calls + 1 && afterDelete.cached == afterForce.cached)
            #expect(afterDelete.prompt == afterForce.prompt + (paid.promptTokens ?? -1), "\(afterDelete)")
            let sentBeforeReupload = await flow.chatCompletions().count
            let back = try #require(try await flow.upload(["sharp-rocket.jpg"]).first?["id"].string)
            _ = try await flow.tagAndWait(path: "/api/v1/photos/\(back)/tag", done: 1)
            TaggingFlow.expectTagged(try await flow.photo(back))
            #expect(await flow.chatCompletions().count == sentBeforeReupload + 1, "a deleted photo's answer was kept")
            #expect(try await flow.usage().cached == afterDelete.cached)
        }
    }

    // MARK: 3. Filters

    @Test(.timeLimit(.minutes(2)))
    func tagAndSearchFiltersFindExactlyTheRightPhotos() async throws {
        try await TaggingFlow.run { flow in
            try #require(try await flow.upload(Self.eight).count == 8)
            _ = try await flow.tagAndWait("{}", done: 8)
            let analyze = try await flow.post("/api/v1/blur/analyze-batch", "{}")
            try #require(analyze.status == 202, "\(analyze.summary)")
            let analysed = try await flow.waitJob(try #require(analyze.json["job_id"].string))
            try #require(analysed["failed"].int == 0 && analysed["done"].int == 8, "\(analysed.value)")
            let photos = try await flow.photos()
            try #require(photos.count == 8 && photos.allSatisfy { $0["is_blurred"].bool != nil })
            let clear = Set(photos.filter { $0["is_blurred"].bool == false }.map { $0["id"].string ?? "" })
            try #require(!clear.isEmpty && clear.count < 8, "no mix of clear and blurred photos")
            func ids(_ query: String) async throws -> Set<String> {
                let listed = try await flow.photos(query: query)
                return Set(listed.compactMap { $0["id"].string })
            }
            func carrying(_ tag: String) -> Set<String> {
                Set(photos.filter { $0["tags"].strings.contains(tag) }.compactMap { $0["id"].string })
            }
            func matching(_ word: String) -> Set<String> {
                Set(
                    photos.filter { photo in
                        (photo["caption"].string ?? "").lowercased().contains(word)
                            || photo["tags"].strings.contains { $0.contains(word) }
                    }.compactMap { $0["id"].string })
            }

            // ?tag=: exactly the photos carrying it, for every tag in use; with not_blurred, the
            // clear ones among them; in any case.
            let allTags = Set(photos.flatMap { $0["tags"].strings })
            #expect(allTags.contains { carrying($0).count < 8 }, "every photo has the same tags: \(allTags)")
            for tag in allTags.sorted() {
                let encoded = HTTP.encodeSegment(tag)
                #expect(try await ids("tag=\(encoded)") == carrying(tag), "tag=\(tag)")
                #expect(
                    try await ids("tag=\(encoded)&filter=not_blurred") == carrying(tag).intersection(clear),
                    "tag=\(tag)&filter=not_blurred")
            }
            let partial = try #require(allTags.sorted().first { carrying($0).count < 8 })
            #expect(try await ids("tag=\(HTTP.encodeSegment(partial.uppercased()))") == carrying(partial))
            #expect(try await ids("tag=no-such-tag-anywhere").isEmpty)
            #expect(try await ids("tag=pho").isEmpty, "tag= is an exact match, not a prefix")

            // ?q=: a caption word, a tag prefix, case-insensitive, words ANDed.
            let caption = try #require(photos.first?["caption"].string)
            let word = try #require(
                caption.lowercased().split(separator: " ").map { $0.trimmingCharacters(in: .punctuationCharacters) }
                    .last { $0.count >= 3 })
            #expect(!matching(word).isEmpty)
            #expect(try await ids("q=\(HTTP.encodeSegment(word))") == matching(word), "q=\(word)")
            let subject = try #require(
                allTags.sorted().first { $0.count >= 5 && !$0.contains(" ") && carrying($0).count < 8 })
            let prefix = String(subject.prefix(3))
            #expect(try await ids("q=\(prefix)") == matching(prefix), "q=\(prefix) (prefix of \(subject))")
            #expect(try await ids("q=\(prefix.uppercased())") == matching(prefix))
            #expect(
                try await ids("q=\(HTTP.encodeSegment("photo \(prefix)"))")
                    == matching("photo").intersection(
                        matching(prefix)))
            #expect(
                try await ids("q=\(prefix)&filter=not_blurred") == matching(prefix).intersection(clear))
            // % and _ are literal: they match no caption or tag (as wildcards they would match all).
            #expect(try await ids("q=%25").isEmpty, "q=% matched as a wildcard")
            #expect(try await ids("q=_").isEmpty, "q=_ matched as a wildcard")
            #expect(try await ids("q=photo_of").isEmpty, "q=photo_of matched \"photo of\"")
            #expect(
                try await ids("q=\(HTTP.encodeSegment("photo of"))") == matching("photo").intersection(matching("of")))
            #expect(try await ids("q=zzzqqq").isEmpty)
        }
    }

    // MARK: 4. Errors

    /// 429s are waited out, a refusal fails only its photo, and quota exhaustion stops the job
    /// without a request per photo.
    @Test(.timeLimit(.minutes(2)))
    func rateLimitsAreWaitedOutAndARefusalFailsOnlyItsPhoto() async throws {
        try await TaggingFlow.run { flow in
            // 429 with retry-after 1 for the next 2 requests: the job still completes.
            try #require(try await flow.upload(Array(Self.eight.prefix(4))).count == 4)
            await flow.fake.addFault(FakeOpenAIFault(.rateLimit, count: 2, retryAfter: 1))
            let clock = ContinuousClock(), start = clock.now
            let limited = try await flow.tagAndWait("{}", done: 4)
            #expect(limited["failed"].int == 0, "\(limited.value)")
            let elapsed = clock.now - start
            var requests = await flow.chatCompletions()
            #expect(requests.filter { $0.status == 429 }.count == 2)
            #expect(requests.filter { $0.status == 200 }.count == 4)
            #expect(elapsed >= .milliseconds(900), "retry-after 1 was not waited for (\(elapsed))")

            // A refusal for one photo: that photo's item fails saying the model declined; the
            // others are tagged.
            let next = try await flow.upload(Array(Self.eight.suffix(4)))
            try #require(next.count == 4)
            await flow.fake.addFault(FakeOpenAIFault(.refusal, count: 1))
            let refusalJob = try await flow.tagAndWait("{}", done: 3, failed: 1)
            let errors = refusalJob["errors"].array
            try #require(errors.count == 1, "\(refusalJob.value)")
            let refusedID = try #require(errors[0]["photo_id"].string)
            #expect(errors[0]["error"].string?.contains("declined") == true, "\(errors[0].value)")
            #expect(refusalJob["status"].string == "done")
            for photo in try await flow.photos() {
                if photo["id"].string == refusedID {
                    #expect(photo["tags"].strings.isEmpty && photo["caption"].isNull)
                } else {
                    TaggingFlow.expectTagged(photo)
                }
            }
            requests = await flow.chatCompletions()
            #expect(requests.filter { $0.fault == "refusal" }.count == 1)
            // Usage counts every answer the fake billed, the refusal included.
            let usage = try await flow.usage()
            let billed = TaggingFlow.billed(requests)
            #expect(usage.prompt == billed.prompt && usage.completion == billed.completion, "\(usage) vs \(billed)")

            // Quota exhausted (429 insufficient_quota, not retryable): the job's items fail
            // saying so, and the job stops calling instead of sending one doomed request per photo.
            let quotaPhotos = try await flow.upload(["sharp-cameraman.jpg", "sharp-grace-hopper.jpg", "motion-cat.jpg"])
            try #require(quotaPhotos.count == 3)
            await flow.fake.addFault(FakeOpenAIFault(.insufficientQuota, count: 1000))
            let sentBefore = requests.count
            let quotaJob = try await flow.tagAndWait(
                #"{"photo_ids": [\#(quotaPhotos.map { "\"\($0["id"].string ?? "")\"" }.joined(separator: ","))]}"#,
                done: 0, failed: 3)
            #expect(quotaJob["status"].string == "failed", "\(quotaJob.value)")
            #expect(
                quotaJob["errors"].array.allSatisfy { $0["error"].string?.contains("quota") == true },
                "\(quotaJob.value)")
            let quotaRequests = await flow.chatCompletions().count - sentBefore
            #expect(quotaRequests >= 1 && quotaRequests <= 2, "\(quotaRequests) requests after the quota ran out")
            await flow.fake.clearFaults()
            #expect(flow.server.isRunning)
        }
    }

    /// 500 forever for one photo: bounded retries, then the item fails with a reason; the
    /// server goes on and tags the photo once the service is back.
    @Test(.timeLimit(.minutes(2)))
    func serverErrorsForeverFailTheItemAfterBoundedRetries() async throws {
        try await TaggingFlow.run { flow in
            let photos = try await flow.upload(["sharp-cat.jpg", "sharp-rocket.jpg"])
            try #require(photos.count == 2)
            let doomed = try #require(photos.first?["id"].string)
            await flow.fake.addFault(FakeOpenAIFault(.serverError, count: 100_000))
            let clock = ContinuousClock(), start = clock.now
            let job = try await flow.tagAndWait(path: "/api/v1/photos/\(doomed)/tag", done: 0, failed: 1, seconds: 75)
            let elapsed = clock.now - start
            #expect(job["status"].string == "failed" && job["failed"].int == 1, "\(job.value)")
            let reason = job["errors"].array.first?["error"].string ?? ""
            #expect(reason.contains("unavailable") && reason.contains("500"), "reason: \(reason)")
            let requests = await flow.chatCompletions()
            // The tagger's 4 tries × the queue's 3 attempts at most.
            #expect(requests.count >= 2 && requests.count <= 12, "\(requests.count) requests")
            #expect(requests.allSatisfy { $0.status == 500 })
            print("tagging-flow: 500 forever: \(requests.count) requests, item failed after \(elapsed)")
            #expect(flow.server.isRunning, "the server died: \(flow.server.logTail())")
            #expect(try await flow.get("/health/ready").status == 200)
            #expect(try await flow.usage().calls == 0)

            // The service is back: the same photo and the other one are tagged.
            await flow.fake.clearFaults()
            _ = try await flow.tagAndWait("{}", done: 2)
            for photo in try await flow.photos() { TaggingFlow.expectTagged(photo) }
        }
    }

    /// A wrong OPENAI_API_KEY: the items fail saying the key was refused, quickly, and the job
    /// stops calling after the first refusal instead of sending every photo.
    @Test(.timeLimit(.minutes(2)))
    func aRefusedKeyFailsTheJobWithoutEndlessRetries() async throws {
        let wrongKey = "sk-wrong-\(UUID().uuidString)"
        try await TaggingFlow.run(apiKey: wrongKey) { flow in
            let photos = try await flow.upload(Array(Self.eight.prefix(6)))
            try #require(photos.count == 6)
            let clock = ContinuousClock(), start = clock.now
            let job = try await flow.tagAndWait("{}", done: 0, failed: 6, seconds: 30)
            let elapsed = clock.now - start
            #expect(job["status"].string == "failed", "\(job.value)")
            #expect(
                job["errors"].array.allSatisfy { $0["error"].string?.contains("refused the API key") == true },
                "\(job.value)")
            let requests = await flow.chatCompletions()
            #expect(requests.allSatisfy { $0.status == 401 && $0.hadBearer && !$0.keyAccepted && !$0.keyInURL })
            // Each refusal is final: at most one request per worker, never a retry.
            #expect(requests.count >= 1 && requests.count <= 2, "\(requests.count) requests with a refused key")
            #expect(elapsed < .seconds(15), "took \(elapsed)")
            print("tagging-flow: refused key: \(requests.count) request(s), job failed after \(elapsed)")
            let log = flow.serverLog()
            #expect(!log.contains(wrongKey), "the server's log holds the key")
            let fakeLog = String(decoding: try JSONEncoder().encode(await flow.fake.log()), as: UTF8.self)
            #expect(!fakeLog.contains(wrongKey))
            #expect(try await flow.usage().calls == 0)
            #expect(flow.server.isRunning)
        }
    }

    // MARK: 5. Tagging off

    @Test(.timeLimit(.minutes(2)))
    func withoutOpenAISettingsTaggingIsOffAndEverythingElseWorks() async throws {
        try await TaggingFlow.run(openAI: false) { flow in
            let photos = try await flow.upload(Array(Self.eight.prefix(3)))
            try #require(photos.count == 3)
            let id = try #require(photos.first?["id"].string)
            for (path, body) in [("/api/v1/tags/batch", "{}"), ("/api/v1/photos/\(id)/tag", nil)] {
                let answer = try await flow.post(path, body)
                #expect(answer.status == 503 && answer.errorCode == "tagging_off", "\(path): \(answer.summary)")
                #expect(
                    answer.json["error"]["message"].string?.contains("OPENAI_API_KEY") == true,
                    "\(path): \(answer.summary)")
            }
            let tags = try await flow.get("/api/v1/tags")
            #expect(tags.status == 200, "\(tags.summary)")
            #expect(tags.json["enabled"].bool == false && tags.json["model"].isNull, "\(tags.summary)")
            #expect(tags.json["reason"].string?.contains("OPENAI_API_KEY") == true, "\(tags.summary)")
            #expect(tags.json["usage"]["calls"].int == 0 && tags.json["tagged_photos"].int == 0)
            let services = try await flow.get("/health/services")
            #expect(services.status == 200, "\(services.summary)")
            let tagging = services.json["services"].array.first { $0["name"].string == "tagging" }
            #expect(tagging?["status"].string == "ok", "\(services.summary)")
            #expect(tagging?["detail"].string?.hasPrefix("off") == true, "\(services.summary)")
            let stats = try await flow.get("/api/v1/stats")
            #expect(stats.status == 200 && stats.json["tagging"]["enabled"].bool == false, "\(stats.summary)")

            // Everything else works: analysis, listing, search without tags.
            let analyze = try await flow.post("/api/v1/blur/analyze-batch", "{}")
            try #require(analyze.status == 202, "\(analyze.summary)")
            let job = try await flow.waitJob(try #require(analyze.json["job_id"].string))
            #expect(job["status"].string == "done" && job["done"].int == 3, "\(job.value)")
            let listed = try await flow.photos()
            #expect(listed.count == 3 && listed.allSatisfy { $0["blur_score"].double != nil })
            #expect(listed.allSatisfy { $0["tags"].strings.isEmpty && $0["caption"].isNull })
            #expect(try await flow.photos(query: "tag=photo").isEmpty)
            #expect(await flow.fake.log().isEmpty, "a server with tagging off called the model")
        }
    }

    // MARK: 6. Owner scoping

    /// Local mode has a single user, so this runs in Google mode (the fake Google from
    /// GoogleFlowHarness.swift) with two Google accounts and the fake OpenAI.
    @Test(.timeLimit(.minutes(2)))
    func nobodySeesOrTagsAnotherPersonsPhotos() async throws {
        let fake = FakeOpenAI()
        try await FakeOpenAIServer.withRunning(fake) { root in
            let openAI = ["OPENAI_BASE_URL": root + "/v1", "OPENAI_API_KEY": TaggingFlow.key]
            try await GoogleFlow.run(environment: openAI) { flow in
                let alice = flow.browser(), bob = flow.browser()
                try await alice.signIn(user: "alice@example.com")
                try await bob.signIn(user: "bob@example.com")
                let alicePhotos = try await TaggingFlow.upload(["sharp-cat.jpg", "sharp-rocket.jpg"], with: alice)
                try #require(alicePhotos.count == 2)
                let aliceID = try #require(alicePhotos.first?["id"].string)
                let batch = try await alice.post("/api/v1/tags/batch", "{}")
                try #require(batch.status == 202, "\(batch.summary)")
                let aliceJob = try #require(batch.json["job_id"].string)
                let done = try await alice.waitJob(aliceJob)
                #expect(done["done"].int == 2, "\(done.value)")
                let aliceTags = try await alice.photos().flatMap { $0["tags"].strings }
                try #require(!aliceTags.isEmpty)
                let sent = await fake.log().count

                // Bob can neither tag Alice's photos nor learn anything about them.
                for (path, body) in [
                    ("/api/v1/photos/\(aliceID)/tag", nil as String?),
                    ("/api/v1/photos/\(aliceID)/tag?force=true", nil),
                    ("/api/v1/tags/batch", #"{"photo_ids": ["\#(aliceID)"]}"#),
                    ("/api/v1/tags/batch", #"{"photo_ids": ["\#(aliceID)"], "force": true}"#),
                ] {
                    let answer = try await bob.post(path, body)
                    #expect(answer.status == 404, "bob's POST \(path) answered \(answer.summary)")
                }
                #expect(try await bob.get("/api/v1/blur/jobs/\(aliceJob)").status == 404)
                for tag in Set(aliceTags) {
                    let listed = try await bob.get("/api/v1/photos?tag=\(HTTP.encodeSegment(tag))")
                    #expect(
                        listed.status == 200 && listed.json["photos"].array.isEmpty, "tag=\(tag): \(listed.summary)")
                }
                let searched = try await bob.get("/api/v1/photos?q=photo")
                #expect(searched.status == 200 && searched.json["photos"].array.isEmpty, "\(searched.summary)")
                let bobTags = try await bob.get("/api/v1/tags")
                #expect(bobTags.json["tagged_photos"].int == 0 && bobTags.json["tags"].array.isEmpty)
                #expect(bobTags.json["usage"]["calls"].int == 0, "\(bobTags.summary)")
                let bobBatch = try await bob.post("/api/v1/tags/batch", "{}")
                #expect(bobBatch.status == 202 && bobBatch.json["total"].int == 0, "\(bobBatch.summary)")
                #expect(await fake.log().count == sent, "bob's requests reached the model")

                // Bob's own copy of the same bytes: his photo, his tags; the answer comes from
                // the shared cache (by content hash and model), so no request is sent.
                let bobsCopy = try await TaggingFlow.upload(["sharp-cat.jpg"], with: bob)
                let bobID = try #require(bobsCopy.first?["id"].string)
                #expect(bobID != aliceID)
                let bobJob = try await bob.post("/api/v1/photos/\(bobID)/tag")
                try #require(bobJob.status == 202, "\(bobJob.summary)")
                _ = try await bob.waitJob(try #require(bobJob.json["job_id"].string))
                #expect(try await bob.photos().first?["tags"].strings.isEmpty == false)
                #expect(await fake.log().count == sent, "bob's copy of alice's bytes was sent to the model")
                let bobUsage = try await bob.get("/api/v1/tags")
                #expect(bobUsage.json["usage"]["cached_calls"].int == 1, "\(bobUsage.summary)")
                // Alice's view is unchanged.
                #expect(try await alice.photos().count == 2)
                let aliceUsage = try await alice.get("/api/v1/tags")
                #expect(aliceUsage.json["usage"]["calls"].int == 2, "\(aliceUsage.summary)")
            }
        }
    }

    // MARK: 7. A worker killed mid-tagging

    /// SIGKILL while the fake is slow to answer, restart on the same DATA_DIR: every photo ends
    /// tagged once. The lease (2 s) is shorter than an answer (2.5 s) and there are more workers
    /// (3) than calls allowed at once (2): only lease renewal keeps a second worker from taking
    /// (and paying for) a photo still being tagged.
    @Test(.timeLimit(.minutes(2)))
    func aWorkerKilledMidTaggingLeavesEveryPhotoTaggedOnce() async throws {
        try await TaggingFlow.run(
            workers: 3, environment: ["JOB_LEASE_SECONDS": "2", "OPENAI_CONCURRENCY": "2"],
            configure: { $0.latencyMs = 2500 }
        ) { flow in
            let photos = try await flow.upload(Self.eight)
            try #require(photos.count == 8)
            let batch = try await flow.post("/api/v1/tags/batch", "{}")
            try #require(batch.status == 202, "\(batch.summary)")
            let jobID = try #require(batch.json["job_id"].string)

            // Kill once at least two are done and calls are in flight.
            let deadline = Date().addingTimeInterval(60)
            var atKill = try await flow.job(jobID)
            while Date() < deadline {
                let inFlight = await flow.fake.state().inFlight
                if (atKill["done"].int ?? 0) >= 2, inFlight > 0 { break }
                try await Task.sleep(for: .milliseconds(50))
                atKill = try await flow.job(jobID)
            }
            let inFlightAtKill = await flow.fake.state().inFlight
            flow.kill()
            try #require((atKill["done"].int ?? 0) < 8, "not killed mid-batch: \(atKill.value)")
            try #require(inFlightAtKill > 0, "nothing in flight at the kill")

            try await flow.restart()
            let final = try await flow.waitJob(jobID, seconds: 60)
            #expect(final["status"].string == "done" && final["done"].int == 8, "\(final.value)")
            #expect(final["failed"].int == 0)
            // Wait for any answer the dead process asked for to finish at the fake.
            let settle = Date().addingTimeInterval(10)
            while await flow.fake.state().inFlight > 0, Date() < settle { try await Task.sleep(for: .milliseconds(50)) }

            for photo in try await flow.photos() { TaggingFlow.expectTagged(photo) }
            let sqlite = try flow.sqlite()
            #expect(try sqlite.query("SELECT COUNT(*) FROM photos WHERE tag_model IS NULL") == "0")
            #expect(
                try sqlite.query(
                    "SELECT COUNT(*) FROM (SELECT photo_id, tag FROM photo_tags GROUP BY photo_id, tag HAVING COUNT(*) > 1)"
                ) == "0")
            #expect(try sqlite.query("SELECT COUNT(*) FROM photo_tags") == "\(8 * 7)", "the fake gives 7 tags a photo")
            let usageRows = try sqlite.query(
                "SELECT photo_id, COUNT(*) FROM tag_usage GROUP BY photo_id HAVING COUNT(*) > 1")
            #expect(usageRows.isEmpty, "photos paid for more than once in usage: \(usageRows)")
            let attempts = try sqlite.query("SELECT SUM(attempts) FROM job_items")

            // What usage shows: one paid call per photo. The fake answered more: the calls the
            // killed process was waiting for were billed and their answers lost (at least once).
            let requests = await flow.chatCompletions()
            let usage = try await flow.usage()
            #expect(usage.calls == 8 && usage.cached == 0, "\(usage)")
            let lost = requests.count - usage.calls
            #expect(
                lost >= 0 && lost <= 2,
                "\(requests.count) requests for 8 photos, \(inFlightAtKill) in flight at the kill")
            print(
                """
                tagging-flow: killed with \(atKill["done"].int ?? 0)/8 done and \(inFlightAtKill) call(s) in flight; \
                the fake answered \(requests.count) calls, usage shows \(usage.calls) \
                (\(usage.prompt) prompt tokens; \(lost) paid call(s) lost with the process); \(attempts) attempts
                """)
        }
    }

    // MARK: 8. Bad settings stop the start

    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            ("OPENAI_CONCURRENCY", "0"), ("OPENAI_BASE_URL", "not-a-url"), ("OPENAI_TIMEOUT_SECONDS", "0"),
            ("OPENAI_API_KEY", "sk-has a-space-SECRET42"),
        ])
    func aBadOpenAISettingStopsServeNamingTheVariable(variable: String, value: String) async throws {
        let work = try TemporaryDirectory()
        defer { work.remove() }
        var environment = [
            "PORT": String(try KillRecoveryTests.freePort()), "HOST": "127.0.0.1", "DATA_DIR": work.path + "/data",
            "WORKERS": "1", "OPENAI_API_KEY": TaggingFlow.key, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        ]
        environment[variable] = value
        let server = try KillRecoveryTests.ServerProcess(
            binary: HostileInputTests.classifyBinary, environment: environment, log: work.path + "/serve.log")
        defer { server.stop() }
        let exited = server.waitForExit(seconds: 30)
        try #require(exited, "serve still running with \(variable)=\(value): \(server.logTail())")
        let output = server.logTail()
        #expect(server.process.terminationStatus != 0, "exit status \(server.process.terminationStatus)")
        #expect(output.contains(variable), "the message does not name \(variable): \(output)")
        #expect(!output.contains("SECRET42"), "the message shows the key: \(output)")
    }
}

// MARK: - Harness

/// The fake OpenAI in this process and `classify serve` (local mode) as a child process pointed
/// at it, each on its own loopback port; Classify with its own DATA_DIR, signed in with the
/// local grant. `TaggingFlow.run` stops both afterwards.
final class TaggingFlow: @unchecked Sendable {
    let fake: FakeOpenAI
    let port: Int
    let work: TemporaryDirectory
    let environment: [String: String]
    var server: KillRecoveryTests.ServerProcess
    var runs = 1
    var token: String?

    static let key = FakeOpenAIConfiguration.defaultKey
    static let fixtures = GoogleFlow.fixtures
    /// gpt-4o-mini list prices, USD per million tokens.
    static let inputPrice = 0.15
    static let outputPrice = 0.60

    var app: String { "http://127.0.0.1:\(port)" }
    var dataDir: String { work.path + "/data" }

    private init(
        fake: FakeOpenAI, port: Int, work: TemporaryDirectory, environment: [String: String],
        server: KillRecoveryTests.ServerProcess
    ) {
        self.fake = fake
        self.port = port
        self.work = work
        self.environment = environment
        self.server = server
    }

    /// - Parameters:
    ///   - openAI: false to serve without any `OPENAI_*` (tagging off).
    ///   - apiKey: the `OPENAI_API_KEY` Classify gets (the fake accepts only `key`).
    static func run(
        workers: Int = 2, openAI: Bool = true, apiKey: String = TaggingFlow.key,
        environment extra: [String: String] = [:],
        configure: @Sendable (inout FakeOpenAIConfiguration) -> Void = { _ in },
        _ body: @Sendable (TaggingFlow) async throws -> Void
    ) async throws {
        let binary = HostileInputTests.classifyBinary
        try #require(
            access(binary, X_OK) == 0, "no classify binary at \(binary) (run `swift build` or set CLASSIFY_BIN)")
        var configuration = FakeOpenAIConfiguration()
        configure(&configuration)
        let fake = FakeOpenAI(configuration: configuration)
        let work = try TemporaryDirectory()
        // TAGGING_FLOW_KEEP=1 keeps DATA_DIR and the server logs for a look afterwards.
        let keep = ProcessInfo.processInfo.environment["TAGGING_FLOW_KEEP"] != nil
        defer { if keep { print("tagging-flow: kept \(work.path)") } else { work.remove() } }
        try await FakeOpenAIServer.withRunning(fake) { root in
            let port = try KillRecoveryTests.freePort()
            var environment = [
                "PORT": String(port), "HOST": "127.0.0.1", "DATA_DIR": work.path + "/data",
                "WORKERS": String(workers), "JOB_LEASE_SECONDS": "10",
            ]
            if openAI {
                environment["OPENAI_BASE_URL"] = root + "/v1"
                environment["OPENAI_API_KEY"] = apiKey
            }
            environment.merge(extra) { $1 }
            let server = try KillRecoveryTests.ServerProcess(
                binary: binary, environment: environment, log: work.path + "/serve-1.log")
            let flow = TaggingFlow(fake: fake, port: port, work: work, environment: environment, server: server)
            defer { flow.server.stop() }
            try await flow.waitReady()
            try await flow.signIn()
            try await body(flow)
        }
    }

    func waitReady(seconds: Double = 30) async throws {
        try await server.waitReady(app: app, seconds: seconds)
    }

    func signIn() async throws {
        token = nil
        let answer = try await post("/api/v1/auth/token", #"{"grant_type":"local"}"#)
        try #require(answer.status == 200, "sign-in answered \(answer.summary)")
        let access: String = try #require(answer.json["access_token"].string)
        token = access
    }

    /// SIGKILL, and wait until the process is gone.
    func kill() {
        server.kill9()
        #expect(server.waitForExit(seconds: 10), "still running 10 s after SIGKILL")
    }

    /// A new process on the same DATA_DIR and port, signed in again.
    func restart() async throws {
        runs += 1
        server = try KillRecoveryTests.ServerProcess(
            binary: HostileInputTests.classifyBinary, environment: environment, log: work.path + "/serve-\(runs).log")
        try await waitReady()
        try await signIn()
    }

    /// Every log line the server processes wrote so far.
    func serverLog() -> String {
        (1...runs).map { run in
            (try? String(contentsOfFile: work.path + "/serve-\(run).log", encoding: .utf8)) ?? ""
        }.joined(separator: "\n")
    }

    func sqlite() throws -> KillRecoveryTests.SQLite {
        try #require(KillRecoveryTests.SQLite(path: dataDir + "/photos.sqlite", directory: work.path), "no sqlite3")
    }

    // MARK: API

    func send(_ method: String, _ path: String, json: String? = nil, contentType: String? = nil, body: [UInt8]? = nil)
        async throws -> HTTPAnswer
    {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        var payload = body
        if let json {
            headers.append(("Content-Type", "application/json"))
            payload = Array(json.utf8)
        } else if let contentType {
            headers.append(("Content-Type", contentType))
        }
        return try await HTTP.send(method, app + path, headers: headers, body: payload)
    }

    func get(_ path: String) async throws -> HTTPAnswer { try await send("GET", path) }

    func post(_ path: String, _ json: String? = nil) async throws -> HTTPAnswer {
        try await send("POST", path, json: json)
    }

    /// Uploads fixture photos (201); the photos as the upload answered them.
    func upload(_ names: [String]) async throws -> [JSON] {
        let (contentType, body) = try Self.multipart(names)
        let answer = try await send("POST", "/api/v1/photos/upload", contentType: contentType, body: body)
        try #require(answer.status == 201, "upload answered \(answer.summary)")
        try #require(answer.json["errors"].array.isEmpty, "refused: \(answer.summary)")
        return answer.json["photos"].array
    }

    /// The same upload through a signed-in browser (Google mode).
    static func upload(_ names: [String], with browser: Browser) async throws -> [JSON] {
        let (contentType, body) = try multipart(names)
        let answer = try await browser.send(
            "POST", "/api/v1/photos/upload", headers: [("Content-Type", contentType)], body: body)
        try #require(answer.status == 201, "upload answered \(answer.summary)")
        return answer.json["photos"].array
    }

    static func multipart(_ names: [String]) throws -> (contentType: String, body: [UInt8]) {
        let boundary = "classify-\(UUID().uuidString)"
        var body: [UInt8] = []
        for name in names {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name))
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: image/jpeg\r\n\r\n"
                    .utf8)
            body += Array(bytes)
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    func photos(query: String = "") async throws -> [JSON] {
        let answer = try await get("/api/v1/photos?limit=200" + (query.isEmpty ? "" : "&" + query))
        try #require(answer.status == 200, "photos?\(query) answered \(answer.summary)")
        return answer.json["photos"].array
    }

    func photo(_ id: String) async throws -> JSON {
        let answer = try await get("/api/v1/photos/\(id)")
        try #require(answer.status == 200, "photos/\(id) answered \(answer.summary)")
        return try #require(answer.json["photos"].array.first)
    }

    func job(_ id: String) async throws -> JSON {
        let answer = try await get("/api/v1/blur/jobs/\(id)")
        try #require(answer.status == 200, "job answered \(answer.summary)")
        return answer.json
    }

    /// Polls the job until it is done or failed.
    func waitJob(_ id: String, seconds: Double = 60) async throws -> JSON {
        let deadline = Date().addingTimeInterval(seconds)
        var last = JSON([:])
        while Date() < deadline {
            last = try await job(id)
            if ["done", "failed"].contains(last["status"].string ?? "") { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(id) not finished after \(seconds) s: \(last.value); \(server.logTail())")
        throw GoogleFlowError.timedOut("job \(id)")
    }

    /// `POST /tags/batch` with `json` (or `path` without a body), waits for the job and checks
    /// how many items ended done and failed.
    @discardableResult
    func tagAndWait(
        _ json: String? = nil, path: String = "/api/v1/tags/batch", done: Int, failed: Int = 0,
        seconds: Double = 60, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSON {
        let answer = try await post(path, json)
        try #require(answer.status == 202, "\(path) answered \(answer.summary)", sourceLocation: sourceLocation)
        let job = try await waitJob(
            try #require(answer.json["job_id"].string, sourceLocation: sourceLocation), seconds: seconds)
        #expect(
            job["done"].int == done && job["failed"].int == failed,
            "expected \(done) done and \(failed) failed: \(job.value)", sourceLocation: sourceLocation)
        return job
    }

    struct Usage: Equatable, CustomStringConvertible {
        var calls: Int
        var cached: Int
        var prompt: Int
        var completion: Int
        var cost: Double

        var description: String {
            "calls \(calls) (cached \(cached)), tokens \(prompt) + \(completion), $\(cost)"
        }
    }

    /// `GET /tags`' usage.
    func usage() async throws -> Usage {
        let answer = try await get("/api/v1/tags")
        try #require(answer.status == 200, "tags answered \(answer.summary)")
        let usage = answer.json["usage"]
        return Usage(
            calls: usage["calls"].int ?? -1, cached: usage["cached_calls"].int ?? -1,
            prompt: usage["prompt_tokens"].int ?? -1, completion: usage["completion_tokens"].int ?? -1,
            cost: usage["estimated_cost_usd"].double ?? -1)
    }

    // MARK: The fake

    /// The chat completions the fake logged, in order.
    func chatCompletions() async -> [FakeOpenAILogEntry] {
        await fake.log().filter { $0.path == "/v1/chat/completions" }
    }

    /// The tokens of the answers the fake gave (every 200 is billed, refusals included).
    static func billed(_ entries: [FakeOpenAILogEntry]) -> (prompt: Int, completion: Int) {
        let answered = entries.filter { $0.status == 200 }
        return (
            answered.compactMap(\.promptTokens).reduce(0, +), answered.compactMap(\.completionTokens).reduce(0, +)
        )
    }

    static func cost(prompt: Int, completion: Int) -> Double {
        (Double(prompt) * inputPrice + Double(completion) * outputPrice) / 1_000_000
    }

    /// 3–10 lowercase, trimmed, distinct tags and a one-line caption.
    static func expectTagged(_ photo: JSON, sourceLocation: SourceLocation = #_sourceLocation) {
        let tags = photo["tags"].strings
        let name = photo["filename"].string ?? "?"
        #expect((3...10).contains(tags.count), "\(name): \(tags)", sourceLocation: sourceLocation)
        #expect(
            tags.allSatisfy { $0 == $0.lowercased() && $0 == $0.trimmingCharacters(in: .whitespaces) && !$0.isEmpty },
            "\(name): \(tags)", sourceLocation: sourceLocation)
        #expect(Set(tags).count == tags.count, "\(name): \(tags)", sourceLocation: sourceLocation)
        let caption = photo["caption"].string ?? ""
        #expect(
            !caption.isEmpty && !caption.contains("\n"), "\(name): caption \(caption)", sourceLocation: sourceLocation)
    }
}
