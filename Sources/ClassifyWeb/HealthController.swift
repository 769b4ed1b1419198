import Hummingbird

/// `GET /health` (the process answers), `GET /health/ready` (every dependency answers:
/// databases, queue) and `GET /health/services` (each service of DESIGN.md section 1, queue
/// depth and workers). Both name what failed, so an operator knows where to look.
public struct HealthController: Sendable {
    public struct Check: Sendable {
        public let name: String
        public let probe: @Sendable () async throws -> Void

        public init(name: String, probe: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.probe = probe
        }
    }

    /// One service of DESIGN.md section 1 (in-process in the embedded profile): its probe
    /// answers a short detail for people, or throws what is wrong.
    public struct ServiceCheck: Sendable {
        public let name: String
        public let probe: @Sendable () async throws -> String

        public init(name: String, probe: @escaping @Sendable () async throws -> String) {
            self.name = name
            self.probe = probe
        }
    }

    let version: String
    let checks: [Check]
    let services: [ServiceCheck]
    let workers: Int
    let queueDepth: @Sendable () async throws -> Int

    public init(
        version: String, checks: [Check], services: [ServiceCheck] = [], workers: Int = 0,
        queueDepth: @escaping @Sendable () async throws -> Int = { 0 }
    ) {
        self.version = version
        self.checks = checks
        self.services = services
        self.workers = workers
        self.queueDepth = queueDepth
    }

    struct Services: ResponseEncodable {
        struct Service: Encodable {
            let name: String
            let status: String
            let detail: String
        }
        struct Queue: Encodable {
            let depth: Int?
            let workers: Int
        }
        let status: String
        let version: String
        let services: [Service]
        let queue: Queue
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
        router.get("/health/services") { _, _ -> EditedResponse<Services> in
            var answers: [Services.Service] = []
            for service in services {
                do {
                    answers.append(.init(name: service.name, status: "ok", detail: try await service.probe()))
                } catch {
                    answers.append(.init(name: service.name, status: "failing", detail: "\(error)"))
                }
            }
            let depth = try? await queueDepth()
            let healthy = answers.allSatisfy { $0.status == "ok" } && depth != nil
            return EditedResponse(
                status: healthy ? .ok : .serviceUnavailable,
                response: Services(
                    status: healthy ? "ok" : "degraded", version: version, services: answers,
                    queue: .init(depth: depth, workers: workers)))
        }
    }
}
