import ArgumentParser
import ClassifyApp
import ClassifyCore
import Foundation

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add photo files or folders (recursive) to the local user's library.")

    @Argument(help: "Photos or folders to add.")
    var paths: [String]

    func run() async throws {
        let config = try Config(
            environment: ProcessInfo.processInfo.environment, cores: ProcessInfo.processInfo.activeProcessorCount)
        let code = try await ImportJob(paths: paths.map(RawArguments.path), config: config)
            .run(output: FileOutput.standardOutput)
        if code != 0 { throw ExitCode(code) }
    }
}
