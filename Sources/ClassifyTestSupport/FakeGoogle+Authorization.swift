import Foundation

/// The authorization endpoint (spec 1.2): validates the request, then shows the consent page,
/// or answers at once (returning user, `prompt=none`, or an automatic consent mode).
extension FakeGoogle {
    enum AuthorizationOutcome: Sendable {
        /// The consent page for a pending request.
        case consentPage(FakeRecord.PendingAuthorization, users: [FakeGoogleUser], selected: String)
        /// Back to the app's redirect URI, with a code or an error.
        case redirect(String)
        /// Google's own error page: the browser is not sent back to the app.
        case errorPage(status: Int, error: String, description: String)
    }

    /// Test-only parameters on the authorization URL: `fake_auto=allow|deny`, `fake_scopes`
    /// (space-separated scopes to grant, for granular consent), `fake_user` (email or sub).
    struct AutomaticConsent: Sendable {
        var mode: FakeGoogleConfiguration.ConsentMode?
        var scopes: [String]?
        var user: String?
    }

    func authorize(_ query: [String: String], automatic: AutomaticConsent) -> AuthorizationOutcome {
        func page(_ status: Int, _ error: String, _ description: String) -> AuthorizationOutcome {
            .errorPage(status: status, error: error, description: description)
        }
        guard let clientID = query["client_id"], !clientID.isEmpty else {
            return page(400, "invalid_request", "Missing required parameter: client_id")
        }
        guard let client = configuration.client(clientID) else {
            return page(401, "invalid_client", "The OAuth client was not found.")
        }
        guard let redirectURI = query["redirect_uri"], !redirectURI.isEmpty else {
            return page(400, "invalid_request", "Missing required parameter: redirect_uri")
        }
        guard client.redirectURIs.contains(redirectURI) else {
            return page(
                400, "redirect_uri_mismatch",
                "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=\(redirectURI)"
            )
        }
        let state = query["state"]
        func back(_ error: String) -> AuthorizationOutcome {
            .redirect(Self.redirectURL(redirectURI, [("error", error)] + (state.map { [("state", $0)] } ?? [])))
        }
        guard let responseType = query["response_type"] else {
            return page(400, "invalid_request", "Missing required parameter: response_type")
        }
        guard responseType == "code" else { return back("unsupported_response_type") }
        guard let scopeParameter = query["scope"], !GoogleScope.parse(scopeParameter).isEmpty else {
            return page(400, "invalid_request", "Missing required parameter: scope")
        }
        let scopes = GoogleScope.parse(scopeParameter)
        guard scopes.allSatisfy(GoogleScope.known.contains) else { return back("invalid_scope") }
        if let problem = Self.pkceProblem(query, required: configuration.requirePKCE) {
            return page(400, "invalid_request", problem)
        }
        let accessType = query["access_type"] ?? "online"
        guard accessType == "online" || accessType == "offline" else {
            return page(400, "invalid_request", "Invalid access_type: \(accessType)")
        }
        let prompt = Set((query["prompt"] ?? "").split(separator: " ").map(String.init))
        guard prompt.isSubset(of: ["none", "consent", "select_account"]), !(prompt.contains("none") && prompt.count > 1)
        else { return page(400, "invalid_request", "Invalid parameter value for prompt: \(query["prompt"] ?? "")") }

        let request = FakeRecord.AuthorizationRequest(
            clientID: clientID, redirectURI: redirectURI, scopes: scopes, state: state, nonce: query["nonce"],
            codeChallenge: query["code_challenge"],
            codeChallengeMethod: query["code_challenge"] == nil ? nil : (query["code_challenge_method"] ?? "plain"),
            offline: accessType == "offline", prompt: prompt,
            includeGrantedScopes: query["include_granted_scopes"] == "true", loginHint: query["login_hint"])
        let user = (automatic.user ?? request.loginHint).flatMap(user(matching:)) ?? users[0]
        let previous = consents[ConsentKey(userSub: user.sub, clientID: clientID)]
        let consented = previous.map { Set(scopes).isSubset(of: $0) } ?? false

        if prompt.contains("none") {
            return consented ? issueCode(request, user: user, granted: Set(scopes)) : back("consent_required")
        }
        switch automatic.mode ?? configuration.consentMode {
        case .deny:
            return back("access_denied")
        case .allow:
            let chosen = automatic.scopes.map { Set($0.map(GoogleScope.normalize)) } ?? Set(scopes)
            return decide(request, user: user, chosen: chosen)
        case .page:
            if consented, prompt.isDisjoint(with: ["consent", "select_account"]) {
                return issueCode(request, user: user, granted: Set(scopes))
            }
            do { try admitRecord { pendingAuthorizations.count } } catch { return back("temporarily_unavailable") }
            let pending = FakeRecord.PendingAuthorization(id: FakeRandom.token(16), request: request, createdAt: now)
            pendingAuthorizations[pending.id] = pending
            return .consentPage(pending, users: users, selected: user.sub)
        }
    }

    /// The person's answer on the consent page (`POST /o/oauth2/v2/auth/decision`).
    func decide(pendingID: String, userSub: String?, chosen: Set<String>, allow: Bool) -> AuthorizationOutcome {
        guard let pending = pendingAuthorizations.removeValue(forKey: pendingID),
            pending.createdAt.addingTimeInterval(configuration.authorizationCodeTTL) > now
        else { return .errorPage(status: 400, error: "invalid_request", description: "This consent page has expired.") }
        let request = pending.request
        guard allow else {
            return .redirect(
                Self.redirectURL(
                    request.redirectURI, [("error", "access_denied")] + (request.state.map { [("state", $0)] } ?? [])))
        }
        let user = userSub.flatMap { sub in users.first { $0.sub == sub } } ?? users[0]
        return decide(request, user: user, chosen: chosen)
    }

    /// Granular consent: sign-in scopes come as a block; every other requested scope only if
    /// the person left its box ticked. Nothing granted counts as a denial.
    private func decide(_ request: FakeRecord.AuthorizationRequest, user: FakeGoogleUser, chosen: Set<String>)
        -> AuthorizationOutcome
    {
        let requested = Set(request.scopes)
        let granted = requested.intersection(GoogleScope.signIn).union(requested.intersection(chosen))
        guard !granted.isEmpty else {
            return .redirect(
                Self.redirectURL(
                    request.redirectURI, [("error", "access_denied")] + (request.state.map { [("state", $0)] } ?? [])))
        }
        return issueCode(request, user: user, granted: granted)
    }

    private func issueCode(_ request: FakeRecord.AuthorizationRequest, user: FakeGoogleUser, granted: Set<String>)
        -> AuthorizationOutcome
    {
        let key = ConsentKey(userSub: user.sub, clientID: request.clientID)
        let previous = consents[key]
        let scopes = request.includeGrantedScopes ? granted.union(previous ?? []) : granted
        consents[key] = (previous ?? []).union(granted)
        do { try admitRecord { codes.count } } catch {
            return .redirect(Self.redirectURL(request.redirectURI, [("error", "temporarily_unavailable")]))
        }
        let code = "4/0A" + FakeRandom.token(40)
        codes[code] = .init(
            clientID: request.clientID, redirectURI: request.redirectURI, userSub: user.sub, scopes: scopes,
            nonce: request.nonce, codeChallenge: request.codeChallenge,
            codeChallengeMethod: request.codeChallengeMethod,
            issueRefreshToken: request.offline && (request.prompt.contains("consent") || previous == nil),
            expiresAt: now.addingTimeInterval(configuration.authorizationCodeTTL))
        issued.authorizationCodes += 1
        var parameters = [("code", code), ("scope", GoogleScope.format(scopes))]
        if let state = request.state { parameters.insert(("state", state), at: 0) }
        // Google adds parameters of its own; clients must ignore what they do not know.
        parameters += [("authuser", "0"), ("prompt", request.prompt.contains("consent") ? "consent" : "none")]
        return .redirect(Self.redirectURL(request.redirectURI, parameters))
    }

    static func redirectURL(_ base: String, _ parameters: [(String, String)]) -> String {
        base + (base.contains("?") ? "&" : "?") + FakeHTTP.query(parameters)
    }

    /// What is wrong with the PKCE parameters, if anything (RFC 7636 formats).
    static func pkceProblem(_ query: [String: String], required: Bool) -> String? {
        guard let challenge = query["code_challenge"] else {
            if query["code_challenge_method"] != nil { return "Missing required parameter: code_challenge" }
            return required ? "Missing required parameter: code_challenge" : nil
        }
        let method = query["code_challenge_method"] ?? "plain"
        guard method == "S256" || method == "plain" else { return "Invalid code_challenge_method: \(method)" }
        let valid = method == "S256" ? challenge.count == 43 && isBase64URL(challenge) : isVerifier(challenge)
        return valid ? nil : "Invalid code_challenge: \(challenge)"
    }

    static func isVerifier(_ text: String) -> Bool {
        (43...128).contains(text.count)
            && text.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-._~".unicodeScalars.contains($0)
            }
    }

    static func isBase64URL(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy {
            ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "-" || $0 == "_"
        }
    }
}
