import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyWeb

@Suite struct HealthTests {
    struct Down: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    @Test func liveAndReadyWhenEveryCheckAnswers() async throws {
        try await TestApp.with(checks: [.init(name: "photos_db") {}]) { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(TestApp.decode(response.body)["status"] as? String == "ok")
                }
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect((TestApp.decode(response.body)["checks"] as? [String: String]) == ["photos_db": "ok"])
                }
            }
        }
    }

    @Test func notReadyNamesTheFailingDependency() async throws {
        try await TestApp.with(checks: [.init(name: "photos_db") {}, .init(name: "queue") { throw Down() }]) { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = TestApp.decode(response.body)
                    #expect(body["status"] as? String == "not ready")
                    #expect((body["checks"] as? [String: String])?["queue"] == "failing: connection refused")
                }
            }
        }
    }

    @Test func servicesReportEachServiceAndTheQueue() async throws {
        let services: [HealthController.ServiceCheck] = [
            .init(name: "auth") { "in process" }, .init(name: "blur") { throw Down() },
        ]
        try await TestApp.with(services: services) { app, parts in
            _ = try await PhotosAPITests.add(["sharp-cat.jpg", "motion-cat.jpg"], user: "alice", parts)
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post, headers: alice, body: TestApp.json([:])
                ) { #expect($0.status == .accepted) }
                try await client.execute(uri: "/health/services", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = TestApp.decode(response.body)
                    #expect(body["status"] as? String == "degraded")
                    let listed = body["services"] as? [[String: String]] ?? []
                    #expect(listed.first { $0["name"] == "auth" }?["status"] == "ok")
                    #expect(listed.first { $0["name"] == "blur" }?["detail"] == "connection refused")
                    #expect((body["queue"] as? [String: Int]) == ["depth": 2, "workers": 1])
                }
            }
        }
    }

    @Test func metricsCountRequestsJobsAndQueueDepth() async throws {
        try await TestApp.with { app, parts in
            _ = try await PhotosAPITests.add(["sharp-cat.jpg"], user: "alice", parts)
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post, headers: alice, body: TestApp.json([:])
                ) { #expect($0.status == .accepted) }
                while try await parts.worker.processNext() {}
                try await client.execute(uri: "/api/v1/photos?filter=blurred", method: .get, headers: alice) {
                    #expect($0.status == .ok)
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"classify_job_items_total{result="done"}"#))
                    #expect(text.contains("classify_analysis_duration_seconds_bucket"))
                    #expect(text.contains("http_server_request_duration"))
                    #expect(text.contains("/api/v1/photos"))
                    #expect(!text.contains("Bearer"))
                }
            }
        }
    }
}
