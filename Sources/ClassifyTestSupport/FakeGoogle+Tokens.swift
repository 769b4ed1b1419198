import Crypto
import Foundation

/// The token endpoint (spec 1.3–1.5), revocation (1.6), UserInfo (1.8) and bearer checks for
/// the APIs.
extension FakeGoogle {
    /// `POST /token`. `basic` is the client id and secret of an `Authorization: Basic` header.
    func token(_ form: [String: String], basic: (id: String, secret: String)?) async throws(OAuthError)
        -> sending [String: Any]
    {
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            throw .invalidRequest("Missing required parameter: grant_type")
        }
        switch grantType {
        case "authorization_code":
            guard let code = form["code"], !code.isEmpty else {
                throw .invalidRequest("Missing required parameter: code")
            }
            guard let redirectURI = form["redirect_uri"], !redirectURI.isEmpty else {
                throw .invalidRequest("Missing required parameter: redirect_uri")
            }
            let client = try authenticateClient(form, basic: basic)
            guard client.redirectURIs.contains(redirectURI) else { throw .redirectURIMismatch }
            return try await exchange(
                code: code, client: client, redirectURI: redirectURI, verifier: form["code_verifier"])
        case "refresh_token":
            guard let refreshToken = form["refresh_token"], !refreshToken.isEmpty else {
                throw .invalidRequest("Missing required parameter: refresh_token")
            }
            let client = try authenticateClient(form, basic: basic)
            return try await refresh(refreshToken, client: client, scope: form["scope"])
        default:
            throw OAuthError(
                status: .badRequest, error: "unsupported_grant_type", description: "Invalid grant_type: \(grantType)")
        }
    }

    private func authenticateClient(_ form: [String: String], basic: (id: String, secret: String)?) throws(OAuthError)
        -> FakeGoogleClient
    {
        if let basic, let bodyID = form["client_id"], bodyID != basic.id {
            throw .invalidRequest("client_id in the body differs from the Authorization header")
        }
        guard let id = basic?.id ?? form["client_id"], let client = configuration.client(id) else {
            throw .clientNotFound
        }
        guard let secret = basic?.secret ?? form["client_secret"], secret == client.secret else {
            throw .badClientSecret
        }
        return client
    }

    private func exchange(code: String, client: FakeGoogleClient, redirectURI: String, verifier: String?)
        async throws(OAuthError) -> sending [String: Any]
    {
        guard let record = codes[code], !record.used, record.expiresAt > now, record.clientID == client.id,
            record.redirectURI == redirectURI
        else { throw .badCode }
        try admitTokens()
        if let challenge = record.codeChallenge {
            guard let verifier else {
                throw OAuthError(status: .badRequest, error: "invalid_grant", description: "Missing code verifier.")
            }
            let computed =
                record.codeChallengeMethod == "S256"
                ? SHA256.hash(data: Data(verifier.utf8)).base64URLEncodedString() : verifier
            guard Self.isVerifier(verifier), computed == challenge else { throw .badCode }
        } else if verifier != nil {
            throw .badCode  // a verifier for a code issued without a challenge: refuse (RFC 9700 downgrade check)
        }
        codes[code]?.used = true
        var grant = FakeRecord.Grant(
            id: FakeRandom.token(12), clientID: client.id, userSub: record.userSub, scopes: record.scopes,
            createdAt: now)
        if record.issueRefreshToken {
            grant.refreshToken = "1//0g" + FakeRandom.token(60)
            grant.refreshExpiresAt = configuration.refreshTokenTTL.map { now.addingTimeInterval($0) }
            grantByRefreshToken[grant.refreshToken!] = grant.id
            issued.refreshTokens += 1
        }
        grants[grant.id] = grant
        enforceRefreshTokenLimit(userSub: record.userSub, clientID: client.id)
        return try await tokenResponse(grant: grant, scopes: record.scopes, nonce: record.nonce, includeRefresh: true)
    }

    private func refresh(_ refreshToken: String, client: FakeGoogleClient, scope: String?) async throws(OAuthError)
        -> sending [String: Any]
    {
        guard let grantID = grantByRefreshToken[refreshToken], let grant = grants[grantID], !grant.revoked,
            grant.refreshExpiresAt.map({ $0 > now }) ?? true
        else { throw .deadRefreshToken }
        try admitTokens()
        guard grant.clientID == client.id else {
            throw OAuthError(status: .badRequest, error: "unauthorized_client", description: "Unauthorized")
        }
        var scopes = grant.scopes
        if let scope, !scope.isEmpty {
            let asked = Set(GoogleScope.parse(scope))
            guard asked.isSubset(of: grant.scopes) else {
                throw OAuthError(
                    status: .badRequest, error: "invalid_scope",
                    description:
                        "Some requested scopes were invalid. {invalid=[\(asked.subtracting(grant.scopes).sorted().joined(separator: ", "))]}"
                )
            }
            scopes = asked
        }
        return try await tokenResponse(grant: grant, scopes: scopes, nonce: nil, includeRefresh: false)
    }

    func tokenResponse(grant: FakeRecord.Grant, scopes: Set<String>, nonce: String?, includeRefresh: Bool)
        async throws(OAuthError) -> sending [String: Any]
    {
        let accessToken = "ya29.a0" + FakeRandom.token(96)
        accessTokens[accessToken] = .init(
            grantID: grant.id, clientID: grant.clientID, userSub: grant.userSub, scopes: scopes,
            expiresAt: now.addingTimeInterval(configuration.accessTokenTTL))
        issued.accessTokens += 1
        var body: [String: Any] = [
            "access_token": accessToken, "expires_in": Int(configuration.accessTokenTTL),
            "scope": GoogleScope.format(scopes), "token_type": "Bearer",
        ]
        if includeRefresh, let refreshToken = grant.refreshToken {
            body["refresh_token"] = refreshToken
            if let ttl = configuration.refreshTokenTTL { body["refresh_token_expires_in"] = Int(ttl) }
        }
        if scopes.contains(GoogleScope.openid), let user = user(sub: grant.userSub) {
            do {
                body["id_token"] = try await idToken(
                    user: user, clientID: grant.clientID, scopes: scopes, nonce: nonce, accessToken: accessToken)
            } catch {
                throw OAuthError(status: .internalServerError, error: "internal_failure", description: "\(error)")
            }
        }
        return body
    }

    private func idToken(
        user: FakeGoogleUser, clientID: String, scopes: Set<String>, nonce: String?, accessToken: String
    )
        async throws -> String
    {
        let issuedAt = Int(now.timeIntervalSince1970)
        let email = scopes.contains(GoogleScope.email), profile = scopes.contains(GoogleScope.profile)
        let claims = FakeIDTokenClaims(
            iss: configuration.issuer, azp: clientID, aud: clientID, sub: user.sub, email: email ? user.email : nil,
            email_verified: email ? user.emailVerified : nil,
            at_hash: SHA256.hash(data: Data(accessToken.utf8)).prefix(16).base64URLEncodedString(), nonce: nonce,
            name: profile ? user.name : nil, given_name: profile ? user.givenName : nil,
            family_name: profile ? user.familyName : nil, picture: profile ? user.picture : nil,
            locale: profile ? user.locale : nil, hd: user.hd, iat: issuedAt,
            exp: issuedAt + Int(configuration.idTokenTTL))
        issued.idTokens += 1
        return try await keys.sign(claims)
    }

    /// Room for one more grant and access token (bounded memory).
    func admitTokens() throws(OAuthError) {
        do { try admitRecord { max(accessTokens.count, grants.count) } } catch {
            throw OAuthError(status: .serviceUnavailable, error: "temporarily_unavailable", description: error.message)
        }
    }

    /// Google keeps a bounded number of live refresh tokens per user and client: the oldest die.
    private func enforceRefreshTokenLimit(userSub: String, clientID: String) {
        let live = grants.values.filter {
            $0.userSub == userSub && $0.clientID == clientID && $0.refreshToken != nil && !$0.revoked
        }.sorted { $0.createdAt < $1.createdAt }
        for grant in live.dropLast(configuration.maxRefreshTokensPerUserClient) { revokeGrant(grant.id) }
    }

    /// `POST /revoke`: an access or refresh token; either way its whole grant dies, and the
    /// user's consent for the client is forgotten (the next offline consent gets a refresh token).
    func revoke(_ token: String) -> Bool {
        let grantID = grantByRefreshToken[token] ?? accessTokens[token].map(\.grantID)
        guard let grantID, let grant = grants[grantID], !grant.revoked,
            accessTokens[token].map({ $0.expiresAt > now }) ?? true
        else { return false }
        revokeGrant(grantID)
        consents[ConsentKey(userSub: grant.userSub, clientID: grant.clientID)] = nil
        return true
    }

    func revokeGrant(_ grantID: String) {
        grants[grantID]?.revoked = true
        accessTokens = accessTokens.filter { $0.value.grantID != grantID }
    }

    /// The access token of a bearer header, if it is live and holds one of `scopes`.
    func authenticate(_ bearer: String?, anyOf scopes: Set<String>, service: String, method: String)
        throws(GoogleAPIError) -> FakeRecord.AccessToken
    {
        guard let bearer else {
            var error = GoogleAPIError.unauthenticated(reason: "CREDENTIALS_MISSING")
            error.message =
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
            throw error
        }
        guard let token = accessTokens[bearer], grants[token.grantID]?.revoked == false else {
            throw .unauthenticated(reason: "ACCESS_TOKEN_TYPE_UNSUPPORTED")
        }
        guard token.expiresAt > now else { throw .unauthenticated(reason: "ACCESS_TOKEN_EXPIRED") }
        guard !token.scopes.isDisjoint(with: scopes) else {
            throw .insufficientScopes(service: service, method: method)
        }
        return token
    }

    /// `GET /v1/userinfo`.
    func userInfo(bearer: String?) throws(GoogleAPIError) -> sending [String: Any] {
        let token = try authenticate(
            bearer, anyOf: GoogleScope.signIn, service: "openidconnect.googleapis.com", method: "userinfo")
        guard let user = user(sub: token.userSub) else { throw .unauthenticated() }
        var info: [String: Any] = ["sub": user.sub]
        if token.scopes.contains(GoogleScope.email) {
            info["email"] = user.email
            info["email_verified"] = user.emailVerified
        }
        if token.scopes.contains(GoogleScope.profile) {
            info["name"] = user.name
            info["given_name"] = user.givenName
            info["family_name"] = user.familyName
            info["picture"] = user.picture
            info["locale"] = user.locale
        }
        if let hd = user.hd { info["hd"] = hd }
        return info
    }
}
