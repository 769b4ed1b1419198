import Foundation
import Logging
import ServiceLifecycle

/// Keeps the photo store clean while `serve` runs: uploads a crash left unfinished
/// (`PhotoLibrary.sweepIncoming`), and files, renditions and model answers that no photo has
/// (`PhotoLibrary.sweepUnreferenced`). Runs in the background, so a large store does not hold
/// up the start: once right away, then every `interval`, until shutdown.
public struct StoreSweeper: Service {
    let library: PhotoLibrary
    let interval: Duration
    let logger: Logger

    public init(library: PhotoLibrary, interval: Duration = .seconds(3600), logger: Logger) {
        self.library = library
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweep()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass; returns the files deleted (unfinished uploads, files no photo has).
    @discardableResult
    public func sweep() async -> (unfinished: Int, unreferenced: Int) {
        let unfinished = library.sweepIncoming()
        if unfinished > 0 {
            logger.notice("deleted uploads a crash had left unfinished", metadata: ["files": "\(unfinished)"])
        }
        do {
            let unreferenced = try await library.sweepUnreferenced()
            if unreferenced > 0 {
                logger.notice("deleted stored photos that no photo record has", metadata: ["files": "\(unreferenced)"])
            }
            return (unfinished, unreferenced)
        } catch {
            logger.warning("the photo store could not be swept", metadata: ["error": "\(error)"])
            return (unfinished, 0)
        }
    }
}
