/// The migrations of the two databases (DESIGN.md section 6). Types are chosen to mean the
/// same on SQLite and PostgreSQL: TEXT ids, BIGINT milliseconds since 1970, DOUBLE PRECISION
/// scores.
public enum Schema {
    /// `auth` database: users, their refresh tokens and page sessions (both stored hashed).
    public static let auth: [Migration] = [
        Migration(
            id: 1, name: "users and refresh tokens",
            statements: [
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    google_sub TEXT UNIQUE,
                    email TEXT,
                    name TEXT,
                    blur_threshold DOUBLE PRECISION NOT NULL DEFAULT 0.5,
                    created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT)
                """,
                "CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)",
            ]),
        Migration(
            id: 2, name: "page sessions",
            statements: [
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX sessions_user ON sessions (user_id)",
            ]),
        Migration(
            id: 3, name: "google accounts and sign-in states",
            statements: [
                // Tokens are sealed (AES-GCM, TokenCipher) before they reach this table.
                """
                CREATE TABLE google_accounts (
                    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                    access_token TEXT NOT NULL,
                    access_expires_at BIGINT NOT NULL,
                    refresh_token TEXT,
                    scopes TEXT NOT NULL,
                    needs_reauth INTEGER NOT NULL DEFAULT 0,
                    updated_at BIGINT NOT NULL)
                """,
                // One row per sign-in started; the state is stored hashed and used once.
                """
                CREATE TABLE oauth_states (
                    state_hash TEXT PRIMARY KEY,
                    code_verifier TEXT NOT NULL,
                    nonce TEXT NOT NULL,
                    redirect_uri TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL)
                """,
            ]),
    ]

    /// `photos` database: photos with their analysis, batch jobs and their items.
    public static let photos: [Migration] = [
        Migration(
            id: 1, name: "photos",
            statements: [
                """
                CREATE TABLE photos (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL,
                    filename TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    mime_type TEXT NOT NULL,
                    byte_size BIGINT NOT NULL,
                    width INTEGER NOT NULL,
                    height INTEGER NOT NULL,
                    created_time BIGINT NOT NULL,
                    imported_at BIGINT NOT NULL,
                    google_photo_id TEXT,
                    blur_score DOUBLE PRECISION,
                    blur_type TEXT,
                    blur_direction DOUBLE PRECISION,
                    processing_time_ms DOUBLE PRECISION,
                    sharpness_map TEXT,
                    analyzed_at BIGINT,
                    UNIQUE (user_id, content_hash),
                    UNIQUE (user_id, google_photo_id))
                """,
                "CREATE INDEX photos_user_created ON photos (user_id, created_time, id)",
                "CREATE INDEX photos_user_score ON photos (user_id, blur_score)",
            ]),
        Migration(
            id: 2, name: "durable job queue",
            statements: [
                """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    total INTEGER NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE job_items (
                    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                    photo_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    available_at BIGINT NOT NULL,
                    lease_owner TEXT,
                    lease_until BIGINT,
                    error TEXT,
                    finished_at BIGINT,
                    PRIMARY KEY (job_id, photo_id))
                """,
                "CREATE INDEX job_items_ready ON job_items (state, available_at)",
                "CREATE INDEX jobs_user ON jobs (user_id, created_at)",
            ]),
        Migration(
            id: 3, name: "google picker sessions, picked items and albums",
            statements: [
                "ALTER TABLE photos ADD COLUMN camera TEXT",
                """
                CREATE TABLE picker_sessions (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL,
                    picker_uri TEXT NOT NULL,
                    expire_time BIGINT,
                    created_at BIGINT NOT NULL,
                    sync_job_id TEXT,
                    deleted_at BIGINT)
                """,
                "CREATE INDEX picker_sessions_user ON picker_sessions (user_id, created_at)",
                // What the picker said about each item; bytes are fetched once by the sync job.
                """
                CREATE TABLE google_items (
                    user_id TEXT NOT NULL,
                    google_photo_id TEXT NOT NULL,
                    session_id TEXT NOT NULL,
                    base_url TEXT NOT NULL,
                    base_url_at BIGINT NOT NULL,
                    filename TEXT,
                    mime_type TEXT,
                    create_time BIGINT,
                    width INTEGER,
                    height INTEGER,
                    camera TEXT,
                    photo_id TEXT,
                    PRIMARY KEY (user_id, google_photo_id))
                """,
                """
                CREATE TABLE albums (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    title TEXT NOT NULL,
                    google_album_id TEXT,
                    product_url TEXT,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX albums_user ON albums (user_id, created_at)",
                """
                CREATE TABLE album_items (
                    album_id TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
                    photo_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    upload_token TEXT,
                    uploaded_at BIGINT,
                    media_item_id TEXT,
                    error TEXT,
                    PRIMARY KEY (album_id, photo_id))
                """,
            ]),
        Migration(
            id: 4, name: "AI tags, captions, token usage and the tag cache",
            statements: [
                "ALTER TABLE photos ADD COLUMN caption TEXT",
                "ALTER TABLE photos ADD COLUMN tag_model TEXT",
                "ALTER TABLE photos ADD COLUMN tagged_at BIGINT",
                "ALTER TABLE photos ADD COLUMN tag_prompt_tokens INTEGER",
                "ALTER TABLE photos ADD COLUMN tag_completion_tokens INTEGER",
                """
                CREATE TABLE photo_tags (
                    photo_id TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    model TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (photo_id, tag))
                """,
                "CREATE INDEX photo_tags_user_tag ON photo_tags (user_id, tag)",
                // Every tagging of a photo, for the statistics' tokens and cost (a cached answer
                // costs nothing and is counted with zero tokens).
                """
                CREATE TABLE tag_usage (
                    photo_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    model TEXT NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    cached INTEGER NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX tag_usage_user ON tag_usage (user_id)",
                // The model's answer per image (by content hash) and model: the same bytes are
                // never sent twice unless asked to (`force`).
                """
                CREATE TABLE tag_cache (
                    content_hash TEXT NOT NULL,
                    model TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    caption TEXT NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (content_hash, model))
                """,
            ]),
        Migration(
            id: 5, name: "photos by content",
            statements: [
                // Deleting a photo asks whether any other photo, of any owner, still has the
                // same bytes before the file goes.
                "CREATE INDEX photos_content ON photos (content_hash)"
            ]),
        Migration(
            id: 6, name: "content released by deletes",
            statements: [
                // Written with the delete, removed once the bytes are dealt with: what a crash
                // between a delete and its files leaves is finished later from here.
                """
                CREATE TABLE released_content (
                    content_hash TEXT PRIMARY KEY,
                    released_at BIGINT NOT NULL)
                """
            ]),
    ]
}
