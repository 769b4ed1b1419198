import Foundation

/// Tokens minted by the admin API (the token endpoint's answer, typed).
public struct FakeTokens: Sendable, Codable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    public var idToken: String?
    public var scope: String
    public var expiresIn: Int
}

/// A snapshot of what the fake holds, for assertions ("the album holds exactly these photos").
/// Never contains a token.
public struct FakeGoogleState: Sendable, Codable, Equatable {
    public struct Session: Sendable, Codable, Equatable {
        public var id: String
        public var user: String
        public var mediaItemsSet: Bool
        public var itemCount: Int
        public var deleted: Bool
        public var expired: Bool
    }

    public struct Item: Sendable, Codable, Equatable {
        public var id: String
        public var filename: String
        public var description: String
        public var mimeType: String
        /// SHA-256 of the stored bytes, hex: compare with the files a test expects.
        public var sha256: String
    }

    public struct Album: Sendable, Codable, Equatable {
        public var id: String
        public var title: String
        public var user: String
        public var clientId: String
        public var items: [Item]
    }

    public var clock: String
    public var issued: FakeGoogle.IssuedCounts
    public var liveAccessTokens: Int
    public var liveRefreshTokens: Int
    public var sessions: [Session]
    public var albums: [Album]
    /// Every app-created item, in creation order (also those in no album).
    public var libraryItems: [Item]
    public var pendingUploads: Int
    public var storedBytes: Int
    public var faults: [FakeFault]
}

extension FakeGoogle {
    public func state() -> FakeGoogleState {
        let now = now
        func email(_ sub: String) -> String { user(sub: sub)?.email ?? sub }
        func item(_ id: String) -> FakeGoogleState.Item? {
            guard let item = libraryItems[id] else { return nil }
            return .init(
                id: id, filename: item.filename, description: item.description,
                mimeType: blobs[item.blobHash]?.info.mimeType ?? "", sha256: item.blobHash)
        }
        return FakeGoogleState(
            clock: FakeTime.rfc3339(now), issued: issued,
            liveAccessTokens: accessTokens.values.filter { $0.expiresAt > now }.count,
            liveRefreshTokens: grants.values.filter {
                $0.refreshToken != nil && !$0.revoked && ($0.refreshExpiresAt.map { $0 > now } ?? true)
            }.count,
            sessions: sessions.values.sorted { $0.createdAt < $1.createdAt }.map {
                .init(
                    id: $0.id, user: email($0.userSub), mediaItemsSet: $0.mediaItemsSet, itemCount: $0.itemIDs.count,
                    deleted: $0.deleted, expired: $0.expiresAt <= now)
            },
            albums: albumOrder.compactMap { albums[$0] }.map {
                .init(
                    id: $0.id, title: $0.title, user: email($0.userSub), clientId: $0.clientID,
                    items: $0.itemIDs.compactMap(item))
            },
            libraryItems: libraryOrder.compactMap(item),
            pendingUploads: uploads.values.filter { !$0.used && $0.expiresAt > now }.count, storedBytes: storedBytes,
            faults: activeFaults)
    }
}
