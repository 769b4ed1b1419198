import Foundation

/// The Library API writes left after March 2025 (spec 3.1–3.4): upload bytes, create albums,
/// `mediaItems:batchCreate` (≤ 50, per-item status) and `albums:batchAddMediaItems`.
extension FakeGoogle {
    static let libraryService = "photoslibrary.googleapis.com"

    func libraryToken(_ bearer: String?, _ method: String, anyOf scopes: Set<String>) throws(GoogleAPIError)
        -> FakeRecord.AccessToken
    {
        try authenticate(
            bearer, anyOf: scopes, service: Self.libraryService,
            method: "google.photos.library.v1.PhotosLibrary.\(method)")
    }

    /// `POST /v1/uploads` (raw protocol) → the upload token as plain text. `info` is nil when
    /// the bytes are not an image: the upload succeeds, `batchCreate` then fails that item.
    func upload(bearer: String?, bytes: [UInt8], info: FakePhotoInfo?, uploadProtocol: String?, fileName: String?)
        throws(GoogleAPIError) -> String
    {
        let token = try libraryToken(bearer, "UploadMedia", anyOf: [GoogleScope.appendOnly])
        guard uploadProtocol?.lowercased() == "raw" else {
            throw .invalidArgument(
                "X-Goog-Upload-Protocol must be raw (resumable uploads are not supported by the fake).")
        }
        guard !bytes.isEmpty else { throw .invalidArgument("The request body is empty.") }
        try admitRecord { uploads.count }
        var hash: String?
        if let info {
            guard let stored = storeBlob(bytes, info: info) else {
                throw .resourceExhausted("The fake's storage budget (\(configuration.maxStoredBytes) bytes) is spent.")
            }
            hash = stored
        }
        let uploadToken = "CAIS" + FakeRandom.token(60)
        uploads[uploadToken] = .init(
            userSub: token.userSub, clientID: token.clientID, blobHash: hash, fileName: fileName,
            expiresAt: now.addingTimeInterval(configuration.uploadTokenTTL))
        issued.uploadTokens += 1
        return uploadToken
    }

    /// `POST /v1/albums`.
    func createAlbum(bearer: String?, body: sending [String: Any]) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try libraryToken(bearer, "CreateAlbum", anyOf: [GoogleScope.appendOnly])
        guard let album = body["album"] as? [String: Any], let title = album["title"] as? String else {
            throw .invalidArgument("Request must contain an album with a title.")
        }
        guard title.count <= 500 else { throw .invalidArgument("The album title must be at most 500 characters.") }
        guard albums.count < configuration.maxRecords else {
            throw .resourceExhausted("The fake's album limit is reached.")
        }
        let record = FakeRecord.Album(
            id: "AHs" + FakeRandom.token(40), userSub: token.userSub, clientID: token.clientID, title: title,
            createdAt: now)
        albums[record.id] = record
        albumOrder.append(record.id)
        return albumJSON(record)
    }

    /// `POST /v1/mediaItems:batchCreate`. HTTP 200 even when items fail: each has a status.
    func batchCreate(bearer: String?, body: sending [String: Any]) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try libraryToken(bearer, "BatchCreateMediaItems", anyOf: [GoogleScope.appendOnly])
        let request = try BatchCreateRequest(body)
        var album: FakeRecord.Album?
        if let albumID = request.albumID {
            album = try appAlbum(albumID, token: token, notFound: .invalidArgument("Invalid album ID: \(albumID)"))
        }
        var insertAt = album?.itemIDs.count ?? 0
        switch request.position {
        case "FIRST_IN_ALBUM": insertAt = 0
        case "AFTER_MEDIA_ITEM":
            guard let relative = request.relativeMediaItemID, let index = album?.itemIDs.firstIndex(of: relative) else {
                throw .invalidArgument("Invalid relativeMediaItemId.")
            }
            insertAt = index + 1
        default: break
        }
        var results: [[String: Any]] = []
        var created: [String] = []
        for item in request.items {
            var result: [String: Any] = ["uploadToken": item.uploadToken]
            switch createItem(item, token: token, albumCount: (album?.itemIDs.count ?? 0) + created.count) {
            case .success(let mediaItem):
                created.append(mediaItem.id)
                result["status"] = ["message": "Success"]
                result["mediaItem"] = mediaItemJSON(mediaItem, baseURL: false)
            case .failure(let status):
                result["status"] = ["code": status.code, "message": status.message]
            }
            results.append(result)
        }
        if let album { albums[album.id]?.itemIDs.insert(contentsOf: created, at: insertAt) }
        return ["newMediaItemResults": results]
    }

    private struct ItemFailure: Error {
        let code: Int
        let message: String
    }

    private func createItem(_ item: BatchCreateRequest.Item, token: FakeRecord.AccessToken, albumCount: Int)
        -> Result<FakeRecord.LibraryItem, ItemFailure>
    {
        if !itemFailures.isEmpty {
            let failure = itemFailures.removeFirst()  // injected: the upload token stays usable
            return .failure(.init(code: failure.code, message: failure.message))
        }
        guard let upload = uploads[item.uploadToken], !upload.used, upload.expiresAt > now,
            upload.userSub == token.userSub, upload.clientID == token.clientID
        else {
            return .failure(
                .init(code: 3, message: "INVALID_ARGUMENT: The upload token is invalid, expired or already used."))
        }
        guard let hash = upload.blobHash, let blob = blobs[hash] else {
            uploads[item.uploadToken]?.used = true
            return .failure(
                .init(code: 3, message: "BAD_IMAGE: There was an error while trying to create this media item."))
        }
        guard albumCount < configuration.maxAlbumItems else {
            return .failure(.init(code: 3, message: "The album is full (\(configuration.maxAlbumItems) items)."))
        }
        guard libraryItems.count < configuration.maxRecords else {
            return .failure(.init(code: 8, message: "RESOURCE_EXHAUSTED: The fake's item limit is reached."))
        }
        uploads[item.uploadToken]?.used = true
        let created = FakeRecord.LibraryItem(
            id: "AEEKk9" + FakeRandom.token(40), userSub: token.userSub, clientID: token.clientID, blobHash: hash,
            filename: item.fileName ?? upload.fileName
                ?? "\(hash.prefix(12)).\(Self.fileExtension(blob.info.mimeType))",
            description: item.description ?? "", createdAt: now)
        libraryItems[created.id] = created
        libraryOrder.append(created.id)
        return .success(created)
    }

    /// `POST /v1/albums/{id}:batchAddMediaItems`: all ids or none.
    func batchAddMediaItems(bearer: String?, albumID: String, body: sending [String: Any]) throws(GoogleAPIError)
        -> sending [String: Any]
    {
        let token = try libraryToken(
            bearer, "BatchAddMediaItemsToAlbum", anyOf: [GoogleScope.appendOnly, GoogleScope.editAppCreated])
        guard let ids = body["mediaItemIds"] as? [String], !ids.isEmpty else {
            throw .invalidArgument("Request must contain at least one media item id.")
        }
        guard ids.count <= 50 else { throw .invalidArgument("Request must have less than 50 items.") }
        let album = try appAlbum(albumID, token: token, notFound: .invalidArgument("Invalid album ID: \(albumID)"))
        for id in ids {
            guard let item = libraryItems[id], item.userSub == token.userSub, item.clientID == token.clientID else {
                throw .invalidArgument("Request contains an invalid media item id.")
            }
        }
        guard album.itemIDs.count + ids.count <= configuration.maxAlbumItems else {
            throw .invalidArgument("The album would exceed \(configuration.maxAlbumItems) items.")
        }
        albums[albumID]?.itemIDs.append(contentsOf: ids)
        return [:]
    }

    /// An album this app (client) created for this user, or `notFound`.
    func appAlbum(_ id: String, token: FakeRecord.AccessToken, notFound: GoogleAPIError) throws(GoogleAPIError)
        -> FakeRecord.Album
    {
        guard let album = albums[id], album.userSub == token.userSub, album.clientID == token.clientID else {
            throw notFound
        }
        return album
    }

    static func fileExtension(_ mimeType: String) -> String {
        switch mimeType {
        case "image/png": "png"
        case "image/webp": "webp"
        case "image/gif": "gif"
        case "image/tiff": "tif"
        case "image/heif": "heic"
        case "image/avif": "avif"
        default: "jpg"
        }
    }
}

/// A `batchCreate` body, validated as a whole (a bad shape fails the call, not an item).
struct BatchCreateRequest {
    struct Item {
        let uploadToken: String
        let fileName: String?
        let description: String?
    }

    let albumID: String?
    let position: String?
    let relativeMediaItemID: String?
    let items: [Item]

    init(_ body: [String: Any]) throws(GoogleAPIError) {
        guard let items = body["newMediaItems"] as? [[String: Any]], !items.isEmpty else {
            throw .invalidArgument("Request must contain at least one newMediaItem.")
        }
        guard items.count <= 50 else { throw .invalidArgument("Request must have less than 50 items.") }
        albumID = body["albumId"] as? String
        let position = body["albumPosition"] as? [String: Any]
        self.position = position?["position"] as? String
        relativeMediaItemID = position?["relativeMediaItemId"] as? String
        if position != nil, albumID == nil { throw .invalidArgument("albumPosition requires albumId.") }
        let positions = ["FIRST_IN_ALBUM", "LAST_IN_ALBUM", "AFTER_MEDIA_ITEM"]
        if let value = self.position, !positions.contains(value) {
            throw .invalidArgument("Unsupported albumPosition: \(value)")
        }
        var parsed: [Item] = []
        for item in items {
            guard let simple = item["simpleMediaItem"] as? [String: Any], let token = simple["uploadToken"] as? String,
                !token.isEmpty
            else { throw .invalidArgument("Each newMediaItem needs simpleMediaItem.uploadToken.") }
            let fileName = simple["fileName"] as? String
            if let fileName, fileName.count > 255 { throw .invalidArgument("fileName must be at most 255 characters.") }
            let description = item["description"] as? String
            if let description, description.count >= 1000 {
                throw .invalidArgument("description must be shorter than 1000 characters.")
            }
            parsed.append(.init(uploadToken: token, fileName: fileName, description: description))
        }
        self.items = parsed
    }
}

extension FakeGoogle {
    /// Marks a batchCreate for the bearer's user as running; false when one already runs and
    /// the fake rejects overlapping calls (Google throttles parallel batchCreate per user).
    func beginBatchCreate(bearer: String?) -> String? {
        guard let bearer, let token = accessTokens[bearer] else { return "" }
        if configuration.rejectConcurrentBatchCreate, batchCreateInFlight.contains(token.userSub) { return nil }
        batchCreateInFlight.insert(token.userSub)
        return token.userSub
    }

    func endBatchCreate(_ userSub: String) { batchCreateInFlight.remove(userSub) }
}
