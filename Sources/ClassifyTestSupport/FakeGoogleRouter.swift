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
        try await FakeServer.withRunning(
            FakeGoogleRouter.build(fake), host: host, port: port, ready: { await fake.setPublicBaseURL($0) }, body)
    }
}
