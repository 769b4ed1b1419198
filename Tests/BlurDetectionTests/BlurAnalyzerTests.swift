import Testing

@testable import BlurDetection

@Suite struct BlurAnalyzerTests {
    let analyzer = BlurAnalyzer()
    let sharp = TestImages.scene()

    @Test func blurRaisesTheScoreThroughTheTransition() throws {
        let scores = try [1, 2, 3, 5].map { length in
            try analyzer.analyze(length == 1 ? sharp : TestImages.defocused(sharp, length: length)).blurScore
        }
        #expect(scores[0] < 0.5, "sharp scene scored \(scores[0])")
        #expect(scores[3] >= 0.5, "defocus of 5 px scored \(scores[3])")
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 <= $1 }, "scores \(scores)")
        for length in [9, 15, 25] {
            let heavy = try analyzer.analyze(TestImages.defocused(sharp, length: length)).blurScore
            #expect(heavy >= 0.9, "defocus of \(length) px scored \(heavy)")
        }
    }

    @Test(arguments: [(1, 0, 0.0), (0, 1, 90.0), (1, 1, 135.0), (1, -1, 45.0)])
    func horizontalAndVerticalShakeHaveTheirDirection(dx: Int, dy: Int, expected: Double) throws {
        let shaken = TestImages.blurred(sharp, length: 15, dx: dx, dy: dy)
        let analysis = try analyzer.analyze(shaken)
        #expect(analysis.isBlurred(threshold: 0.5))
        #expect(analysis.likelyType == .motion)
        let direction = try #require(analysis.directionDegrees)
        let error = min(abs(direction - expected), 180 - abs(direction - expected))
        #expect(error <= 20, "direction \(direction)° for \(expected)°")
    }

    @Test func defocusIsNotCalledMotion() throws {
        let analysis = try analyzer.analyze(TestImages.defocused(sharp, length: 13))
        #expect(analysis.blurType(threshold: 0.5) == .defocus)
        #expect(analysis.directionDegrees == nil)
    }

    @Test func sharpSubjectOnBlurredBackgroundIsSharp() throws {
        // Left two thirds heavily defocused (bokeh), right third sharp.
        let background = TestImages.defocused(sharp, length: 21)
        var pixels = background.pixels
        for y in 0..<sharp.height {
            for x in (2 * sharp.width / 3)..<sharp.width { pixels[y * sharp.width + x] = sharp[x, y] }
        }
        let bokeh = GrayImage(width: sharp.width, height: sharp.height, pixels: pixels)
        let analysis = try analyzer.analyze(bokeh)
        #expect(analysis.blurScore < 0.5, "bokeh scored \(analysis.blurScore)")
        // The map shows where: right column sharp, left column blurred.
        let map = analysis.map
        let right = (0..<map.rows).compactMap { map[map.columns - 1, $0] }
        let left = (0..<map.rows).compactMap { map[0, $0] }
        #expect(!right.isEmpty && right.allSatisfy { $0 >= 0.5 }, "\(right)")
        #expect(left.allSatisfy { $0 < 0.5 }, "\(left)")
    }

    @Test func plainWallIsNotBlurred() throws {
        var random = 3
        let wall = GrayImage(
            width: 480, height: 360,
            pixels: (0..<(480 * 360)).map { _ in
                random = (1_103_515_245 * random + 12345) % (1 << 31)
                return UInt8(180 + (random >> 16) % 5)
            })
        let analysis = try analyzer.analyze(wall)
        #expect(!analysis.isBlurred(threshold: 0.5))
        #expect(analysis.map.values.allSatisfy { $0 == nil })
    }

    @Test func tooSmallToJudge() {
        let tiny = GrayImage(width: 20, height: 200, pixels: [UInt8](repeating: 0, count: 4000))
        #expect(throws: BlurDetectionError.tooSmall(width: 20, height: 200, minimumSide: 32)) {
            try analyzer.analyze(tiny)
        }
    }

    @Test func mapHasTheGridShape() throws {
        let analysis = try analyzer.analyze(sharp)
        #expect(analysis.map.columns == 8)
        #expect(analysis.map.rows == 6)
        #expect(analysis.map.values.count == 48)
    }
}
