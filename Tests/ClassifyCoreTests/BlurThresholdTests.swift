import Testing

@testable import ClassifyCore

@Suite struct BlurThresholdTests {
    @Test func acceptsProbabilities() {
        #expect(BlurThreshold(0)?.value == 0)
        #expect(BlurThreshold(1)?.value == 1)
        #expect(BlurThreshold.standard.value == 0.5)
    }

    @Test(arguments: [-0.01, 1.01, Double.nan, Double.infinity])
    func rejectsEverythingElse(_ value: Double) {
        #expect(BlurThreshold(value) == nil)
    }
}
