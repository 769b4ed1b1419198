import ArgumentParser

/// Fake servers for tests and demos (DESIGN.md section 1). Google is unreachable from the
/// machines Classify is built on, so its clients are proven against these.
@main
struct ClassifyFakes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify-fakes",
        abstract: "Fake Google and OpenAI servers for Classify's tests and demos.",
        subcommands: [GoogleCommand.self, OpenAICommand.self])
}
