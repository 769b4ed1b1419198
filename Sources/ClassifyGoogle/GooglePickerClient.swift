import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The Google Photos Picker API (spec section 2): picking sessions, the picked items, and the
/// bytes behind their `baseUrl`s. Every call sends the user's access token as a bearer token
/// (scope `photospicker.mediaitems.readonly`). It never retries by itself: wrap calls in
/// `GoogleRetry.run`, and refresh the token once on `.unauthenticated`.
/// Log lines and errors name the operation, the host and the status, never a token, a
/// `baseUrl` or a query.
public struct GooglePickerClient: Sendable {
    public let endpoints: GoogleEndpoints
    /// Deadline of every request, body included.
    public let timeout: Duration
    private let api: GooglePhotosAPI

    /// Items per `mediaItems.list` page that `allMediaItems` asks for (Google's maximum).
    public static let maxPageSize = 100
    /// `allMediaItems` gives up after this many pages (2000 items fit in 20 full pages).
    public static let maxPages = 200

    public init(
        endpoints: GoogleEndpoints = .google, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "classify.google.picker")
    ) {
        self.endpoints = endpoints
        self.timeout = timeout
        self.api = GooglePhotosAPI(
            base: endpoints.pickerAPI, service: "picker", httpClient: httpClient, timeout: timeout, logger: logger)
    }

    // MARK: Sessions

    /// `sessions.create`: a new session whose `pickerURI` the user opens in a new tab.
    /// `maxItemCount` (1…2000) caps how many items the user may pick (Google's default: 2000).
    public func createSession(accessToken: String, maxItemCount: Int? = nil) async throws(GooglePhotosError)
        -> PickingSession
    {
        var body: [String: Any] = [:]
        if let maxItemCount {
            guard (1...2000).contains(maxItemCount) else {
                throw .invalidArgument("maxItemCount must be between 1 and 2000")
            }
            body["pickingConfig"] = ["maxItemCount": String(maxItemCount)]
        }
        let reply = try await api.call(
            .POST, ["v1", "sessions"], json: body, accessToken: accessToken, operation: "sessions.create")
        return try GooglePhotosAPI.decode(PickingSession.self, reply)
    }

    /// `sessions.get`: poll it (every `pollInterval`) until `mediaItemsSet`.
    public func getSession(id: String, accessToken: String) async throws(GooglePhotosError) -> PickingSession {
        let reply = try await api.call(
            .GET, ["v1", "sessions", try GooglePhotosAPI.id(id, "session id")], accessToken: accessToken,
            operation: "sessions.get")
        return try GooglePhotosAPI.decode(PickingSession.self, reply)
    }

    /// `sessions.delete`: do it once the picked items are synced (Google caps open sessions).
    public func deleteSession(id: String, accessToken: String) async throws(GooglePhotosError) {
        _ = try await api.call(
            .DELETE, ["v1", "sessions", try GooglePhotosAPI.id(id, "session id")], accessToken: accessToken,
            operation: "sessions.delete")
    }

    // MARK: Picked items

    /// One `mediaItems.list` page. Before the user finished picking this is
    /// `.failedPrecondition`. `pageSize` nil or 0 gives Google's default (50); more than 100
    /// is coerced to 100 by Google. A page may hold fewer items than asked for, even none; only
    /// a missing `nextPageToken` ends the list.
    public func listMediaItems(
        sessionID: String, pageToken: String? = nil, pageSize: Int? = nil, accessToken: String
    ) async throws(GooglePhotosError) -> PickedMediaItemPage {
        if let pageSize, pageSize < 0 { throw .invalidArgument("pageSize must not be negative") }
        var query = [("sessionId", try GooglePhotosAPI.id(sessionID, "session id"))]
        if let pageSize { query.append(("pageSize", String(pageSize))) }
        if let pageToken, !pageToken.isEmpty { query.append(("pageToken", pageToken)) }
        let reply = try await api.call(
            .GET, ["v1", "mediaItems"], query: query, accessToken: accessToken, operation: "mediaItems.list")
        return try GooglePhotosAPI.decode(PickedMediaItemPage.self, reply)
    }

    /// Every picked item of a session, all pages (videos included: the caller filters). Gives
    /// up with `.unexpectedResponse` after `maxPages` pages or when a page token repeats.
    public func allMediaItems(
        sessionID: String, accessToken: String, pageSize: Int = GooglePickerClient.maxPageSize
    ) async throws(GooglePhotosError) -> [PickedMediaItem] {
        var items: [PickedMediaItem] = []
        var pageToken: String?
        var seen: Set<String> = []
        for _ in 0..<Self.maxPages {
            let page = try await listMediaItems(
                sessionID: sessionID, pageToken: pageToken, pageSize: pageSize, accessToken: accessToken)
            items += page.items
            guard let next = page.nextPageToken, !next.isEmpty else { return items }
            guard seen.insert(next).inserted else {
                throw .unexpectedResponse(status: 200, reason: "mediaItems.list repeated a page token")
            }
            pageToken = next
        }
        throw .unexpectedResponse(status: 200, reason: "mediaItems.list has more than \(Self.maxPages) pages")
    }

    // MARK: Bytes

    /// The photo behind a picked item's `baseUrl`, fitted within `width`×`height`
    /// (`baseUrl=w{W}-h{H}`, aspect ratio kept), fetched with the bearer token (spec 2.4).
    /// A non-2xx answer is `.mediaUnavailable` (the URL expired or was revoked: list the items
    /// again), except 429 (`.rateLimited`) and 5xx (`.unavailable`). A body over `maxBytes` is
    /// `.tooLarge`. `mimeType` is the answer's `Content-Type` without parameters.
    public func fetchBytes(
        baseURL: String, width: Int, height: Int, accessToken: String, maxBytes: Int
    ) async throws(GooglePhotosError) -> (bytes: [UInt8], mimeType: String?) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty, url.query == nil,
            url.fragment == nil
        else { throw .invalidArgument("baseUrl must be an absolute http(s) URL without query") }
        guard (1...16_383).contains(width), (1...16_383).contains(height) else {
            throw .invalidArgument("width and height must be between 1 and 16383")
        }
        guard maxBytes > 0 else { throw .invalidArgument("maxBytes must be positive") }
        guard !accessToken.isEmpty else { throw .unauthenticated }
        var request = HTTPClientRequest(url: "\(baseURL)=w\(width)-h\(height)")
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        let reply: GoogleHTTP.Reply
        do {
            reply = try await GoogleHTTP.sendPhotos(
                request, client: api.httpClient, timeout: timeout, maxBodyBytes: maxBytes)
        } catch {
            api.logger.warning("google picker media fetch from \(host) failed: \(error)")
            throw error
        }
        api.logger.debug("google picker media fetch from \(host) answered \(reply.status)")
        switch reply.status {
        case 200..<300:
            let mimeType = reply.header("Content-Type")?.split(separator: ";").first
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return (reply.body, mimeType?.isEmpty == false ? mimeType : nil)
        case 429, 500...599:
            throw GooglePhotosError(
                status: reply.status, body: reply.body, retryAfter: GoogleHTTP.retryAfter(reply.header("Retry-After")))
        default:
            throw .mediaUnavailable(status: reply.status)
        }
    }
}

// MARK: - Values

/// A Picker session (spec 2.1).
public struct PickingSession: Sendable, Equatable, Decodable {
    public var id: String
    /// Open it in a new tab or window (it cannot be framed); see `autoclosePickerURI`.
    public var pickerURI: String
    /// Wait this long between `sessions.get` calls. nil once `mediaItemsSet` (Google then
    /// leaves out `pollingConfig`).
    public var pollInterval: TimeInterval?
    /// Stop polling after this long (`timeoutIn`; 0 means stop now). nil once `mediaItemsSet`.
    public var pollTimeout: TimeInterval?
    /// After this the session and its items are gone.
    public var expireTime: Date?
    /// The user finished picking: `mediaItems.list` works now. A missing field reads as false.
    public var mediaItemsSet: Bool
    /// `pickingConfig.maxItemCount` (an int64 JSON string), when it was set.
    public var maxItemCount: Int?

    public init(
        id: String, pickerURI: String, pollInterval: TimeInterval? = nil, pollTimeout: TimeInterval? = nil,
        expireTime: Date? = nil, mediaItemsSet: Bool = false, maxItemCount: Int? = nil
    ) {
        self.id = id
        self.pickerURI = pickerURI
        self.pollInterval = pollInterval
        self.pollTimeout = pollTimeout
        self.expireTime = expireTime
        self.mediaItemsSet = mediaItemsSet
        self.maxItemCount = maxItemCount
    }

    /// `pickerURI` with `/autoclose` appended to its path: the Photos tab closes itself when
    /// the user is done (web apps).
    public var autoclosePickerURI: String {
        guard var components = URLComponents(string: pickerURI) else { return pickerURI + "/autoclose" }
        let path = components.percentEncodedPath
        components.percentEncodedPath = (path.hasSuffix("/") ? String(path.dropLast()) : path) + "/autoclose"
        return components.string ?? pickerURI + "/autoclose"
    }

    private enum CodingKeys: String, CodingKey {
        case id, pickerUri, pollingConfig, expireTime, pickingConfig, mediaItemsSet
    }

    private struct PollingConfig: Decodable {
        var pollInterval: String?
        var timeoutIn: String?
    }

    private struct PickingConfig: Decodable {
        var maxItemCount: LenientInt?
    }

    /// Google's JSON: Duration strings (`"5s"`, `"1799.5s"`), RFC 3339 with 0/3/6/9 fractional
    /// digits, `maxItemCount` as a string (numbers accepted too).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        pickerURI = try container.decodeIfPresent(String.self, forKey: .pickerUri) ?? ""
        let polling = try container.decodeIfPresent(PollingConfig.self, forKey: .pollingConfig)
        pollInterval = polling?.pollInterval.flatMap(GoogleTime.duration)
        pollTimeout = polling?.timeoutIn.flatMap(GoogleTime.duration)
        expireTime = try container.decodeIfPresent(String.self, forKey: .expireTime).flatMap(GoogleTime.timestamp)
        mediaItemsSet = try container.decodeIfPresent(Bool.self, forKey: .mediaItemsSet) ?? false
        maxItemCount = try container.decodeIfPresent(PickingConfig.self, forKey: .pickingConfig)?.maxItemCount?.value
    }
}

/// One page of `mediaItems.list`.
public struct PickedMediaItemPage: Sendable, Equatable, Decodable {
    public var items: [PickedMediaItem]
    /// nil on the last page.
    public var nextPageToken: String?

    public init(items: [PickedMediaItem], nextPageToken: String? = nil) {
        self.items = items
        self.nextPageToken = nextPageToken
    }

    private enum CodingKeys: String, CodingKey { case mediaItems, nextPageToken }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decodeIfPresent([PickedMediaItem].self, forKey: .mediaItems) ?? []
        nextPageToken = try container.decodeIfPresent(String.self, forKey: .nextPageToken)
    }
}

/// A picked photo or video (spec 2.3). `id` is stable across sessions: use it as the key.
/// `baseURL` lives 60 minutes and needs the bearer token; its description shows the host only.
public struct PickedMediaItem: Sendable, Equatable, Decodable, CustomStringConvertible {
    public var id: String
    /// When the photo was taken (not uploaded).
    public var createTime: Date?
    /// `PHOTO`, `VIDEO` or `TYPE_UNSPECIFIED` (also when missing).
    public var type: String
    public var baseURL: String
    public var mimeType: String?
    public var filename: String?
    public var width: Int?
    public var height: Int?
    public var cameraMake: String?
    public var cameraModel: String?

    public init(
        id: String, createTime: Date? = nil, type: String = "PHOTO", baseURL: String, mimeType: String? = nil,
        filename: String? = nil, width: Int? = nil, height: Int? = nil, cameraMake: String? = nil,
        cameraModel: String? = nil
    ) {
        self.id = id
        self.createTime = createTime
        self.type = type
        self.baseURL = baseURL
        self.mimeType = mimeType
        self.filename = filename
        self.width = width
        self.height = height
        self.cameraMake = cameraMake
        self.cameraModel = cameraModel
    }

    public var isPhoto: Bool { type == "PHOTO" }

    public var description: String {
        "PickedMediaItem(id: \(id), type: \(type), filename: \(filename ?? "none"), "
            + "\(width.map(String.init) ?? "?")×\(height.map(String.init) ?? "?"), "
            + "baseURL: <\(URL(string: baseURL)?.host ?? "redacted")>)"
    }

    private enum CodingKeys: String, CodingKey { case id, createTime, type, mediaFile }

    private struct MediaFile: Decodable {
        var baseUrl: String
        var mimeType: String?
        var filename: String?
        var mediaFileMetadata: Metadata?
    }

    private struct Metadata: Decodable {
        var width: LenientInt?
        var height: LenientInt?
        var cameraMake: String?
        var cameraModel: String?
    }

    /// `width`/`height` may be integers or strings; unknown fields are ignored. An item without
    /// `id` or `mediaFile.baseUrl` is a decoding error (it is never skipped silently).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createTime = try container.decodeIfPresent(String.self, forKey: .createTime).flatMap(GoogleTime.timestamp)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "TYPE_UNSPECIFIED"
        let file = try container.decode(MediaFile.self, forKey: .mediaFile)
        baseURL = file.baseUrl
        mimeType = file.mimeType
        filename = file.filename
        width = file.mediaFileMetadata?.width?.value
        height = file.mediaFileMetadata?.height?.value
        cameraMake = file.mediaFileMetadata?.cameraMake
        cameraModel = file.mediaFileMetadata?.cameraModel
    }
}

// MARK: - Shared by the Picker and Library clients

/// Sends one Photos API request: bearer token, JSON, deadline, logging, error envelope.
struct GooglePhotosAPI: Sendable {
    /// Largest JSON answer read (a 100-item page is ~100 KB).
    static let maxJSONBytes = 8 << 20

    enum Method { case GET, POST, DELETE }

    let base: URL
    let service: String
    let httpClient: HTTPClient
    let timeout: Duration
    let logger: Logger

    /// `base` + `/` + the percent-encoded `path` segments (a path prefix of `base` is kept).
    func url(_ path: [String], query: [(String, String)] = []) -> String {
        var url = base.absoluteString
        while url.hasSuffix("/") { url.removeLast() }
        for segment in path { url += "/" + segment }
        if !query.isEmpty { url += "?" + GoogleHTTP.form(query) }
        return url
    }

    /// A path segment (ids may hold any character): percent-encoded; empty is an error.
    static func id(_ value: String, _ what: String) throws(GooglePhotosError) -> String {
        guard !value.isEmpty else { throw .invalidArgument("\(what) is empty") }
        return GoogleHTTP.formEncode(value)
    }

    func call(
        _ method: Method, _ path: [String], query: [(String, String)] = [], json: [String: Any]? = nil,
        accessToken: String, operation: String
    ) async throws(GooglePhotosError) -> GoogleHTTP.Reply {
        let body = json.map {
            (try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .withoutEscapingSlashes]))
                .map { [UInt8]($0) } ?? Array("{}".utf8)
        }
        return try await send(
            method, path, query: query, body: body, contentType: body == nil ? nil : "application/json",
            accessToken: accessToken, operation: operation)
    }

    /// Sends the request; a non-2xx answer becomes its `GooglePhotosError`.
    func send(
        _ method: Method, _ path: [String], query: [(String, String)] = [], body: [UInt8]?,
        contentType: String?, headers extra: [(String, String)] = [], accessToken: String, operation: String
    ) async throws(GooglePhotosError) -> GoogleHTTP.Reply {
        guard !accessToken.isEmpty else { throw .unauthenticated }
        var request = HTTPClientRequest(url: url(path, query: query))
        switch method {
        case .GET: request.method = .GET
        case .POST: request.method = .POST
        case .DELETE: request.method = .DELETE
        }
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let reply: GoogleHTTP.Reply
        do {
            reply = try await GoogleHTTP.sendPhotos(
                request, client: httpClient, timeout: timeout, maxBodyBytes: Self.maxJSONBytes)
        } catch {
            logger.warning("google \(service) \(operation) failed: \(error)")
            if case .tooLarge(let limit) = error {
                throw .unexpectedResponse(status: 200, reason: "\(operation) answer is larger than \(limit) bytes")
            }
            throw error
        }
        guard (200..<300).contains(reply.status) else {
            let error = GooglePhotosError(
                status: reply.status, body: reply.body, retryAfter: GoogleHTTP.retryAfter(reply.header("Retry-After")))
            logger.info("google \(service) \(operation) answered \(reply.status): \(error)")
            throw error
        }
        logger.debug("google \(service) \(operation) answered \(reply.status)")
        return reply
    }

    /// A 2xx JSON answer as `T`.
    static func decode<T: Decodable>(_ type: T.Type, _ reply: GoogleHTTP.Reply) throws(GooglePhotosError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(reply.body))
        } catch {
            throw .unexpectedResponse(status: reply.status, reason: "answer is not the expected \(T.self) JSON")
        }
    }
}

/// An integer Google may send as a JSON number or as a string (int64 fields, defensive
/// width/height). Anything else reads as nil rather than failing the whole answer.
struct LenientInt: Decodable, Sendable {
    var value: Int?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            value = number
        } else if let text = try? container.decode(String.self) {
            value = Int(text.trimmingCharacters(in: .whitespaces))
        } else if let number = try? container.decode(Double.self), number.isFinite, number == number.rounded(),
            abs(number) < 9e15
        {
            value = Int(number)
        } else {
            value = nil
        }
    }
}

/// Google's JSON time formats.
enum GoogleTime {
    /// A protobuf Duration string (`"5s"`, `"1799.5s"`, `"0.033333335s"`) in seconds.
    static func duration(_ text: String) -> TimeInterval? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix("s"), let seconds = TimeInterval(text.dropLast()), seconds.isFinite else { return nil }
        return seconds
    }

    /// RFC 3339 (`2026-03-01T12:34:56Z`, `…56.789Z`, `…56.789123456Z`, `…+01:00`): fractional
    /// digits of any length, kept to the nanosecond as far as `Date` can.
    static func timestamp(_ text: String) -> Date? {
        var text = text.trimmingCharacters(in: .whitespaces)
        var fraction: TimeInterval = 0
        if let tee = text.firstIndex(where: { $0 == "T" || $0 == "t" }),
            let dot = text[tee...].firstIndex(of: ".")
        {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = TimeInterval("0." + digits) else { return nil }
            fraction = value
            text.removeSubrange(dot..<digits.endIndex)
        }
        guard let whole = try? Date(text.uppercased(), strategy: .iso8601) else { return nil }
        return whole.addingTimeInterval(fraction)
    }
}
