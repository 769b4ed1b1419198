import BlurDetection
import Foundation
import ImageDecoding

/// An image part the fake accepted: what the log shows, and what the pixels look like.
struct FakeOpenAIImage: Sendable {
    var record: FakeOpenAIImageRecord
    var features: FakeOpenAIImageFeatures

    static let supportedTypes: [String: ImageFormat] = [
        "image/jpeg": .jpeg, "image/png": .png, "image/webp": .webp, "image/gif": .gif,
    ]

    /// Reads an `image_url.url` (spec 1.1): a `data:image/(jpeg|png|webp|gif);base64,…` URL whose
    /// bytes must be an image of the declared type, no larger than `maxBytes`. http(s) URLs are
    /// valid but the fake never downloads them: it answers as OpenAI does when a download fails.
    /// `param` names the part in errors (e.g. `messages[1].content[1].image_url.url`).
    static func load(
        url: String, detail: String?, param: String, model: FakeOpenAIModel, maxBytes: Int
    ) throws(FakeOpenAIError) -> FakeOpenAIImage {
        let lowered = url.prefix(8).lowercased()
        if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") {
            throw .invalidImage(
                "Timeout while downloading \(url.prefix(200)).", param: param, code: "invalid_image_url")
        }
        guard lowered.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else {
            throw .invalidImage(
                "Invalid '\(param)'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got a value without the 'data:' prefix.",
                param: param, code: "invalid_image_url")
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        let headerParts = header.split(separator: ";", omittingEmptySubsequences: false)
        let mimeType = headerParts.first.map { $0.lowercased() } ?? ""
        guard headerParts.count == 2, headerParts[1].lowercased() == "base64" else {
            throw .invalidImage(
                "Invalid '\(param)'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got a data URL that is not base64-encoded.",
                param: param, code: "invalid_image_url")
        }
        guard let declared = supportedTypes[mimeType] else {
            throw .invalidImage(
                "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].",
                param: param, code: "invalid_image_format")
        }
        let payload = url[url.index(after: comma)...]
        // 4 base64 characters per 3 bytes: refuse a too-large image before decoding it.
        guard payload.utf8.count / 4 * 3 <= maxBytes + 3 else {
            throw .invalidImage(
                "Image too large: the decoded image is over the \(maxBytes / 1_048_576) MB limit per image.",
                param: param)
        }
        guard let data = Data(base64Encoded: String(payload)), !data.isEmpty else {
            throw .invalidImage(
                "Invalid image: the data URL is not valid base64 (standard alphabet, with padding).", param: param)
        }
        let bytes = [UInt8](data)
        guard bytes.count <= maxBytes else {
            throw .invalidImage(
                "Image too large: \(bytes.count) bytes; the limit is \(maxBytes / 1_048_576) MB per image.",
                param: param)
        }
        let actual = ImageFormat.sniff(bytes)
        guard actual == declared else {
            throw .invalidImage(
                "Invalid image: the data URL declares \(mimeType) but its bytes are \(actual == .unknown ? "not an image" : actual.rawValue).",
                param: param)
        }
        let decoder = ImageDecoder(limits: DecodeLimits(maxFileBytes: maxBytes, minimumSide: 1))
        let probe: ImageProbe
        let decoded: ImageDecoder.Decoded
        do {
            probe = try decoder.probe(bytes)
            decoded = try decoder.decode(bytes, minimumLongSide: 64)
        } catch {
            throw .invalidImage("Invalid image: \(error.description).", param: param)
        }
        let detail = detail ?? "auto"
        let record = FakeOpenAIImageRecord(
            mimeType: mimeType, width: probe.width, height: probe.height, bytes: bytes.count, detail: detail,
            tokens: model.imageTokens(width: probe.width, height: probe.height, detail: detail))
        return FakeOpenAIImage(
            record: record,
            features: FakeOpenAIImageFeatures(
                decoded.image.downscaled(toLongSide: 64), width: probe.width, height: probe.height))
    }
}

/// What the fake "sees": brightness, contrast, texture, shape and size, plus two pseudo-subjects
/// picked by a hash of the pixels. The same picture always gets the same tags; the file name
/// plays no part.
struct FakeOpenAIImageFeatures: Sendable, Equatable {
    var brightness: Double
    var contrast: Double
    var texture: Double
    var width: Int
    var height: Int
    var hash: UInt64

    static let subjects = [
        "tree", "sky", "street", "person", "dog", "cat", "building", "water", "mountain", "flower", "car", "food",
        "beach", "room", "window", "book", "bird", "bridge", "garden", "city",
    ]

    init(_ image: GrayImage, width: Int, height: Int) {
        self.width = width
        self.height = height
        let pixels = image.pixels.map(Double.init)
        let count = Double(max(1, pixels.count))
        let mean = pixels.reduce(0, +) / count
        brightness = mean
        contrast = (pixels.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count).squareRoot()
        var gradient = 0.0, samples = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width {
                if x + 1 < image.width {
                    gradient += abs(Double(image[x + 1, y]) - Double(image[x, y]))
                    samples += 1
                }
                if y + 1 < image.height {
                    gradient += abs(Double(image[x, y + 1]) - Double(image[x, y]))
                    samples += 1
                }
            }
        }
        texture = samples > 0 ? gradient / samples : 0
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in image.pixels {
            fnv ^= UInt64(byte)
            fnv = fnv &* 0x0000_0100_0000_01b3
        }
        hash = fnv
    }

    var orientation: String {
        let ratio = Double(width) / Double(max(1, height))
        return ratio > 1.1 ? "landscape" : ratio < 0.9 ? "portrait" : "square"
    }

    var light: String { brightness < 70 ? "dark" : brightness > 180 ? "bright" : "balanced exposure" }

    var contrastTag: String { contrast < 30 ? "low contrast" : contrast > 70 ? "high contrast" : "natural contrast" }

    var textureTag: String { texture < 6 ? "smooth" : texture > 20 ? "detailed" : "textured" }

    var pseudoSubjects: [String] {
        let first = Int(hash % UInt64(Self.subjects.count))
        var second = Int((hash / 7919) % UInt64(Self.subjects.count))
        if second == first { second = (second + 1) % Self.subjects.count }
        return [Self.subjects[first], Self.subjects[second]]
    }

    /// 7 lowercase English tags.
    var tags: [String] { pseudoSubjects + [orientation, light, contrastTag, textureTag, "photo"] }

    /// One line.
    var caption: String {
        let subjects = pseudoSubjects
        let article = light == "balanced exposure" ? "A" : "A \(light),"
        return "\(article) \(contrastTag) \(orientation) photo of a \(subjects[0]) and a \(subjects[1])."
    }
}
