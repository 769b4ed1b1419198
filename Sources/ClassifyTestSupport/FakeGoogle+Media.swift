import Foundation

/// Bytes behind `baseUrl`s (spec 2.4): capability URLs that expire, and for the Picker also
/// need the owner's bearer token.
extension FakeGoogle {
    enum MediaRefusal: Error, Equatable {
        /// Expired, unauthorised or someone else's URL (Google answers 403 with a short body).
        case forbidden(String)
        case notFound
    }

    func mintBaseURL(blobHash: String, userSub: String, kind: String) -> String {
        let token = FakeRandom.token(36)
        baseURLs[token] = .init(
            blobHash: blobHash, userSub: userSub, requiresBearer: kind == "ppa",
            expiresAt: now.addingTimeInterval(configuration.baseURLTTL))
        return "\(publicBaseURL)/lh3/\(kind)/\(token)"
    }

    /// The stored photo behind a `baseUrl` token, if the caller may have it.
    func media(kind: String, token: String, bearer: String?) -> Result<FakeRecord.Blob, MediaRefusal> {
        guard let url = baseURLs[token], url.requiresBearer == (kind == "ppa"), let blob = blobs[url.blobHash] else {
            return .failure(.notFound)
        }
        guard url.expiresAt > now else { return .failure(.forbidden("This URL has expired.")) }
        if url.requiresBearer {
            guard let bearer, let token = accessTokens[bearer], token.expiresAt > now,
                grants[token.grantID]?.revoked == false, token.scopes.contains(GoogleScope.picker),
                token.userSub == url.userSub
            else { return .failure(.forbidden("Your client does not have permission to get this URL.")) }
        }
        return .success(blob)
    }

    /// Every `baseUrl` handed out so far stops working.
    public func expireBaseURLs() -> Int {
        let count = baseURLs.count
        let past = now.addingTimeInterval(-1)
        for key in baseURLs.keys {
            let url = baseURLs[key]!
            baseURLs[key] = .init(
                blobHash: url.blobHash, userSub: url.userSub, requiresBearer: url.requiresBearer, expiresAt: past)
        }
        return count
    }
}

/// The size options after `=` in a `baseUrl` (`w640-h480`, `w640`, `h480`, `w640-h480-c`, `d`).
struct FakeMediaOptions: Equatable {
    var width: Int?
    var height: Int?
    var crop = false
    var download = false
    var video = false

    /// nil for malformed options. An empty string (a bare `baseUrl`) is a small rendition.
    init?(_ text: String) {
        guard !text.isEmpty else {
            width = 512
            height = 512
            return
        }
        for part in text.split(separator: "-", omittingEmptySubsequences: false) {
            switch part.first {
            case "w" where part.count > 1:
                guard let value = Int(part.dropFirst()), (1...16_383).contains(value) else { return nil }
                width = value
            case "h" where part.count > 1:
                guard let value = Int(part.dropFirst()), (1...16_383).contains(value) else { return nil }
                height = value
            case "s" where part.count > 1:
                guard let value = Int(part.dropFirst()), (1...16_383).contains(value) else { return nil }
                width = value
                height = value
            default:
                switch part {
                case "c": crop = true
                case "d": download = true
                case "dv": video = true
                case "": return nil
                default: break  // other Google options (e.g. "no") do not change the bytes here
                }
            }
        }
        if !download, !video, width == nil, height == nil { return nil }
    }

    /// The longest side of the rendition: fit inside the box (cover it for `-c`), never upscaled.
    func maxSide(width original: Int, height originalHeight: Int) -> Int {
        let long = max(original, originalHeight)
        var scales: [Double] = []
        if let width { scales.append(Double(width) / Double(max(1, original))) }
        if let height { scales.append(Double(height) / Double(max(1, originalHeight))) }
        let scale = min(1, (crop ? scales.max() : scales.min()) ?? 1)
        return max(1, Int((Double(long) * scale).rounded()))
    }
}
