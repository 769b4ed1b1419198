import ArgumentParser
import ClassifyApp

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply database migrations and exit.",
        discussion: """
            Databases: AUTH_DB_URL and PHOTOS_DB_URL (sqlite:PATH or postgres://…); by default
            DATA_DIR/auth.sqlite and DATA_DIR/photos.sqlite, DATA_DIR defaulting to ./data.
            """)

    func run() async throws {
        let environment = ProcessEnvironment()
        let dataDirectory = environment["DATA_DIR"] ?? "./data"
        try FileOutput.makeDirectory(dataDirectory)
        let job = MigrateJob(
            authURL: environment["AUTH_DB_URL"] ?? "sqlite:\(dataDirectory)/auth.sqlite",
            photosURL: environment["PHOTOS_DB_URL"] ?? "sqlite:\(dataDirectory)/photos.sqlite")
        try await job.run(output: FileOutput.standardOutput)
    }
}
