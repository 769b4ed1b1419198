import Hummingbird

/// Applies injected faults (delay, then error status) to every request outside `/fake/`, and
/// writes each request to the fake's log without any secret.
struct FakeFaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let fake: FakeGoogle

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        if path == "/fake" || path.hasPrefix("/fake/") { return try await next(request, context) }
        let clock = ContinuousClock(), start = clock.now
        let fault = await fake.takeFault(method: request.method.rawValue, path: path)
        func log(_ status: Int) async {
            await fake.record(
                FakeRequestLogEntry(
                    sequence: 0, time: "", method: request.method.rawValue, path: FakeRequestLogEntry.redact(path),
                    queryNames: FakeHTTP.formPairs(request.uri.query ?? "").map(\.0),
                    hadBearer: FakeHTTP.bearer(request) != nil, status: status,
                    durationMs: Int((clock.now - start) / .milliseconds(1)),
                    fault: fault.map { $0.status.map(String.init) ?? "delay" }))
        }
        if let delay = fault?.delayMs, delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        if let error = fault?.error {
            await log(error.status.code)
            return error.response
        }
        do {
            let response = try await next(request, context)
            await log(response.status.code)
            return response
        } catch let error as HTTPResponseError {
            await log(error.status.code)
            throw error
        } catch {
            await log(500)
            throw error
        }
    }
}
