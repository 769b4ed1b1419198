import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The fake's HTTP face: one router for OAuth, Picker, media, Library and admin routes.
public enum FakeGoogleRouter {
    public static func build(_ fake: FakeGoogle) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FakeFaultMiddleware(fake: fake))
        FakeOAuthController(fake: fake).add(to: router)
        FakePickerController(fake: fake).add(to: router)
        FakeMediaController(fake: fake).add(to: router)
        FakeLibraryController(fake: fake).add(to: router)
        FakeAdminController(fake: fake).add(to: router)
        router.get("/") { _, _ in
            FakeHTTP.text("classify-fakes google: see docs/fake-google.md\n")
        }
        return router
    }
}

/// Runs a fake Google on a real socket for the duration of `body`, for clients (such as the
/// app's AsyncHTTPClient-based ones) that need a URL. Port 0 picks a free port; the fake's
/// `publicBaseURL` is set to the address it listens on.
public enum FakeGoogleServer {
    public static func withRunning<Value: Sendable>(
        _ fake: FakeGoogle, host: String = "127.0.0.1", port: Int = 0,
        _ body: @Sendable (_ baseURL: String) async throws -> Value
    ) async throws -> Value {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: FakeGoogleRouter.build(fake),
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
            await fake.setPublicBaseURL(baseURL)
            let result: Result<Value, any Error>
            do { result = .success(try await body(baseURL)) } catch { result = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}
