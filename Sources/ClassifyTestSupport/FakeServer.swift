import Hummingbird
import NIOCore
import ServiceLifecycle

/// Runs a fake's router on a real socket for the duration of `body`, for clients that need a
/// URL. Port 0 picks a free port; `ready` learns the address before `body` runs.
enum FakeServer {
    static func withRunning<Value: Sendable>(
        _ router: Router<BasicRequestContext>, host: String, port: Int,
        ready: @Sendable (_ baseURL: String) async -> Void = { _ in },
        _ body: @Sendable (_ baseURL: String) async throws -> Value
    ) async throws -> Value {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "classify-fakes"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            })
        let services = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [], logger: app.logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }  // a server that fails to start must not leave us waiting
                try await services.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next() else {
                try await group.waitForAll()
                throw CancellationError()
            }
            let baseURL = "http://\(host):\(bound)"
            await ready(baseURL)
            let result: Result<Value, any Error>
            do { result = .success(try await body(baseURL)) } catch { result = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}
