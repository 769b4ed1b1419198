/// Bodies of the admin API's requests.
extension FakeAdminController {
    struct FaultInput: Decodable {
        var pathPrefix: String
        var method: String?
        var count: Int?
        var status: Int?
        var retryAfter: Int?
        var delayMs: Int?
        var dailyQuota: Bool?
    }

    struct ItemFailureInput: Decodable {
        var count: Int
        var code: Int?
        var message: String?
    }

    struct ClockInput: Decodable {
        var seconds: Double
    }

    struct UserInput: Decodable {
        var sub: String?
        var email: String
        var name: String?
        var emailVerified: Bool?
        var hd: String?
        var hasPhotosAccount: Bool?
    }

    struct TokenInput: Decodable {
        var user: String
        var clientId: String?
        var scopes: [String]
        var offline: Bool?
    }

    struct ExpireInput: Decodable {
        var token: String?
        var kind: String?
    }

    struct ConsentInput: Decodable {
        var mode: FakeGoogleConfiguration.ConsentMode
    }

    struct PickInput: Decodable {
        var files: [String]?
        var folder: String?
        var all: Bool?
    }

    struct RotateInput: Decodable {
        var keepOld: Bool?
    }
}

/// `PATCH /fake/settings`: any subset of these configuration values (durations in seconds).
public struct FakeSettings: Codable, Sendable {
    public var issuer: String?
    public var authorizationCodeTTL: Double?
    public var accessTokenTTL: Double?
    public var refreshTokenTTL: Double?
    public var requirePKCE: Bool?
    public var pickingSessionTTL: Double?
    public var pollInterval: Double?
    public var maxOpenSessionsPerUser: Int?
    public var baseURLTTL: Double?
    public var omitMediaItemsSetWhenFalse: Bool?
    public var shortPickerPages: Bool?
    public var uploadTokenTTL: Double?
    public var rejectConcurrentBatchCreate: Bool?
    public var batchCreateLatencyMs: Int?
    public var jwksMaxAge: Int?
    public var consentMode: FakeGoogleConfiguration.ConsentMode?
    public var photosDirectory: String?

    public init() {}

    public func apply(to configuration: inout FakeGoogleConfiguration) {
        if let issuer { configuration.issuer = issuer }
        if let authorizationCodeTTL { configuration.authorizationCodeTTL = authorizationCodeTTL }
        if let accessTokenTTL { configuration.accessTokenTTL = accessTokenTTL }
        if let refreshTokenTTL { configuration.refreshTokenTTL = refreshTokenTTL > 0 ? refreshTokenTTL : nil }
        if let requirePKCE { configuration.requirePKCE = requirePKCE }
        if let pickingSessionTTL { configuration.pickingSessionTTL = pickingSessionTTL }
        if let pollInterval { configuration.pollInterval = pollInterval }
        if let maxOpenSessionsPerUser { configuration.maxOpenSessionsPerUser = maxOpenSessionsPerUser }
        if let baseURLTTL { configuration.baseURLTTL = baseURLTTL }
        if let omitMediaItemsSetWhenFalse { configuration.omitMediaItemsSetWhenFalse = omitMediaItemsSetWhenFalse }
        if let shortPickerPages { configuration.shortPickerPages = shortPickerPages }
        if let uploadTokenTTL { configuration.uploadTokenTTL = uploadTokenTTL }
        if let rejectConcurrentBatchCreate { configuration.rejectConcurrentBatchCreate = rejectConcurrentBatchCreate }
        if let batchCreateLatencyMs { configuration.batchCreateLatencyMs = batchCreateLatencyMs }
        if let jwksMaxAge { configuration.jwksMaxAge = jwksMaxAge }
        if let consentMode { configuration.consentMode = consentMode }
        if let photosDirectory { configuration.photosDirectory = photosDirectory }
    }
}
