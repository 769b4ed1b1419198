import ClassifyCore
import SQLKit

/// Google Photos state in the photos database: the picker sessions a person opened, what the
/// picker said about each picked item (and which photo its bytes became), and the albums of
/// clear photos with each photo's step. Every query is scoped to its user.
public struct GooglePhotosRepository: Sendable {
    let store: StoreConnection

    public init(store: StoreConnection) {
        self.store = store
    }

    // MARK: Picker sessions

    public struct PickerSessionRow: Sendable, Equatable {
        public var id: String
        public var userID: String
        public var pickerURI: String
        public var expireTime: Int64?
        public var syncJobID: String?
        public var deletedAt: Int64?
    }

    public func addSession(id: String, userID: String, pickerURI: String, expireTime: Int64?, now: Int64) async throws {
        try await store.sql.raw(
            """
            INSERT INTO picker_sessions (id, user_id, picker_uri, expire_time, created_at)
            VALUES (\(bind: id), \(bind: userID), \(bind: pickerURI), \(bind: expireTime), \(bind: now))
            ON CONFLICT (id) DO NOTHING
            """
        ).run()
    }

    public func session(id: String, userID: String) async throws -> PickerSessionRow? {
        guard
            let row = try await store.sql.raw(
                "SELECT * FROM picker_sessions WHERE id = \(bind: id) AND user_id = \(bind: userID)"
            ).first()
        else { return nil }
        return PickerSessionRow(
            id: try row.decode(column: "id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            pickerURI: try row.decode(column: "picker_uri", as: String.self),
            expireTime: try row.decode(column: "expire_time", as: Int64?.self),
            syncJobID: try row.decode(column: "sync_job_id", as: String?.self),
            deletedAt: try row.decode(column: "deleted_at", as: Int64?.self))
    }

    public func setSyncJob(sessionID: String, userID: String, jobID: String) async throws {
        try await store.sql.raw(
            "UPDATE picker_sessions SET sync_job_id = \(bind: jobID) WHERE id = \(bind: sessionID) AND user_id = \(bind: userID)"
        ).run()
    }

    /// Marks the session deleted at Google; false when it already was (so only one caller deletes).
    public func markSessionDeleted(id: String, userID: String, now: Int64) async throws -> Bool {
        !(try await store.sql.raw(
            """
            UPDATE picker_sessions SET deleted_at = \(bind: now)
            WHERE id = \(bind: id) AND user_id = \(bind: userID) AND deleted_at IS NULL RETURNING id
            """
        ).all()).isEmpty
    }

    // MARK: Picked items

    public struct PickedItem: Sendable, Equatable {
        public var googlePhotoID: String
        public var sessionID: String
        public var baseURL: String
        public var baseURLAt: Int64
        public var filename: String?
        public var mimeType: String?
        public var createTime: Int64?
        public var width: Int?
        public var height: Int?
        public var camera: String?
        /// The photo its bytes became, once fetched.
        public var photoID: String?

        public init(
            googlePhotoID: String, sessionID: String, baseURL: String, baseURLAt: Int64, filename: String?,
            mimeType: String?, createTime: Int64?, width: Int?, height: Int?, camera: String?, photoID: String? = nil
        ) {
            self.googlePhotoID = googlePhotoID
            self.sessionID = sessionID
            self.baseURL = baseURL
            self.baseURLAt = baseURLAt
            self.filename = filename
            self.mimeType = mimeType
            self.createTime = createTime
            self.width = width
            self.height = height
            self.camera = camera
            self.photoID = photoID
        }
    }

    /// Records what the picker said; an item seen before keeps its photo and gets the new
    /// `baseUrl` (the old one may have expired).
    public func upsertItems(_ items: [PickedItem], userID: String) async throws {
        try await store.transaction { sql in
            for item in items {
                try await sql.raw(
                    """
                    INSERT INTO google_items (user_id, google_photo_id, session_id, base_url, base_url_at, filename,
                        mime_type, create_time, width, height, camera)
                    VALUES (\(bind: userID), \(bind: item.googlePhotoID), \(bind: item.sessionID), \(bind: item.baseURL),
                        \(bind: item.baseURLAt), \(bind: item.filename), \(bind: item.mimeType), \(bind: item.createTime),
                        \(bind: item.width), \(bind: item.height), \(bind: item.camera))
                    ON CONFLICT (user_id, google_photo_id) DO UPDATE SET
                        session_id = excluded.session_id, base_url = excluded.base_url,
                        base_url_at = excluded.base_url_at, filename = excluded.filename,
                        mime_type = excluded.mime_type, create_time = excluded.create_time,
                        width = excluded.width, height = excluded.height, camera = excluded.camera
                    """
                ).run()
            }
        }
    }

    public func item(googlePhotoID: String, userID: String) async throws -> PickedItem? {
        guard
            let row = try await store.sql.raw(
                "SELECT * FROM google_items WHERE user_id = \(bind: userID) AND google_photo_id = \(bind: googlePhotoID)"
            ).first()
        else { return nil }
        return PickedItem(
            googlePhotoID: try row.decode(column: "google_photo_id", as: String.self),
            sessionID: try row.decode(column: "session_id", as: String.self),
            baseURL: try row.decode(column: "base_url", as: String.self),
            baseURLAt: try row.decode(column: "base_url_at", as: Int64.self),
            filename: try row.decode(column: "filename", as: String?.self),
            mimeType: try row.decode(column: "mime_type", as: String?.self),
            createTime: try row.decode(column: "create_time", as: Int64?.self),
            width: try row.decode(column: "width", as: Int64?.self).map(Int.init),
            height: try row.decode(column: "height", as: Int64?.self).map(Int.init),
            camera: try row.decode(column: "camera", as: String?.self),
            photoID: try row.decode(column: "photo_id", as: String?.self))
    }

    /// Of `ids`, those whose bytes are not (or no longer) in the library.
    public func itemsWithoutPhoto(_ ids: [String], userID: String) async throws -> [String] {
        let rows = try await store.sql.raw(
            """
            SELECT g.google_photo_id FROM google_items g
            LEFT JOIN photos p ON p.id = g.photo_id AND p.user_id = g.user_id
            WHERE g.user_id = \(bind: userID) AND p.id IS NULL
            """
        ).all()
        let missing = Set(try rows.map { try $0.decode(column: "google_photo_id", as: String.self) })
        return ids.filter { missing.contains($0) }
    }

    public func linkPhoto(googlePhotoID: String, photoID: String, userID: String) async throws {
        try await store.sql.raw(
            """
            UPDATE google_items SET photo_id = \(bind: photoID)
            WHERE user_id = \(bind: userID) AND google_photo_id = \(bind: googlePhotoID)
            """
        ).run()
    }

    // MARK: Albums

    public struct AlbumRow: Sendable, Equatable {
        public var id: String
        public var userID: String
        public var jobID: String
        public var title: String
        public var googleAlbumID: String?
        public var productURL: String?
        public var createdAt: Int64
    }

    public struct AlbumItemRow: Sendable, Equatable {
        public var photoID: String
        public var position: Int
        /// pending → uploaded (has a token) → creating (sent to batchCreate) → done | failed
        public var state: String
        public var uploadToken: String?
        public var uploadedAt: Int64?
        public var mediaItemID: String?
        public var error: String?
    }

    /// A new album of `photoIDs` (in this order), all pending.
    public func addAlbum(id: String, userID: String, jobID: String, title: String, photoIDs: [String], now: Int64)
        async throws
    {
        try await store.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO albums (id, user_id, job_id, title, created_at)
                VALUES (\(bind: id), \(bind: userID), \(bind: jobID), \(bind: title), \(bind: now))
                """
            ).run()
            for (position, photoID) in photoIDs.enumerated() {
                try await sql.raw(
                    """
                    INSERT INTO album_items (album_id, photo_id, position, state)
                    VALUES (\(bind: id), \(bind: photoID), \(bind: position), 'pending')
                    """
                ).run()
            }
        }
    }

    /// Resumes an album under a new job: failed photos are tried again and `newPhotoIDs`
    /// (clear since) are added at the end.
    public func resumeAlbum(id: String, jobID: String, newPhotoIDs: [String]) async throws {
        try await store.transaction { sql in
            try await sql.raw("UPDATE albums SET job_id = \(bind: jobID) WHERE id = \(bind: id)").run()
            try await sql.raw(
                """
                UPDATE album_items SET state = 'pending', upload_token = NULL, uploaded_at = NULL, error = NULL
                WHERE album_id = \(bind: id) AND state = 'failed'
                """
            ).run()
            let last =
                try await sql.raw("SELECT MAX(position) AS last FROM album_items WHERE album_id = \(bind: id)")
                .first()?.decode(column: "last", as: Int64?.self) ?? -1
            for (offset, photoID) in newPhotoIDs.enumerated() {
                try await sql.raw(
                    """
                    INSERT INTO album_items (album_id, photo_id, position, state)
                    VALUES (\(bind: id), \(bind: photoID), \(bind: Int(last) + 1 + offset), 'pending')
                    ON CONFLICT (album_id, photo_id) DO NOTHING
                    """
                ).run()
            }
        }
    }

    public func album(id: String, userID: String) async throws -> AlbumRow? {
        try await store.sql.raw("SELECT * FROM albums WHERE id = \(bind: id) AND user_id = \(bind: userID)")
            .first().map(Self.album(from:))
    }

    public func latestAlbum(userID: String) async throws -> AlbumRow? {
        try await store.sql.raw(
            "SELECT * FROM albums WHERE user_id = \(bind: userID) ORDER BY created_at DESC, id DESC LIMIT 1"
        ).first().map(Self.album(from:))
    }

    static func album(from row: any SQLRow) throws -> AlbumRow {
        AlbumRow(
            id: try row.decode(column: "id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            jobID: try row.decode(column: "job_id", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            googleAlbumID: try row.decode(column: "google_album_id", as: String?.self),
            productURL: try row.decode(column: "product_url", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    public func setGoogleAlbum(id: String, googleAlbumID: String, productURL: String?) async throws {
        try await store.sql.raw(
            """
            UPDATE albums SET google_album_id = \(bind: googleAlbumID), product_url = \(bind: productURL)
            WHERE id = \(bind: id)
            """
        ).run()
    }

    public func albumItems(albumID: String) async throws -> [AlbumItemRow] {
        try await store.sql.raw(
            "SELECT * FROM album_items WHERE album_id = \(bind: albumID) ORDER BY position"
        ).all().map { row in
            AlbumItemRow(
                photoID: try row.decode(column: "photo_id", as: String.self),
                position: Int(try row.decode(column: "position", as: Int64.self)),
                state: try row.decode(column: "state", as: String.self),
                uploadToken: try row.decode(column: "upload_token", as: String?.self),
                uploadedAt: try row.decode(column: "uploaded_at", as: Int64?.self),
                mediaItemID: try row.decode(column: "media_item_id", as: String?.self),
                error: try row.decode(column: "error", as: String?.self))
        }
    }

    public func updateAlbumItem(
        albumID: String, photoID: String, state: String, uploadToken: String?, uploadedAt: Int64?,
        mediaItemID: String?, error: String?
    ) async throws {
        try await store.sql.raw(
            """
            UPDATE album_items SET state = \(bind: state), upload_token = \(bind: uploadToken),
                uploaded_at = \(bind: uploadedAt), media_item_id = \(bind: mediaItemID), error = \(bind: error)
            WHERE album_id = \(bind: albumID) AND photo_id = \(bind: photoID)
            """
        ).run()
    }
}
