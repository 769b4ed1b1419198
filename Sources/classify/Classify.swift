import ArgumentParser
import ClassifyApp

@main
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Find the blurred shots in a photo library and keep the good ones.",
        subcommands: [Scan.self])

    /// Usage errors exit with 2 (DESIGN.md 5.3), not ArgumentParser's default 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
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
