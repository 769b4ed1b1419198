import Foundation
import Testing

@testable import BlurDetection

/// `varianceOfLaplacian` against numbers OpenCV itself produced
/// (Tests/Fixtures/opencv/make_laplacian_fixtures.py).
@Suite struct LaplacianVarianceTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let pattern: String
            let width: Int
            let height: Int
            let variance: Double
        }
        let opencv: String
        let cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/opencv/laplacian_variance.json").standardizedFileURL
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func matchesOpenCV() throws {
        let fixture = try Self.fixture()
        #expect(fixture.cases.count >= 5)
        for entry in fixture.cases {
            let image = TestImages.pattern(entry.pattern, width: entry.width, height: entry.height)
            let ours = varianceOfLaplacian(image)
            let tolerance = max(1e-9, abs(entry.variance) * 1e-12)
            #expect(
                abs(ours - entry.variance) <= tolerance,
                "\(entry.pattern) \(entry.width)×\(entry.height): ours \(ours), OpenCV \(entry.variance)")
        }
    }

    @Test func constantImageHasNoVariance() {
        let flat = GrayImage(width: 20, height: 10, pixels: [UInt8](repeating: 77, count: 200))
        #expect(varianceOfLaplacian(flat) == 0)
    }
}
