/// A person using Classify: the one local user in local mode, or a Google account.
public struct User: Sendable, Equatable, Codable {
    public var id: String
    public var email: String?
    public var name: String?
    /// The score from which this person's photos count as blurred.
    public var blurThreshold: Double

    public init(id: String, email: String?, name: String?, blurThreshold: Double = BlurThreshold.standard.value) {
        self.id = id
        self.email = email
        self.name = name
        self.blurThreshold = blurThreshold
    }

    /// The API's JSON is snake_case (seed schema: `blur_threshold`).
    enum CodingKeys: String, CodingKey {
        case id, email, name
        case blurThreshold = "blur_threshold"
    }
}
