import ClassifyCore
import Foundation
import SQLKit

/// AI tags in the photos database: each photo's tags and caption, what every tagging cost, and
/// the model's answers cached by image hash and model. Every query is scoped to its user.
public struct TagRepository: Sendable {
    let store: StoreConnection

    public init(store: StoreConnection) {
        self.store = store
    }

    /// A model's answer for one image (model = the model asked, the cache key).
    public typealias Answer = PhotoTags

    public func cached(contentHash: String, model: String) async throws -> Answer? {
        guard
            let row = try await store.sql.raw(
                """
                SELECT tags, caption, prompt_tokens, completion_tokens FROM tag_cache
                WHERE content_hash = \(bind: contentHash) AND model = \(bind: model)
                """
            ).first()
        else { return nil }
        let tags = try JSONDecoder().decode(
            [String].self, from: Data(try row.decode(column: "tags", as: String.self).utf8))
        return Answer(
            tags: tags, caption: try row.decode(column: "caption", as: String.self), model: model,
            promptTokens: Int(try row.decode(column: "prompt_tokens", as: Int64.self)),
            completionTokens: Int(try row.decode(column: "completion_tokens", as: Int64.self)))
    }

    /// Records the photo's tags (replacing older ones) and what it cost; `cached` answers cost
    /// nothing. Fresh answers also go into the cache. Idempotent per answer. A photo deleted
    /// while it was being tagged gets no tags, but a fresh answer is still counted (it was paid
    /// for); it is cached only while a photo (of anyone) has the same bytes, as the cache
    /// forgets an answer when the last such photo is deleted (`PhotoRepository.forgetContent`).
    public func save(
        _ answer: Answer, photoID: String, userID: String, contentHash: String, cached: Bool, now: Int64
    ) async throws {
        let tagsJSON = String(decoding: try JSONEncoder().encode(answer.tags), as: UTF8.self)
        try await store.transaction { sql in
            let updated = try await sql.raw(
                """
                UPDATE photos SET caption = \(bind: answer.caption), tag_model = \(bind: answer.model),
                    tagged_at = \(bind: now), tag_prompt_tokens = \(bind: answer.promptTokens),
                    tag_completion_tokens = \(bind: answer.completionTokens)
                WHERE id = \(bind: photoID) AND user_id = \(bind: userID) RETURNING id
                """
            ).all()
            if updated.isEmpty {
                guard !cached else { return }  // deleted meanwhile; a cached answer cost nothing
            } else {
                try await sql.raw("DELETE FROM photo_tags WHERE photo_id = \(bind: photoID)").run()
                for tag in answer.tags {
                    try await sql.raw(
                        """
                        INSERT INTO photo_tags (photo_id, user_id, tag, model, created_at)
                        VALUES (\(bind: photoID), \(bind: userID), \(bind: tag), \(bind: answer.model), \(bind: now))
                        ON CONFLICT (photo_id, tag) DO NOTHING
                        """
                    ).run()
                }
            }
            try await sql.raw(
                """
                INSERT INTO tag_usage (photo_id, user_id, model, prompt_tokens, completion_tokens, cached, created_at)
                VALUES (\(bind: photoID), \(bind: userID), \(bind: answer.model),
                    \(bind: cached ? 0 : answer.promptTokens), \(bind: cached ? 0 : answer.completionTokens),
                    \(bind: cached ? 1 : 0), \(bind: now))
                """
            ).run()
            if !cached {
                try await sql.raw(
                    """
                    INSERT INTO tag_cache (content_hash, model, tags, caption, prompt_tokens, completion_tokens, created_at)
                    SELECT \(bind: contentHash), \(bind: answer.model), \(bind: tagsJSON), \(bind: answer.caption),
                        \(bind: answer.promptTokens), \(bind: answer.completionTokens), \(bind: now)
                    WHERE EXISTS (SELECT 1 FROM photos WHERE content_hash = \(bind: contentHash))
                    ON CONFLICT (content_hash, model) DO UPDATE SET tags = excluded.tags, caption = excluded.caption,
                        prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                        created_at = excluded.created_at
                    """
                ).run()
            }
        }
    }

    /// Records a billed call that gave no tags (a refusal, a cut-off or unusable answer): it
    /// counts as a call with its tokens, and the photo's tags stay as they were.
    public func recordFailedCall(
        photoID: String, userID: String, model: String, promptTokens: Int, completionTokens: Int, now: Int64
    ) async throws {
        try await store.sql.raw(
            """
            INSERT INTO tag_usage (photo_id, user_id, model, prompt_tokens, completion_tokens, cached, created_at)
            VALUES (\(bind: photoID), \(bind: userID), \(bind: model), \(bind: max(0, promptTokens)),
                \(bind: max(0, completionTokens)), 0, \(bind: now))
            """
        ).run()
    }

    /// The tags of these photos (of `userID`), sorted.
    public func tags(photoIDs: [String], userID: String) async throws -> [String: [String]] {
        guard !photoIDs.isEmpty else { return [:] }
        var query = SQLQueryString(
            "SELECT photo_id, tag FROM photo_tags WHERE user_id = \(bind: userID) AND photo_id IN (")
        for (index, id) in photoIDs.enumerated() {
            if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
            query.appendInterpolation(bind: id)
        }
        query.appendInterpolation(unsafeRaw: ") ORDER BY tag")
        var result: [String: [String]] = [:]
        for row in try await store.sql.raw(query).all() {
            result[try row.decode(column: "photo_id", as: String.self), default: []].append(
                try row.decode(column: "tag", as: String.self))
        }
        return result
    }

    /// The person's most used tags with their photo counts.
    public func tagCounts(userID: String, limit: Int = 50) async throws -> [(tag: String, count: Int)] {
        try await store.sql.raw(
            """
            SELECT tag, COUNT(*) AS n FROM photo_tags WHERE user_id = \(bind: userID)
            GROUP BY tag ORDER BY n DESC, tag LIMIT \(bind: limit)
            """
        ).all().map { (try $0.decode(column: "tag", as: String.self), Int(try $0.decode(column: "n", as: Int64.self))) }
    }

    public struct Usage: Sendable, Equatable {
        public var model: String
        public var calls: Int
        public var cachedCalls: Int
        public var promptTokens: Int
        public var completionTokens: Int
    }

    /// What tagging cost the person, per model.
    public func usage(userID: String) async throws -> [Usage] {
        try await store.sql.raw(
            """
            SELECT model, COUNT(*) AS calls, SUM(cached) AS cached_calls, SUM(prompt_tokens) AS prompt,
                SUM(completion_tokens) AS completion
            FROM tag_usage WHERE user_id = \(bind: userID) GROUP BY model ORDER BY model
            """
        ).all().map { row in
            Usage(
                model: try row.decode(column: "model", as: String.self),
                calls: Int(try row.decode(column: "calls", as: Int64.self)),
                cachedCalls: Int(try row.decode(column: "cached_calls", as: Int64?.self) ?? 0),
                promptTokens: Int(try row.decode(column: "prompt", as: Int64?.self) ?? 0),
                completionTokens: Int(try row.decode(column: "completion", as: Int64?.self) ?? 0))
        }
    }

    /// How many of the person's photos have tags.
    public func taggedCount(userID: String) async throws -> Int {
        Int(
            try await store.sql.raw(
                "SELECT COUNT(*) AS n FROM photos WHERE user_id = \(bind: userID) AND tag_model IS NOT NULL"
            ).first()?.decode(column: "n", as: Int64.self) ?? 0)
    }

    /// The person's photos to tag: `filter` decides which (with `threshold`), and without
    /// `force` photos already tagged by `model` are left out.
    public func photoIDsToTag(userID: String, filter: PhotoFilter, threshold: Double, model: String, force: Bool)
        async throws -> [String]
    {
        var query = SQLQueryString("SELECT id FROM photos WHERE user_id = \(bind: userID)")
        switch filter {
        case .all: break
        case .blurred:
            query.appendInterpolation(unsafeRaw: " AND blur_score >= ")
            query.appendInterpolation(bind: threshold)
        case .notBlurred:
            query.appendInterpolation(unsafeRaw: " AND blur_score < ")
            query.appendInterpolation(bind: threshold)
        case .unprocessed: query.appendInterpolation(unsafeRaw: " AND blur_score IS NULL")
        }
        if !force {
            query.appendInterpolation(unsafeRaw: " AND (tag_model IS NULL OR tag_model <> ")
            query.appendInterpolation(bind: model)
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY created_time DESC, id DESC")
        return try await store.sql.raw(query).all().map { try $0.decode(column: "id", as: String.self) }
    }
}
