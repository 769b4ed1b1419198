import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The fake OpenAI's HTTP face: the API under `/v1`, the admin API under `/fake/`, and
/// OpenAI's error envelope for unknown paths.
public enum FakeOpenAIRouter {
    public static func build(_ fake: FakeOpenAI) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FakeOpenAIEnvelopeMiddleware(fake: fake))
        FakeOpenAIController(fake: fake).add(to: router)
        FakeOpenAIAdminController(fake: fake).add(to: router)
        router.get("/") { _, _ in
            FakeHTTP.text("classify-fakes openai: see docs/fake-openai.md\n")
        }
        return router
    }
}

/// Runs a fake OpenAI on a real socket for the duration of `body`. Port 0 picks a free port.
/// `body` gets the server's root (`http://127.0.0.1:PORT`); the API is under `/v1`.
public enum FakeOpenAIServer {
    public static func withRunning<Value: Sendable>(
        _ fake: FakeOpenAI, host: String = "127.0.0.1", port: Int = 0,
        _ body: @Sendable (_ baseURL: String) async throws -> Value
    ) async throws -> Value {
        try await FakeServer.withRunning(
            FakeOpenAIRouter.build(fake), host: host, port: port, body)
    }
}

/// Unknown paths and methods get OpenAI's `404 Invalid URL (METHOD /path)` envelope (and a
/// log line) instead of Hummingbird's plain answer.
struct FakeOpenAIEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    let fake: FakeOpenAI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let path = request.uri.path
            if path == "/fake" || path.hasPrefix("/fake/") { throw error }
            let controller = FakeOpenAIController(fake: fake)
            var (entry, _) = await controller.startEntry(request)
            let envelope = FakeOpenAIError.invalidURL(method: request.method.rawValue, path: path)
            entry.status = envelope.status
            entry.errorCode = envelope.logCode
            await fake.record(entry)
            return envelope.response()
        }
    }
}

/// The admin API under `/fake/` (docs/fake-openai.md). Unauthenticated: keep the fake on
/// loopback.
struct FakeOpenAIAdminController {
    let fake: FakeOpenAI

    struct FaultInput: Decodable {
        var kind: FakeOpenAIFault.Kind
        var count: Int?
        var retryAfter: Int?
        var retryAfterMs: Int?
        var resetRequests: String?
        var delayMs: Int?
        var status: Int?
    }

    func add(to router: Router<BasicRequestContext>) {
        let admin = router.group("/fake")
        admin.get("/state") { _, _ in try FakeAdminController.encode(await fake.state()) }
        admin.get("/log") { request, _ in
            let query = Dictionary(FakeHTTP.formPairs(request.uri.query ?? ""), uniquingKeysWith: { first, _ in first })
            return try FakeAdminController.encode(await fake.log(since: Int(query["since"] ?? "") ?? 0))
        }
        admin.delete("/log") { _, _ in
            await fake.clearLog()
            return FakeAdminController.ok
        }
        admin.get("/faults") { _, _ in try FakeAdminController.encode(await fake.activeFaults) }
        admin.delete("/faults") { _, _ in
            await fake.clearFaults()
            return FakeAdminController.ok
        }
        admin.post("/faults") { request, _ in
            let input = try await FakeAdminController.decode(FaultInput.self, request)
            let count = input.count ?? 1
            guard (1...100_000).contains(count) else {
                return FakeAdminController.problem(400, "count must be 1…100000")
            }
            if input.kind == .delay, (input.delayMs ?? 0) <= 0 {
                return FakeAdminController.problem(400, "a delay fault needs delayMs")
            }
            let fault = FakeOpenAIFault(
                input.kind, count: count, retryAfter: input.retryAfter, retryAfterMs: input.retryAfterMs,
                resetRequests: input.resetRequests, delayMs: input.delayMs, status: input.status)
            await fake.addFault(fault)
            return try FakeAdminController.encode(fault)
        }
        admin.patch("/settings") { request, _ in
            let input = try await FakeAdminController.decode(FakeOpenAISettings.self, request)
            await fake.updateConfiguration { input.apply(to: &$0) }
            return try FakeAdminController.encode(await fake.state())
        }
        admin.post("/reset") { _, _ in
            await fake.reset()
            return FakeAdminController.ok
        }
    }
}
