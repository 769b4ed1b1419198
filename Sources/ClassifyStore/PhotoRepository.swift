import BlurDetection
import ClassifyCore
import Foundation
import SQLKit

/// Photos in the photos database. Every read and write names the owner: another person's
/// photo id finds nothing.
public struct PhotoRepository: Sendable {
    let store: StoreConnection

    public init(store: StoreConnection) {
        self.store = store
    }

    /// Position in the newest-first listing: after the photo with this time and id.
    public struct Cursor: Sendable, Equatable, CustomStringConvertible {
        public let createdTime: Int64
        public let id: String

        public init(createdTime: Int64, id: String) {
            self.createdTime = createdTime
            self.id = id
        }

        /// Parses the text form `"<createdTime>_<id>"`; nil for anything else.
        public init?(_ text: String) {
            guard let separator = text.firstIndex(of: "_"), let time = Int64(text[..<separator]) else { return nil }
            self.init(createdTime: time, id: String(text[text.index(after: separator)...]))
            guard !id.isEmpty else { return nil }
        }

        public var description: String { "\(createdTime)_\(id)" }
    }

    /// Stores `photo`, or returns the owner's existing photo with the same bytes.
    public func insert(_ photo: Photo) async throws -> (photo: Photo, created: Bool) {
        let inserted = try await store.sql.raw(
            """
            INSERT INTO photos (id, user_id, filename, content_hash, mime_type, byte_size, width, height,
                created_time, imported_at, google_photo_id, camera)
            VALUES (\(bind: photo.id), \(bind: photo.userID), \(bind: photo.filename), \(bind: photo.contentHash),
                \(bind: photo.mimeType), \(bind: photo.byteSize), \(bind: photo.width), \(bind: photo.height),
                \(bind: photo.createdTime), \(bind: photo.importedAt), \(bind: photo.googlePhotoID), \(bind: photo.camera))
            ON CONFLICT (user_id, content_hash) DO NOTHING
            RETURNING *
            """
        ).first()
        if let inserted { return (try Self.photo(from: inserted), true) }
        let existing = try await store.sql.raw(
            "SELECT * FROM photos WHERE user_id = \(bind: photo.userID) AND content_hash = \(bind: photo.contentHash)"
        ).first()
        guard let existing else { throw StoreError.corruptRow(table: "photos", reason: "inserted photo not found") }
        return (try Self.photo(from: existing), false)
    }

    /// Which of `ids` are `userID`'s photos (one query per 500 ids).
    public func ownedIDs(_ ids: [String], userID: String) async throws -> Set<String> {
        var owned = Set<String>()
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk: [any Encodable & Sendable] = Array(ids[start..<min(ids.count, start + 500)])
            let rows = try await store.sql.raw(
                "SELECT id FROM photos WHERE user_id = \(bind: userID) AND id IN (\(binds: chunk))"
            ).all()
            for row in rows { owned.insert(try row.decode(column: "id", as: String.self)) }
        }
        return owned
    }

    public func photo(id: String, userID: String) async throws -> Photo? {
        try await store.sql.raw("SELECT * FROM photos WHERE id = \(bind: id) AND user_id = \(bind: userID)")
            .first().map(Self.photo(from:))
    }

    /// A list's columns: everything but the sharpness map, which only a single photo's
    /// result shows (it is the bulk of a row).
    static let listColumns = """
        id, user_id, filename, content_hash, mime_type, byte_size, width, height, created_time, imported_at,
        google_photo_id, camera, caption, tag_model, blur_score, blur_type, blur_direction, processing_time_ms, NULL AS sharpness_map, analyzed_at
        """

    /// Newest first; `threshold` decides what counts as blurred (stored scores, no re-analysis).
    /// The score condition is written `+blur_score` so that the database walks the
    /// (user, created_time, id) index in order and stops after one page, instead of
    /// collecting every blurred photo by score and sorting them.
    public func list(
        userID: String, filter: PhotoFilter, threshold: Double, limit: Int, after cursor: Cursor? = nil,
        tag: String? = nil, search: String? = nil
    ) async throws -> (photos: [Photo], next: Cursor?) {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.listColumns) FROM photos WHERE user_id = \(bind: userID)")
        if let tag {
            query.appendInterpolation(unsafeRaw: " AND id IN (SELECT photo_id FROM photo_tags WHERE user_id = ")
            query.appendInterpolation(bind: userID)
            query.appendInterpolation(unsafeRaw: " AND tag = ")
            query.appendInterpolation(bind: tag.lowercased())
            query.appendInterpolation(unsafeRaw: ")")
        }
        if let search, !search.isEmpty {
            // Words of the query, each found in a tag or the caption (case-insensitive).
            for word in search.lowercased().split(whereSeparator: \.isWhitespace).prefix(8) {
                let pattern = "%" + Self.likeEscaped(String(word)) + "%"
                query.appendInterpolation(unsafeRaw: " AND (LOWER(COALESCE(caption, '')) LIKE ")
                query.appendInterpolation(bind: pattern)
                query.appendInterpolation(
                    unsafeRaw: " ESCAPE '\\' OR id IN (SELECT photo_id FROM photo_tags WHERE user_id = ")
                query.appendInterpolation(bind: userID)
                query.appendInterpolation(unsafeRaw: " AND tag LIKE ")
                query.appendInterpolation(bind: pattern)
                query.appendInterpolation(unsafeRaw: " ESCAPE '\\'))")
            }
        }
        switch filter {
        case .all: break
        case .blurred:
            query.appendInterpolation(unsafeRaw: " AND +blur_score >= "); query.appendInterpolation(bind: threshold)
        case .notBlurred:
            query.appendInterpolation(unsafeRaw: " AND +blur_score < "); query.appendInterpolation(bind: threshold)
        case .unprocessed: query.appendInterpolation(unsafeRaw: " AND +blur_score IS NULL")
        }
        if let cursor {
            query.appendInterpolation(unsafeRaw: " AND (created_time < ")
            query.appendInterpolation(bind: cursor.createdTime)
            query.appendInterpolation(unsafeRaw: " OR (created_time = ")
            query.appendInterpolation(bind: cursor.createdTime)
            query.appendInterpolation(unsafeRaw: " AND id < ")
            query.appendInterpolation(bind: cursor.id)
            query.appendInterpolation(unsafeRaw: "))")
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY created_time DESC, id DESC LIMIT ")
        query.appendInterpolation(bind: limit + 1)
        let rows = try await store.sql.raw(query).all()
        let photos = try rows.prefix(limit).map(Self.photo(from:))
        let next = rows.count > limit ? photos.last.map { Cursor(createdTime: $0.createdTime, id: $0.id) } : nil
        return (photos, next)
    }

    /// `text` with LIKE's wildcards escaped (escape character: backslash).
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    /// The owner's clear photos (analysed, score under `threshold`), oldest first.
    public func clearPhotoIDs(userID: String, threshold: Double) async throws -> [String] {
        try await store.sql.raw(
            """
            SELECT id FROM photos WHERE user_id = \(bind: userID) AND blur_score < \(bind: threshold)
            ORDER BY created_time, id
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    /// Deletes the owner's photo and answers its content hash; nil when there was none. The
    /// hash is noted in `released_content` in the same transaction, until the bytes are dealt
    /// with (`forgetReleased`).
    @discardableResult
    public func delete(id: String, userID: String, now: Int64 = 0) async throws -> String? {
        try await store.transaction { sql in
            guard
                let hash = try await sql.raw(
                    "DELETE FROM photos WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING content_hash"
                ).first()?.decode(column: "content_hash", as: String.self)
            else { return nil }
            try await sql.raw(
                """
                INSERT INTO released_content (content_hash, released_at) VALUES (\(bind: hash), \(bind: now))
                ON CONFLICT (content_hash) DO UPDATE SET released_at = excluded.released_at
                """
            ).run()
            return hash
        }
    }

    /// Content hashes released by deletes at or before `before` whose bytes were not dealt
    /// with yet (a crash came in between), oldest first.
    public func releasedContent(before: Int64, limit: Int = 1000) async throws -> [String] {
        try await store.sql.raw(
            """
            SELECT content_hash FROM released_content WHERE released_at <= \(bind: before)
            ORDER BY released_at LIMIT \(bind: limit)
            """
        ).all().map { try $0.decode(column: "content_hash", as: String.self) }
    }

    /// The bytes of a released hash are dealt with (deleted, or kept for another photo).
    public func forgetReleased(_ contentHash: String) async throws {
        try await store.sql.raw("DELETE FROM released_content WHERE content_hash = \(bind: contentHash)").run()
    }

    /// Whether any photo, of any owner, has these bytes.
    public func hasContent(_ contentHash: String) async throws -> Bool {
        try await store.sql.raw("SELECT 1 AS found FROM photos WHERE content_hash = \(bind: contentHash) LIMIT 1")
            .first() != nil
    }

    /// `forgetContent` for every hash no photo has.
    public func forgetUnreferencedContent() async throws {
        try await store.sql.raw(
            """
            DELETE FROM tag_cache
            WHERE NOT EXISTS (SELECT 1 FROM photos WHERE photos.content_hash = tag_cache.content_hash)
            """
        ).run()
    }

    /// Forgets what was learnt from bytes no photo has any more: the vision model's cached
    /// answer (`tag_cache`). Nothing is forgotten while a photo still has them.
    public func forgetContent(_ contentHash: String) async throws {
        try await store.sql.raw(
            """
            DELETE FROM tag_cache WHERE content_hash = \(bind: contentHash)
                AND NOT EXISTS (SELECT 1 FROM photos WHERE content_hash = \(bind: contentHash))
            """
        ).run()
    }

    /// Records an analysis. Idempotent: writing the same result twice leaves one result.
    @discardableResult
    public func saveAnalysis(_ analysis: PhotoAnalysis, photoID: String, userID: String) async throws -> Bool {
        let map = try analysis.sharpnessMap.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let rows = try await store.sql.raw(
            """
            UPDATE photos SET blur_score = \(bind: analysis.blurScore), blur_type = \(bind: analysis.likelyType.rawValue),
                blur_direction = \(bind: analysis.directionDegrees), processing_time_ms = \(bind: analysis.processingTimeMs),
                sharpness_map = \(bind: map), analyzed_at = \(bind: analysis.analyzedAt)
            WHERE id = \(bind: photoID) AND user_id = \(bind: userID)
            RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    /// How many of the owner's photos each filter holds at `threshold`.
    public func counts(userID: String, threshold: Double) async throws -> [PhotoFilter: Int] {
        let row = try await store.sql.raw(
            """
            SELECT COUNT(*) AS total,
                SUM(CASE WHEN blur_score >= \(bind: threshold) THEN 1 ELSE 0 END) AS blurred,
                SUM(CASE WHEN blur_score < \(bind: threshold) THEN 1 ELSE 0 END) AS not_blurred,
                SUM(CASE WHEN blur_score IS NULL THEN 1 ELSE 0 END) AS unprocessed
            FROM photos WHERE user_id = \(bind: userID)
            """
        ).first()
        guard let row else { return [:] }
        func count(_ column: String) throws -> Int { Int(try row.decode(column: column, as: Int64?.self) ?? 0) }
        return [
            .all: try count("total"), .blurred: try count("blurred"), .notBlurred: try count("not_blurred"),
            .unprocessed: try count("unprocessed"),
        ]
    }

    /// Statistics of the owner's analysed photos: blur types among the blurred, a 20-bin
    /// histogram of scores, and processing times.
    public func statistics(userID: String, threshold: Double) async throws -> PhotoStatistics {
        let rows = try await store.sql.raw(
            """
            SELECT blur_score, blur_type, processing_time_ms FROM photos
            WHERE user_id = \(bind: userID) AND blur_score IS NOT NULL
            """
        ).all()
        var statistics = PhotoStatistics()
        var times: [Double] = []
        for row in rows {
            let score = try row.decode(column: "blur_score", as: Double.self)
            statistics.histogram[min(19, max(0, Int(score * 20)))] += 1
            if score >= threshold {
                let type = try row.decode(column: "blur_type", as: String?.self) ?? "defocus"
                statistics.blurTypes[type, default: 0] += 1
            }
            if let time = try row.decode(column: "processing_time_ms", as: Double?.self) { times.append(time) }
        }
        times.sort()
        if !times.isEmpty {
            statistics.meanProcessingMs = times.reduce(0, +) / Double(times.count)
            statistics.p95ProcessingMs = times[min(times.count - 1, Int(Double(times.count) * 0.95))]
        }
        return statistics
    }

    static func photo(from row: any SQLRow) throws -> Photo {
        var photo = Photo(
            id: try row.decode(column: "id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            filename: try row.decode(column: "filename", as: String.self),
            contentHash: try row.decode(column: "content_hash", as: String.self),
            mimeType: try row.decode(column: "mime_type", as: String.self),
            byteSize: Int(try row.decode(column: "byte_size", as: Int64.self)),
            width: Int(try row.decode(column: "width", as: Int64.self)),
            height: Int(try row.decode(column: "height", as: Int64.self)),
            createdTime: try row.decode(column: "created_time", as: Int64.self),
            importedAt: try row.decode(column: "imported_at", as: Int64.self))
        photo.googlePhotoID = try row.decode(column: "google_photo_id", as: String?.self)
        photo.camera = try row.decode(column: "camera", as: String?.self)
        photo.caption = try row.decode(column: "caption", as: String?.self)
        photo.tagModel = try row.decode(column: "tag_model", as: String?.self)
        if let score = try row.decode(column: "blur_score", as: Double?.self) {
            let type = try row.decode(column: "blur_type", as: String?.self).flatMap(BlurType.init(rawValue:))
            let mapText = try row.decode(column: "sharpness_map", as: String?.self)
            photo.analysis = PhotoAnalysis(
                blurScore: score, likelyType: type ?? .defocus,
                directionDegrees: try row.decode(column: "blur_direction", as: Double?.self),
                processingTimeMs: try row.decode(column: "processing_time_ms", as: Double?.self) ?? 0,
                sharpnessMap: try mapText.map { try JSONDecoder().decode(SharpnessMap.self, from: Data($0.utf8)) },
                analyzedAt: try row.decode(column: "analyzed_at", as: Int64?.self) ?? 0)
        }
        return photo
    }
}
