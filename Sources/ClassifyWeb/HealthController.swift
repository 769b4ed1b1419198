import Hummingbird

/// `GET /health` (the process answers) and `GET /health/ready` (every dependency answers:
/// databases, queue). Readiness names what failed, so an operator knows where to look.
public struct HealthController: Sendable {
    public struct Check: Sendable {
        public let name: String
        public let probe: @Sendable () async throws -> Void

        public init(name: String, probe: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.probe = probe
        }
    }

    let version: String
    let checks: [Check]

    public init(version: String, checks: [Check]) {
        self.version = version
        self.checks = checks
    }

    struct Health: ResponseEncodable {
        let status: String
        let version: String
    }

    struct Readiness: ResponseEncodable {
        let status: String
        let checks: [String: String]
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/health") { _, _ in Health(status: "ok", version: version) }
        router.get("/health/ready") { _, _ -> EditedResponse<Readiness> in
            var results: [String: String] = [:]
            for check in checks {
                do {
                    try await check.probe()
                    results[check.name] = "ok"
                } catch {
                    results[check.name] = "failing: \(error)"
                }
            }
            let ready = results.values.allSatisfy { $0 == "ok" }
            return EditedResponse(
                status: ready ? .ok : .serviceUnavailable,
                response: Readiness(status: ready ? "ready" : "not ready", checks: results))
        }
    }
}
