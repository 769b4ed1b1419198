import Testing

@testable import BlurDetection

@Suite struct GrayImageTests {
    @Test func downscaleKeepsAspectAndBrightness() {
        let image = TestImages.scene(width: 1000, height: 750)
        let small = image.downscaled(toLongSide: 480)
        #expect(small.width == 480 && small.height == 360)
        let mean = { (i: GrayImage) in Double(i.pixels.reduce(0) { $0 + Int($1) }) / Double(i.pixels.count) }
        #expect(abs(mean(small) - mean(image)) < 1.0)
    }

    @Test func neverEnlarges() {
        let image = TestImages.scene(width: 300, height: 200)
        #expect(image.downscaled(toLongSide: 480) == image)
    }

    @Test func halvingAveragesBlocks() {
        let image = GrayImage(width: 4, height: 2, pixels: [0, 4, 8, 8, 4, 0, 8, 8])
        #expect(image.halved().pixels == [2, 8])
    }
}
