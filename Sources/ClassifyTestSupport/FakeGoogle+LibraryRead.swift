import Foundation

/// Library reads (spec 3.5, scope `photoslibrary.readonly.appcreateddata`): only albums and
/// items this app created for this user.
extension FakeGoogle {
    private func readToken(_ bearer: String?, _ method: String) throws(GoogleAPIError) -> FakeRecord.AccessToken {
        try libraryToken(bearer, method, anyOf: [GoogleScope.readAppCreated])
    }

    /// `GET /v1/albums?pageSize=&pageToken=` (default 20, max 50).
    func listAlbums(bearer: String?, query: [String: String]) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try readToken(bearer, "ListAlbums")
        let ids = albumOrder.filter { albums[$0]?.userSub == token.userSub && albums[$0]?.clientID == token.clientID }
        let (page, next) = try Self.page(ids, query: query, defaultSize: 20, maxSize: 50, scope: "albums")
        var body: [String: Any] = [:]
        var list: [[String: Any]] = []
        for id in page { if let album = albums[id] { list.append(albumJSON(album)) } }
        if !list.isEmpty { body["albums"] = list }
        if let next { body["nextPageToken"] = next }
        return body
    }

    /// `GET /v1/albums/{id}`.
    func getAlbum(bearer: String?, id: String) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try readToken(bearer, "GetAlbum")
        return albumJSON(try appAlbum(id, token: token, notFound: .notFound()))
    }

    /// `POST /v1/mediaItems:search` with `albumId` (or nothing: every app-created item).
    func searchMediaItems(bearer: String?, body: sending [String: Any]) throws(GoogleAPIError) -> sending [String: Any]
    {
        let token = try readToken(bearer, "SearchMediaItems")
        if body["albumId"] != nil, body["filters"] != nil {
            throw .invalidArgument("Request must not contain both albumId and filters.")
        }
        var ids: [String]
        var scope = "items"
        if let albumID = body["albumId"] as? String {
            ids = try appAlbum(albumID, token: token, notFound: .notFound()).itemIDs
            scope = albumID
        } else {
            ids = appItemIDs(token)
        }
        var query: [String: String] = [:]
        if let size = body["pageSize"] { query["pageSize"] = "\(size)" }
        if let next = body["pageToken"] as? String { query["pageToken"] = next }
        return try itemPage(ids, query: query, scope: scope)
    }

    /// `GET /v1/mediaItems?pageSize=&pageToken=` (default 25, max 100).
    func listLibraryItems(bearer: String?, query: [String: String]) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try readToken(bearer, "ListMediaItems")
        return try itemPage(appItemIDs(token), query: query, scope: "items")
    }

    /// `GET /v1/mediaItems/{id}`.
    func getLibraryItem(bearer: String?, id: String) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try readToken(bearer, "GetMediaItem")
        guard let item = libraryItems[id], item.userSub == token.userSub, item.clientID == token.clientID else {
            throw .notFound()
        }
        return mediaItemJSON(item, baseURL: true)
    }

    /// `GET /v1/mediaItems:batchGet?mediaItemIds=…` (max 50, no duplicates).
    func batchGetLibraryItems(bearer: String?, ids: [String]) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try readToken(bearer, "BatchGetMediaItems")
        guard !ids.isEmpty else { throw .invalidArgument("Request must contain at least one media item id.") }
        guard ids.count <= 50 else { throw .invalidArgument("Request must have less than 50 items.") }
        guard Set(ids).count == ids.count else { throw .invalidArgument("Request contains duplicate media item ids.") }
        var results: [[String: Any]] = []
        for id in ids {
            if let item = libraryItems[id], item.userSub == token.userSub, item.clientID == token.clientID {
                results.append(["mediaItem": mediaItemJSON(item, baseURL: true)])
            } else {
                results.append(["status": ["code": 5, "message": "NOT_FOUND"]])
            }
        }
        return ["mediaItemResults": results]
    }

    private func appItemIDs(_ token: FakeRecord.AccessToken) -> [String] {
        libraryOrder.filter {
            libraryItems[$0]?.userSub == token.userSub && libraryItems[$0]?.clientID == token.clientID
        }
    }

    private func itemPage(_ ids: [String], query: [String: String], scope: String) throws(GoogleAPIError)
        -> sending [String: Any]
    {
        let (page, next) = try Self.page(ids, query: query, defaultSize: 25, maxSize: 100, scope: scope)
        var body: [String: Any] = [:]
        var items: [[String: Any]] = []
        for id in page { if let item = libraryItems[id] { items.append(mediaItemJSON(item, baseURL: true)) } }
        if !items.isEmpty { body["mediaItems"] = items }
        if let next { body["nextPageToken"] = next }
        return body
    }

    static func page(_ ids: [String], query: [String: String], defaultSize: Int, maxSize: Int, scope: String)
        throws(GoogleAPIError) -> (ArraySlice<String>, String?)
    {
        var size = defaultSize
        if let raw = query["pageSize"] {
            guard let value = Int(raw), value >= 0 else { throw .invalidArgument("Invalid pageSize: \(raw)") }
            size = value == 0 ? defaultSize : min(value, maxSize)
        }
        let start = try pageOffset(query["pageToken"], scope: scope)
        let page = ids.dropFirst(start).prefix(size)
        let next = start + page.count < ids.count ? pageToken(start + page.count, scope: scope) : nil
        return (page, next)
    }

    func albumJSON(_ album: FakeRecord.Album) -> sending [String: Any] {
        var json: [String: Any] = [
            "id": album.id, "title": album.title, "productUrl": "\(publicBaseURL)/lr/album/\(album.id)",
            "isWriteable": true,
        ]
        if let first = album.itemIDs.first, let item = libraryItems[first] {
            json["mediaItemsCount"] = String(album.itemIDs.count)
            json["coverPhotoMediaItemId"] = first
            json["coverPhotoBaseUrl"] = mintBaseURL(blobHash: item.blobHash, userSub: album.userSub, kind: "lr")
        }
        return json
    }

    func mediaItemJSON(_ item: FakeRecord.LibraryItem, baseURL: Bool) -> sending [String: Any] {
        let info = blobs[item.blobHash]?.info ?? FakePhotoInfo(mimeType: "image/jpeg", width: 0, height: 0)
        var json: [String: Any] = [
            "id": item.id, "description": item.description, "productUrl": "\(publicBaseURL)/lr/photo/\(item.id)",
            "mimeType": info.mimeType, "mediaMetadata": info.libraryMetadata(creationTime: item.createdAt),
            "filename": item.filename,
        ]
        if baseURL { json["baseUrl"] = mintBaseURL(blobHash: item.blobHash, userSub: item.userSub, kind: "lr") }
        return json
    }
}
