import ClassifyAI
import ClassifyCore
import ClassifyTestSupport
import Foundation
import ImageDecoding
import Synchronization
import Testing

/// A fake OpenAI on a free loopback port, with Classify's real tagger pointed at it.
struct LiveFakeOpenAI: Sendable {
    let fake: FakeOpenAI
    /// `http://127.0.0.1:PORT`; the API is under `/v1`.
    let root: String

    static let key = FakeOpenAIConfiguration.defaultKey

    var apiBase: String { root + "/v1" }

    static func run(
        _ configure: @Sendable (inout FakeOpenAIConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveFakeOpenAI) async throws -> Void
    ) async throws {
        var configuration = FakeOpenAIConfiguration()
        configure(&configuration)
        let fake = FakeOpenAI(configuration: configuration)
        try await FakeOpenAIServer.withRunning(fake) { root in
            try await body(LiveFakeOpenAI(fake: fake, root: root))
        }
    }

    func configuration(
        apiKey: String? = LiveFakeOpenAI.key, concurrency: Int = 4, timeout: Duration = .seconds(20),
        tokenLimitParameter: OpenAITokenLimitParameter? = nil
    ) throws -> OpenAIConfiguration {
        try OpenAIConfiguration(
            apiKey: apiKey, baseURL: apiBase, concurrency: concurrency, timeout: timeout,
            tokenLimitParameter: tokenLimitParameter)
    }

    /// A tagger whose retries record their waits instead of sleeping.
    func tagger(
        _ configuration: OpenAIConfiguration? = nil, retry: OpenAIRetryPolicy = OpenAIRetryPolicy(),
        sleeps: SleepRecorder = SleepRecorder()
    ) throws -> OpenAITagger {
        try OpenAITagger(configuration: configuration ?? self.configuration(), retry: retry, sleep: sleeps.sleep)
    }

    func fault(_ kind: FakeOpenAIFault.Kind, count: Int = 1, retryAfter: Int? = nil, delayMs: Int? = nil) async {
        await fake.addFault(FakeOpenAIFault(kind, count: count, retryAfter: retryAfter, delayMs: delayMs))
    }

    /// Chat completions the fake has started (counted on arrival, before any delay).
    func requestCount() async -> Int { await fake.state().requests }

    /// The fake's log as the JSON an admin client would read.
    func logJSON() async throws -> String {
        String(decoding: try JSONEncoder().encode(await fake.log()), as: UTF8.self)
    }

    // MARK: Photos

    /// `Tests/Fixtures/photos`.
    static let photos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/photos")

    static func photo(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: photos.appendingPathComponent(name)))
    }

    /// A 2400×1600 PNG with a gradient and a pattern: bigger than anything sent.
    static func bigPNG(width: Int = 2400, height: Int = 1600) throws -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let index = (y * width + x) * 3
                rgb[index] = UInt8(x * 255 / width)
                rgb[index + 1] = UInt8(y * 255 / height)
                rgb[index + 2] = ((x / 40 + y / 40) % 2 == 0) ? 230 : 30
            }
        }
        return try PNGEncoder.encodeRGB(rgb, width: width, height: height)
    }
}

/// Records the waits a retry asks for instead of sleeping.
final class SleepRecorder: Sendable {
    private let sleeps = Mutex<[Duration]>([])

    var requested: [Duration] { sleeps.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in sleeps.withLock { $0.append(duration) } }
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Runs `body` and returns the `TaggingFailure` it throws (failing the test when it succeeds
/// or throws something else).
func failure(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> PhotoTags
) async -> TaggingFailure? {
    do {
        let tags = try await body()
        Issue.record("expected a TaggingFailure, got \(tags)", sourceLocation: sourceLocation)
        return nil
    } catch let error as TaggingFailure {
        return error
    } catch {
        Issue.record("expected a TaggingFailure, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
