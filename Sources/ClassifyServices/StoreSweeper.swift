import Foundation
import Logging
import ServiceLifecycle

/// Keeps the photo store clean while `serve` runs: uploads a crash left unfinished
/// (`PhotoLibrary.sweepIncoming`), and deletes a crash cut off before their files went
/// (`PhotoLibrary.sweepReleased`). Runs in the background, once right away, then every
/// `interval`, until shutdown.
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

    /// One pass.
    func sweep() async {
        let unfinished = library.sweepIncoming()
        if unfinished > 0 {
            logger.notice("deleted uploads a crash had left unfinished", metadata: ["files": "\(unfinished)"])
        }
        do {
            let released = try await library.sweepReleased()
            if released > 0 {
                logger.notice("finished deletes a crash had cut off", metadata: ["photos": "\(released)"])
            }
        } catch {
            logger.warning("the photo store could not be swept", metadata: ["error": "\(error)"])
        }
    }
}
