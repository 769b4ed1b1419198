/// The score at and above which a photo counts as blurred; a probability in [0, 1].
public struct BlurThreshold: Sendable, Equatable, Hashable {
    public let value: Double

    /// The product default: a photo is blurred when a person is more likely than not to say so.
    public static let standard = BlurThreshold(uncheckedValue: 0.5)

    public init?(_ value: Double) {
        guard value.isFinite, (0...1).contains(value) else { return nil }
        self.value = value
    }

    private init(uncheckedValue: Double) { value = uncheckedValue }
}
