import Hummingbird
import Metrics
import Prometheus

/// `GET /metrics` in Prometheus' text format: HTTP requests and latencies per route (from
/// Hummingbird's MetricsMiddleware), queue depth, job items and analysis times (from the
/// workers). One registry per process, bootstrapped on first use.
public struct MetricsController: Sendable {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Figures read when scraped rather than counted as they happen (e.g. queue depth).
    let sample: @Sendable () async -> Void

    public init(sample: @escaping @Sendable () async -> Void = {}) {
        _ = Self.registry
        self.sample = sample
    }

    func register(on router: Router<ClassifyRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            await sample()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.registry.emitToBuffer())))
        }
    }
}
