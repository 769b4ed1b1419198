import ArgumentParser
import ClassifyApp
import ClassifyCore
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the web app (embedded: SQLite under DATA_DIR, local sign-in, http://127.0.0.1:8080).",
        discussion:
            "Configuration comes from the environment: PORT, HOST, DATA_DIR, AUTH_DB_URL, PHOTOS_DB_URL, WORKERS, LOCAL_PASSWORD, JWT_SECRET, PUBLIC_URL, IMPORT_DIR, JOB_LEASE_SECONDS, LOG_LEVEL."
    )

    func run() async throws {
        // A bad setting stops the process with the variable's name (exit 1).
        let config = try Config(
            environment: ProcessInfo.processInfo.environment, cores: ProcessInfo.processInfo.activeProcessorCount)
        var logger = Logger(label: "classify")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        try await ServeJob(config: config, logger: logger).run()
    }
}
