/// Limits checked before any pixel is decoded.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest declared pixel count accepted (decompression bombs declare huge sizes).
    public var maxPixels: Int
    /// Largest file read into memory.
    public var maxFileBytes: Int
    /// Below this many pixels on either side a photo is too small to judge.
    public var minimumSide: Int

    public init(maxPixels: Int = 100_000_000, maxFileBytes: Int = 200 * 1_048_576, minimumSide: Int = 32) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.minimumSide = minimumSide
    }

    public static let standard = DecodeLimits()
}
