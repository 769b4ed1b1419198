import Hummingbird
import Logging

/// One log line per request: method, path without its query string (codes and states travel
/// there), status and time. Headers are never logged: they carry tokens and cookies.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let clock = ContinuousClock(), start = clock.now
        var status = 500
        defer {
            context.logger.log(
                level: level, "request",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status)",
                    "ms": "\(((clock.now - start) / .microseconds(1)).rounded() / 1000)",
                ])
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
