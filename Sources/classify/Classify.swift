import ArgumentParser
import ClassifyApp

@main
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Find the blurred shots in a photo library and keep the good ones.",
        subcommands: [Scan.self, Serve.self, Import.self, Migrate.self])

    /// Usage errors exit with 2 (DESIGN.md 5.3), not ArgumentParser's default 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                FileOutput.standardError(message)
                FileOutput.exit(2)
            }
            exit(withError: error)
        }
    }
}
