import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The Google Photos Library API as it is after March 2025 (spec section 3): upload bytes,
/// create app-created albums and media items, and read back what this app created. Writes need
/// `photoslibrary.appendonly`, reads `photoslibrary.readonly.appcreateddata`. It never retries by
/// itself: wrap calls in `GoogleRetry.run` (and call `batchCreate` serially per user).
/// Log lines and errors name the operation and the status, never a token or upload token.
public struct GoogleLibraryClient: Sendable {
    public let endpoints: GoogleEndpoints
    /// Deadline of every request, body included.
    public let timeout: Duration
    private let api: GooglePhotosAPI

    /// Most `newMediaItems` per `batchCreate` call.
    public static let maxBatchCreateItems = 50
    /// Largest photo Google accepts (200 MB).
    public static let maxUploadBytes = 200 * 1_048_576
    /// `searchAlbumItems` gives up after this many pages (an album holds at most 20,000 items).
    public static let maxSearchPages = 250

    public init(
        endpoints: GoogleEndpoints = .google, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "classify.google.library")
    ) {
        self.endpoints = endpoints
        self.timeout = timeout
        self.api = GooglePhotosAPI(
            base: endpoints.photosLibraryAPI, service: "library", httpClient: httpClient, timeout: timeout,
            logger: logger)
    }

    // MARK: Albums

    /// `albums.create` (title 1…500 characters).
    public func createAlbum(title: String, accessToken: String) async throws(GooglePhotosError) -> GoogleAlbum {
        guard !title.isEmpty, title.count <= 500 else {
            throw .invalidArgument("album title must be 1 to 500 characters")
        }
        let reply = try await api.call(
            .POST, ["v1", "albums"], json: ["album": ["title": title]], accessToken: accessToken,
            operation: "albums.create")
        return try GooglePhotosAPI.decode(GoogleAlbum.self, reply)
    }

    /// `albums.get` (app-created albums only; others are `.notFound`).
    public func getAlbum(id: String, accessToken: String) async throws(GooglePhotosError) -> GoogleAlbum {
        let reply = try await api.call(
            .GET, ["v1", "albums", try GooglePhotosAPI.id(id, "album id")], accessToken: accessToken,
            operation: "albums.get")
        return try GooglePhotosAPI.decode(GoogleAlbum.self, reply)
    }

    // MARK: Media items

    /// Step 1 of adding a photo: uploads the raw bytes and returns the upload token (valid for
    /// a day, single use). `fileName` is sent as `X-Goog-Upload-File-Name` when it is plain
    /// ASCII; the name given to `batchCreate` wins anyway.
    public func upload(
        bytes: [UInt8], mimeType: String, fileName: String? = nil, accessToken: String
    ) async throws(GooglePhotosError) -> String {
        guard !bytes.isEmpty else { throw .invalidArgument("nothing to upload") }
        guard bytes.count <= Self.maxUploadBytes else { throw .tooLarge(limit: Self.maxUploadBytes) }
        guard Self.isHeaderSafe(mimeType), !mimeType.isEmpty else { throw .invalidArgument("bad MIME type") }
        var headers = [("X-Goog-Upload-Content-Type", mimeType), ("X-Goog-Upload-Protocol", "raw")]
        if let fileName, !fileName.isEmpty, fileName.count <= 255, Self.isHeaderSafe(fileName) {
            headers.append(("X-Goog-Upload-File-Name", fileName))
        }
        let reply = try await api.send(
            .POST, ["v1", "uploads"], body: bytes, contentType: "application/octet-stream", headers: headers,
            accessToken: accessToken, operation: "uploads")
        let token = String(decoding: reply.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace || $0 == "{" }) else {
            throw .unexpectedResponse(status: reply.status, reason: "upload answer is not an upload token")
        }
        return token
    }

    /// Step 2: `mediaItems.batchCreate` for 1…50 upload tokens, optionally into an app-created
    /// album. HTTP 200 carries a status per item: one `BatchCreateResult` per item, in order.
    /// More than 50 items is `.invalidArgument` before anything is sent.
    public func batchCreate(
        albumID: String? = nil, items: [NewMediaItem], accessToken: String
    ) async throws(GooglePhotosError) -> [BatchCreateResult] {
        guard !items.isEmpty else { throw .invalidArgument("batchCreate needs at least one item") }
        guard items.count <= Self.maxBatchCreateItems else {
            throw .invalidArgument(
                "batchCreate takes at most \(Self.maxBatchCreateItems) items, not \(items.count)")
        }
        var newItems: [[String: Any]] = []
        for item in items {
            guard !item.uploadToken.isEmpty else { throw .invalidArgument("an upload token is empty") }
            var simple: [String: Any] = ["uploadToken": item.uploadToken]
            if let fileName = item.fileName {
                guard fileName.count <= 255 else { throw .invalidArgument("fileName is longer than 255 characters") }
                simple["fileName"] = fileName
            }
            newItems.append(["simpleMediaItem": simple])
        }
        var body: [String: Any] = ["newMediaItems": newItems]
        if let albumID {
            guard !albumID.isEmpty else { throw .invalidArgument("album id is empty") }
            body["albumId"] = albumID
        }
        let reply = try await api.call(
            .POST, ["v1", "mediaItems:batchCreate"], json: body, accessToken: accessToken,
            operation: "mediaItems.batchCreate")
        let answer = try GooglePhotosAPI.decode(BatchCreateAnswer.self, reply)
        let results = answer.newMediaItemResults ?? []
        guard results.count == items.count else {
            throw .unexpectedResponse(
                status: reply.status, reason: "batchCreate answered \(results.count) results for \(items.count) items")
        }
        return zip(items, results).map { item, result in
            let code = result.status?.code ?? 0
            return BatchCreateResult(
                uploadToken: result.uploadToken ?? item.uploadToken, code: code,
                message: result.status?.message ?? (code == 0 ? "Success" : ""),
                mediaItemID: result.mediaItem?.id, productURL: result.mediaItem?.productUrl)
        }
    }

    /// Every item of an app-created album (`mediaItems.search` with `albumId`, all pages).
    public func searchAlbumItems(
        albumID: String, accessToken: String, pageSize: Int = 100
    ) async throws(GooglePhotosError) -> [GoogleLibraryItem] {
        guard !albumID.isEmpty else { throw .invalidArgument("album id is empty") }
        guard (1...100).contains(pageSize) else { throw .invalidArgument("pageSize must be between 1 and 100") }
        var items: [GoogleLibraryItem] = []
        var pageToken: String?
        var seen: Set<String> = []
        for _ in 0..<Self.maxSearchPages {
            var body: [String: Any] = ["albumId": albumID, "pageSize": pageSize]
            if let pageToken { body["pageToken"] = pageToken }
            let reply = try await api.call(
                .POST, ["v1", "mediaItems:search"], json: body, accessToken: accessToken,
                operation: "mediaItems.search")
            let page = try GooglePhotosAPI.decode(SearchAnswer.self, reply)
            items += page.mediaItems ?? []
            guard let next = page.nextPageToken, !next.isEmpty else { return items }
            guard seen.insert(next).inserted else {
                throw .unexpectedResponse(status: reply.status, reason: "mediaItems.search repeated a page token")
            }
            pageToken = next
        }
        throw .unexpectedResponse(status: 200, reason: "mediaItems.search has more than \(Self.maxSearchPages) pages")
    }

    private static func isHeaderSafe(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    private struct BatchCreateAnswer: Decodable {
        var newMediaItemResults: [Result]?

        struct Result: Decodable {
            var uploadToken: String?
            var status: Status?
            var mediaItem: Item?
        }

        struct Status: Decodable {
            var code: Int?
            var message: String?
        }

        struct Item: Decodable {
            var id: String?
            var productUrl: String?
        }
    }

    private struct SearchAnswer: Decodable {
        var mediaItems: [GoogleLibraryItem]?
        var nextPageToken: String?
    }
}

// MARK: - Values

/// An app-created album (spec 3.3).
public struct GoogleAlbum: Sendable, Equatable, Decodable {
    public var id: String
    public var title: String
    public var productURL: String?
    /// `mediaItemsCount` (an int64 string; absent for an empty album).
    public var mediaItemsCount: Int?

    public init(id: String, title: String, productURL: String? = nil, mediaItemsCount: Int? = nil) {
        self.id = id
        self.title = title
        self.productURL = productURL
        self.mediaItemsCount = mediaItemsCount
    }

    private enum CodingKeys: String, CodingKey { case id, title, productUrl, mediaItemsCount, totalMediaItems }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decodeIfPresent(String.self, forKey: .title) ?? ""
        productURL = try container.decodeIfPresent(String.self, forKey: .productUrl)
        mediaItemsCount =
            try container.decodeIfPresent(LenientInt.self, forKey: .mediaItemsCount)?.value
            ?? container.decodeIfPresent(LenientInt.self, forKey: .totalMediaItems)?.value
    }
}

/// One item for `batchCreate`: an upload token and the file name to show (optional, ≤ 255
/// characters). No description: Classify's tags must not go there (spec 3.2 policy).
public struct NewMediaItem: Sendable, Equatable {
    public var uploadToken: String
    public var fileName: String?

    public init(uploadToken: String, fileName: String? = nil) {
        self.uploadToken = uploadToken
        self.fileName = fileName
    }
}

/// What `batchCreate` said about one item. Its description never shows the upload token.
public struct BatchCreateResult: Sendable, Equatable, CustomStringConvertible {
    public var uploadToken: String
    /// `google.rpc.Code`: 0 success, 3 INVALID_ARGUMENT (bad image, used or expired token: do
    /// not retry), 13 INTERNAL (transient: retry this token while it lives).
    public var code: Int
    public var message: String
    /// Set on success.
    public var mediaItemID: String?
    public var productURL: String?

    public init(uploadToken: String, code: Int, message: String, mediaItemID: String? = nil, productURL: String? = nil)
    {
        self.uploadToken = uploadToken
        self.code = code
        self.message = message
        self.mediaItemID = mediaItemID
        self.productURL = productURL
    }

    public var succeeded: Bool { code == 0 }

    /// A per-item failure worth retrying with the same upload token (DEADLINE_EXCEEDED,
    /// ABORTED, INTERNAL, UNAVAILABLE).
    public var isTransient: Bool { [4, 10, 13, 14].contains(code) }

    public var description: String {
        "BatchCreateResult(code: \(code), message: \(message), mediaItemID: \(mediaItemID ?? "none"))"
    }
}

/// An app-created media item as `mediaItems.search` lists it.
public struct GoogleLibraryItem: Sendable, Equatable, Decodable {
    public var id: String
    public var filename: String?
    public var productURL: String?

    public init(id: String, filename: String? = nil, productURL: String? = nil) {
        self.id = id
        self.filename = filename
        self.productURL = productURL
    }

    private enum CodingKeys: String, CodingKey { case id, filename, productUrl }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        filename = try container.decodeIfPresent(String.self, forKey: .filename)
        productURL = try container.decodeIfPresent(String.self, forKey: .productUrl)
    }
}
