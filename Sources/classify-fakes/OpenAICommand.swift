import ArgumentParser
import ClassifyTestSupport
import Foundation
import Hummingbird

/// `classify-fakes openai`: the Chat Completions API with image input, strict like OpenAI's.
struct OpenAICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openai", abstract: "Run a fake OpenAI Chat Completions API (vision, structured outputs).",
        discussion: "Admin API and variables for the app: docs/fake-openai.md.")

    @Option(help: "Port to listen on.") var port = 4545
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(
        name: .customLong("key"),
        help:
            "API key accepted as 'Authorization: Bearer …' (repeat for several; default \(FakeOpenAIConfiguration.defaultKey))."
    )
    var keys: [String] = []
    @Flag(name: .customLong("no-key"), help: "Accept any key or none, like a local server without --api-key.")
    var noKey = false
    @Option(name: .customLong("rpm"), help: "Requests per minute before 429 rate_limit_exceeded (default: unlimited).")
    var requestsPerMinute: Int?
    @Option(name: .customLong("latency-ms"), help: "Added to every chat completion.") var latencyMs = 0
    @Option(
        name: .customLong("model"),
        help: "Another model id to serve, billed like gpt-4o-mini (repeat; gpt-4o-mini and gpt-4o are always served).")
    var extraModels: [String] = []

    func validate() throws {
        if let requestsPerMinute, requestsPerMinute < 1 { throw ValidationError("--rpm must be at least 1") }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms must not be negative") }
        for key in keys where key.isEmpty || key.contains(where: { $0.isWhitespace }) {
            throw ValidationError("a --key must be non-empty and without spaces")
        }
    }

    func run() async throws {
        var configuration = FakeOpenAIConfiguration()
        if !keys.isEmpty { configuration.apiKeys = keys }
        configuration.requireKey = !noKey
        configuration.requestsPerMinute = requestsPerMinute
        configuration.latencyMs = latencyMs
        for id in extraModels where configuration.models.allSatisfy({ $0.id != id }) {
            configuration.models.append(
                FakeOpenAIModel(
                    id: id, imageBaseTokens: FakeOpenAIModel.gpt4oMini.imageBaseTokens,
                    imageTileTokens: FakeOpenAIModel.gpt4oMini.imageTileTokens))
        }
        let fake = FakeOpenAI(configuration: configuration)
        let base = "http://\(host):\(port)"
        // Unbuffered, so the lines show up at once when stdout is a file or a pipe. The key is
        // printed because it is a fake one the operator chose (or the documented default).
        FileHandle.standardOutput.write(
            Data(
                """
                classify-fakes openai listening on \(host):\(port) (admin API under \(base)/fake/)
                Point Classify at it with:
                  export OPENAI_BASE_URL=\(base)/v1\(noKey ? "" : " OPENAI_API_KEY='\(configuration.apiKeys[0])'")

                """.utf8))
        let app = Application(
            router: FakeOpenAIRouter.build(fake),
            configuration: .init(address: .hostname(host, port: port), serverName: "classify-fakes"))
        try await app.runService()
    }
}
