import Crypto
import Foundation

/// The Picker API (spec section 2): sessions, picked media items, and the admin/page action
/// that plays the person picking photos.
extension FakeGoogle {
    static let pickerService = "photospicker.googleapis.com"

    private func pickerToken(_ bearer: String?, _ method: String) throws(GoogleAPIError) -> FakeRecord.AccessToken {
        try authenticate(
            bearer, anyOf: [GoogleScope.picker], service: Self.pickerService,
            method: "google.photos.picker.v1.PickingService.\(method)")
    }

    /// `POST /v1/sessions`.
    func createSession(bearer: String?, body: sending [String: Any]) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try pickerToken(bearer, "CreateSession")
        guard user(sub: token.userSub)?.hasPhotosAccount ?? false else {
            throw .failedPrecondition("The user does not have an active Google Photos account.")
        }
        var maxItemCount: Int?
        if let config = body["pickingConfig"] {
            guard let config = config as? [String: Any] else { throw .invalidArgument("Invalid pickingConfig.") }
            if let raw = config["maxItemCount"] {
                guard let count = (raw as? String).flatMap(Int.init) ?? (raw as? Int), (1...2000).contains(count) else {
                    throw .invalidArgument("Invalid value at 'picking_config.max_item_count' (TYPE_INT64), \(raw)")
                }
                maxItemCount = count
            }
        }
        let open = sessions.values.filter { $0.userSub == token.userSub && !$0.deleted && $0.expiresAt > now }
        guard open.count < configuration.maxOpenSessionsPerUser else {
            throw .resourceExhausted("The user has too many open picking sessions.")
        }
        try admitRecord { sessions.count }
        let session = FakeRecord.PickingSession(
            id: UUID().uuidString.lowercased(), userSub: token.userSub, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.pickingSessionTTL), maxItemCount: maxItemCount)
        sessions[session.id] = session
        return sessionJSON(session)
    }

    /// `GET /v1/sessions/{id}`.
    func getSession(bearer: String?, id: String) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try pickerToken(bearer, "GetSession")
        return sessionJSON(try liveSession(id, userSub: token.userSub))
    }

    /// `DELETE /v1/sessions/{id}` → `{}`.
    func deleteSession(bearer: String?, id: String) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try pickerToken(bearer, "DeleteSession")
        _ = try liveSession(id, userSub: token.userSub)
        sessions[id]?.deleted = true
        return [:]
    }

    /// `GET /v1/mediaItems?sessionId=&pageSize=&pageToken=`.
    func listPickedItems(bearer: String?, query: [String: String]) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try pickerToken(bearer, "ListMediaItems")
        guard let sessionID = query["sessionId"], !sessionID.isEmpty else {
            throw .invalidArgument("Missing required parameter: session_id")
        }
        var pageSize = 50
        if let raw = query["pageSize"] {
            guard let value = Int(raw) else {
                throw .invalidArgument("Invalid value at 'page_size' (TYPE_INT32), \"\(raw)\"")
            }
            guard value >= 0 else { throw .invalidArgument("Page size must not be negative.") }
            pageSize = value == 0 ? 50 : min(value, 100)
        }
        let session = try liveSession(sessionID, userSub: token.userSub)
        guard session.mediaItemsSet else {
            throw .failedPrecondition("The user has not finished picking media items in this session.")
        }
        let start = try Self.pageOffset(query["pageToken"], scope: sessionID)
        if configuration.shortPickerPages, pageSize > 1 { pageSize -= 1 }
        let page = session.itemIDs.dropFirst(start).prefix(pageSize)
        try admitRecord(adding: page.count) { baseURLs.count }
        var body: [String: Any] = [:]
        var items: [[String: Any]] = []
        for id in page { if let item = pickedItems[id] { items.append(pickedItemJSON(item, userSub: token.userSub)) } }
        if !items.isEmpty { body["mediaItems"] = items }  // proto3 JSON leaves out an empty list
        if start + page.count < session.itemIDs.count {
            body["nextPageToken"] = Self.pageToken(start + page.count, scope: sessionID)
        }
        return body
    }

    /// The person finished picking these photos. Fails when the session is unknown, expired,
    /// deleted or already done, or when more photos are given than `maxItemCount` allows.
    public func pick(sessionID: String, photos: [FakePickedPhoto]) throws(FakeAdminError) {
        guard let session = sessions[sessionID], !session.deleted, session.expiresAt > now else {
            throw .notFound("no live picking session \(sessionID)")
        }
        guard !session.mediaItemsSet else { throw .conflict("session \(sessionID) is already picked") }
        guard photos.count <= session.maxItemCount ?? 2000 else {
            throw .badRequest("\(photos.count) photos exceed maxItemCount \(session.maxItemCount ?? 2000)")
        }
        var ids: [String] = []
        for photo in photos {
            guard let hash = storeBlob(photo.bytes, info: photo.info) else {
                throw .insufficientStorage("the fake's byte budget (\(configuration.maxStoredBytes)) is spent")
            }
            let id =
                "AF1Qip"
                + SHA256.hash(data: Data((session.userSub + "/" + hash).utf8)).base64URLEncodedString().prefix(38)
            pickedItems[id] = .init(id: id, userSub: session.userSub, blobHash: hash, filename: photo.filename)
            if !ids.contains(id) { ids.append(id) }
        }
        sessions[sessionID]?.itemIDs = ids
        sessions[sessionID]?.mediaItemsSet = true
    }

    /// The session exactly as the picker page needs it (nil when it can no longer be used).
    func sessionForPage(_ id: String) -> FakeRecord.PickingSession? {
        guard let session = sessions[id], !session.deleted, session.expiresAt > now else { return nil }
        return session
    }

    public func expireSession(_ id: String) -> Bool {
        guard sessions[id] != nil else { return false }
        sessions[id]?.expiresAt = now.addingTimeInterval(-1)
        return true
    }

    private func liveSession(_ id: String, userSub: String) throws(GoogleAPIError) -> FakeRecord.PickingSession {
        guard let session = sessions[id], session.userSub == userSub, !session.deleted, session.expiresAt > now else {
            throw .notFound("Session not found.")
        }
        return session
    }

    private func sessionJSON(_ session: FakeRecord.PickingSession) -> sending [String: Any] {
        var json: [String: Any] = [
            "id": session.id, "pickerUri": "\(publicBaseURL)/picker/\(session.id)",
            "expireTime": FakeTime.rfc3339(session.expiresAt),
        ]
        if let maxItemCount = session.maxItemCount { json["pickingConfig"] = ["maxItemCount": String(maxItemCount)] }
        if session.mediaItemsSet {
            json["mediaItemsSet"] = true
        } else {
            json["pollingConfig"] = [
                "pollInterval": FakeTime.duration(configuration.pollInterval),
                "timeoutIn": FakeTime.duration(session.expiresAt.timeIntervalSince(now)),
            ]
            if !configuration.omitMediaItemsSetWhenFalse { json["mediaItemsSet"] = false }
        }
        return json
    }

    private func pickedItemJSON(_ item: FakeRecord.PickedItem, userSub: String) -> sending [String: Any] {
        let info = blobs[item.blobHash]?.info ?? FakePhotoInfo(mimeType: "image/jpeg", width: 0, height: 0)
        let baseURL = mintBaseURL(blobHash: item.blobHash, userSub: userSub, kind: "ppa")
        return [
            "id": item.id, "createTime": FakeTime.rfc3339(info.takenAt ?? Date(timeIntervalSince1970: 0)),
            "type": "PHOTO",
            "mediaFile": [
                "baseUrl": baseURL, "mimeType": info.mimeType, "filename": item.filename,
                "mediaFileMetadata": info.pickerMetadata,
            ] as [String: Any],
        ]
    }

    /// Page tokens are opaque to clients; this one names the list it belongs to and where the
    /// next page starts.
    static func pageToken(_ offset: Int, scope: String) -> String {
        Data("\(scope)|\(offset)".utf8).base64URLEncodedString()
    }

    static func pageOffset(_ token: String?, scope: String) throws(GoogleAPIError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let bar = text.lastIndex(of: "|"), text[..<bar] == scope, let offset = Int(text[text.index(after: bar)...]),
            offset >= 0
        else { throw .invalidArgument("Invalid page token.") }
        return offset
    }
}

/// One photo handed to `FakeGoogle.pick`: its bytes and what Google would report about it.
public struct FakePickedPhoto: Sendable {
    public var filename: String
    public var bytes: [UInt8]
    public var info: FakePhotoInfo

    public init(filename: String, bytes: [UInt8], info: FakePhotoInfo) {
        self.filename = filename
        self.bytes = bytes
        self.info = info
    }

    /// Reads an image file; its modification time stands in for a missing EXIF date.
    public static func load(path: String) throws(FakeAdminError) -> FakePickedPhoto {
        guard let data = FileManager.default.contents(atPath: path) else { throw .badRequest("cannot read \(path)") }
        let bytes = [UInt8](data)
        guard var info = FakePhotoInfo.read(bytes) else { throw .badRequest("not an image: \(path)") }
        if info.takenAt == nil {
            info.takenAt = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        }
        return FakePickedPhoto(filename: (path as NSString).lastPathComponent, bytes: bytes, info: info)
    }
}

/// An admin call the fake refuses, with the HTTP status it answers.
public enum FakeAdminError: Error, Equatable, CustomStringConvertible {
    case badRequest(String)
    case notFound(String)
    case conflict(String)
    case insufficientStorage(String)

    public var description: String {
        switch self {
        case .badRequest(let m), .notFound(let m), .conflict(let m), .insufficientStorage(let m): m
        }
    }

    var status: Int {
        switch self {
        case .badRequest: 400
        case .notFound: 404
        case .conflict: 409
        case .insufficientStorage: 507
        }
    }
}
