/// What kind of blur a photo shows.
public enum BlurType: String, Sendable, Codable, CaseIterable {
    /// Not blurred (at the threshold in force).
    case none
    /// Camera shake or subject motion: blur along one direction.
    case motion
    /// Out of focus: blur in every direction.
    case defocus
}
