import Testing

@testable import BlurDetection

@Suite struct OrientationTests {
    /// Stored 3×2:   1 2 3
    ///               4 5 6
    let stored = GrayImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])

    @Test func rotationsMatchTheExifMeaning() {
        #expect(stored.oriented(.up).pixels == [1, 2, 3, 4, 5, 6])
        #expect(stored.oriented(.upMirrored).pixels == [3, 2, 1, 6, 5, 4])
        #expect(stored.oriented(.down).pixels == [6, 5, 4, 3, 2, 1])
        #expect(stored.oriented(.downMirrored).pixels == [4, 5, 6, 1, 2, 3])
        // 6: the viewer turns the stored image 90° clockwise.
        let right = stored.oriented(.right)
        #expect(right.width == 2 && right.height == 3)
        #expect(right.pixels == [4, 1, 5, 2, 6, 3])
        // 8: 90° counter-clockwise.
        #expect(stored.oriented(.left).pixels == [3, 6, 2, 5, 1, 4])
        #expect(stored.oriented(.leftMirrored).pixels == [1, 4, 2, 5, 3, 6])
        #expect(stored.oriented(.rightMirrored).pixels == [6, 3, 5, 2, 4, 1])
    }

    @Test(arguments: Orientation.allCases)
    func keepsEveryPixel(_ orientation: Orientation) {
        let turned = stored.oriented(orientation)
        #expect(turned.pixels.sorted() == stored.pixels.sorted())
        #expect(turned.width == (orientation.swapsAxes ? 2 : 3))
    }
}
