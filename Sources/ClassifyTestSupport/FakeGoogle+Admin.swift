import Foundation

/// What tests use to steer and inspect the fake (also served under `/fake/` by
/// `FakeAdminController`).
extension FakeGoogle {
    public func addFault(_ fault: FakeFault) { faults.append(fault) }

    public func clearFaults() { faults.removeAll() }

    public var activeFaults: [FakeFault] { faults.filter { $0.remaining > 0 } }

    /// The next `count` items of `batchCreate` calls fail with this status code (13 INTERNAL:
    /// transient, retry that upload token).
    public func failNextBatchCreateItems(_ count: Int, code: Int = 13, message: String = "INTERNAL: Internal error.") {
        itemFailures += Array(repeating: (code, message), count: count)
    }

    /// Takes one use of the first fault matching a request.
    func takeFault(method: String, path: String) -> FakeFault? {
        guard let index = faults.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
        faults[index].remaining -= 1
        let fault = faults[index]
        faults.removeAll { $0.remaining <= 0 }
        return fault
    }

    func record(_ entry: FakeRequestLogEntry) {
        requestSequence += 1
        var entry = entry
        entry.sequence = requestSequence
        entry.time = FakeTime.rfc3339(now)
        requestLog.append(entry)
        if requestLog.count > configuration.requestLogCapacity {
            requestLog.removeFirst(requestLog.count - configuration.requestLogCapacity)
        }
    }

    public func log(since sequence: Int = 0) -> [FakeRequestLogEntry] {
        requestLog.filter { $0.sequence > sequence }
    }

    public func clearLog() { requestLog.removeAll() }

    /// Tokens for a user without the browser flow, as if the user had consented to `scopes`.
    public func mintTokens(user hint: String, clientID: String? = nil, scopes: [String], offline: Bool = true)
        async throws(FakeAdminError) -> FakeTokens
    {
        guard let user = user(matching: hint) else { throw .notFound("no user \(hint)") }
        let clientID = clientID ?? configuration.clients[0].id
        guard configuration.client(clientID) != nil else { throw .notFound("no client \(clientID)") }
        let scopes = Set(scopes.map(GoogleScope.normalize))
        guard !scopes.isEmpty, scopes.isSubset(of: GoogleScope.known) else { throw .badRequest("unknown scopes") }
        do { try admitTokens() } catch { throw .insufficientStorage(error.description) }
        var grant = FakeRecord.Grant(
            id: FakeRandom.token(12), clientID: clientID, userSub: user.sub, scopes: scopes, createdAt: now)
        if offline {
            grant.refreshToken = "1//0g" + FakeRandom.token(60)
            grant.refreshExpiresAt = configuration.refreshTokenTTL.map { now.addingTimeInterval($0) }
            grantByRefreshToken[grant.refreshToken!] = grant.id
            issued.refreshTokens += 1
        }
        grants[grant.id] = grant
        consents[ConsentKey(userSub: user.sub, clientID: clientID), default: []].formUnion(scopes)
        do throws(OAuthError) {
            let body = try await tokenResponse(grant: grant, scopes: scopes, nonce: nil, includeRefresh: true)
            return FakeTokens(
                accessToken: body["access_token"] as? String ?? "", refreshToken: body["refresh_token"] as? String,
                idToken: body["id_token"] as? String, scope: body["scope"] as? String ?? "",
                expiresIn: body["expires_in"] as? Int ?? 0)
        } catch {
            throw .badRequest(error.description)
        }
    }

    /// Expires one token (access token, refresh token or authorization code) or every token
    /// of a kind (`access`, `refresh`, `code`, `all`). Returns how many were expired.
    public func expireTokens(token: String? = nil, kind: String? = nil) -> Int {
        let past = now.addingTimeInterval(-1)
        var count = 0
        let all = kind == "all"
        for key in accessTokens.keys where key == token || all || kind == "access" {
            accessTokens[key]?.expiresAt = past
            count += 1
        }
        for (refresh, grantID) in grantByRefreshToken where refresh == token || all || kind == "refresh" {
            grants[grantID]?.refreshExpiresAt = past
            count += 1
        }
        for key in codes.keys where key == token || all || kind == "code" {
            codes[key]?.expiresAt = past
            count += 1
        }
        return count
    }

    /// A new key signs ID tokens from now on; the old one stays in the JWKS when `keepOld`.
    @discardableResult
    public func rotateSigningKey(keepOld: Bool = true) throws -> String {
        try keys.rotate(keepOld: keepOld)
        return keys.currentKID
    }

    public var signingKeyIDs: [String] { keys.published.map(\.kid) }

    func jwks() throws -> sending [String: Any] { try keys.jwks() }

    /// Forgets every code, token, session, photo, upload, album, fault and log line; keeps the
    /// configuration, users and signing keys.
    public func reset() {
        pendingAuthorizations = [:]
        codes = [:]
        grants = [:]
        grantByRefreshToken = [:]
        accessTokens = [:]
        consents = [:]
        sessions = [:]
        blobs = [:]
        storedBytes = 0
        pickedItems = [:]
        baseURLs = [:]
        uploads = [:]
        albums = [:]
        albumOrder = []
        libraryItems = [:]
        libraryOrder = []
        faults = []
        itemFailures = []
        requestLog = []
        issued = .init()
        clockOffset = 0
    }
}
