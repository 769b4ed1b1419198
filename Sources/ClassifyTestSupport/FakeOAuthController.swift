import Foundation
import HTTPTypes
import Hummingbird

/// OAuth 2.0 / OpenID Connect endpoints (spec section 1).
struct FakeOAuthController {
    let fake: FakeGoogle

    func add(to router: Router<BasicRequestContext>) {
        router.get("/o/oauth2/v2/auth") { request, _ in try await authorize(request) }
        router.post("/o/oauth2/v2/auth/decision") { request, _ in try await decision(request) }
        router.post("/token") { request, _ in try await token(request) }
        router.post("/revoke") { request, _ in try await revoke(request) }
        router.get("/v1/userinfo") { request, _ in await userInfo(request) }
        router.post("/v1/userinfo") { request, _ in await userInfo(request) }
        router.get("/oauth2/v3/certs") { _, _ in try await jwks() }
        router.get("/.well-known/openid-configuration") { _, _ in await discovery() }
    }

    private func authorize(_ request: Request) async throws -> Response {
        var query: [String: String] = [:]
        for (name, value) in FakeHTTP.formPairs(request.uri.query ?? "") where query[name] == nil {
            query[name] = value
        }
        let automatic = FakeGoogle.AutomaticConsent(
            mode: query["fake_auto"].flatMap(FakeGoogleConfiguration.ConsentMode.init(rawValue:)),
            scopes: query["fake_scopes"].map(GoogleScope.parse), user: query["fake_user"])
        return render(await fake.authorize(query, automatic: automatic))
    }

    /// The consent form's answer: `request` (pending id), `user` (sub), `scope` (one per ticked
    /// box), `decision` (`allow` or `deny`).
    private func decision(_ request: Request) async throws -> Response {
        let pairs = FakeHTTP.formPairs(String(decoding: try await FakeHTTP.body(request, limit: 65_536), as: UTF8.self))
        func value(_ name: String) -> String? { pairs.first { $0.0 == name }?.1 }
        let chosen = Set(pairs.filter { $0.0 == "scope" }.map { GoogleScope.normalize($0.1) })
        let outcome = await fake.decide(
            pendingID: value("request") ?? "", userSub: value("user"), chosen: chosen,
            allow: value("decision") == "allow")
        return render(outcome)
    }

    private func render(_ outcome: FakeGoogle.AuthorizationOutcome) -> Response {
        switch outcome {
        case .redirect(let location):
            return FakeHTTP.redirect(location)
        case .errorPage(let status, let error, let description):
            return FakeHTTP.html(FakeConsentPage.error(error, description), status: .init(code: status))
        case .consentPage(let pending, let users, let selected):
            return FakeHTTP.html(FakeConsentPage.consent(pending, users: users, selected: selected))
        }
    }

    private func token(_ request: Request) async throws -> Response {
        guard FakeHTTP.isForm(request) else {
            return OAuthError.invalidRequest("Content-Type must be application/x-www-form-urlencoded").response
        }
        let form = try await FakeHTTP.form(request)
        do throws(OAuthError) {
            let body = try await fake.token(form, basic: Self.basicCredentials(request))
            var response = FakeHTTP.json(body)
            response.headers[.cacheControl] = "no-cache, no-store, max-age=0, must-revalidate"
            response.headers[HTTPField.Name("Pragma")!] = "no-cache"
            return response
        } catch {
            return error.response
        }
    }

    /// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 2.3.1).
    static func basicCredentials(_ request: Request) -> (id: String, secret: String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        let id = String(text[..<colon]), secret = String(text[text.index(after: colon)...])
        return (id.removingPercentEncoding ?? id, secret.removingPercentEncoding ?? secret)
    }

    private func revoke(_ request: Request) async throws -> Response {
        let form = FakeHTTP.isForm(request) ? try await FakeHTTP.form(request) : [:]
        let fromQuery = FakeHTTP.formPairs(request.uri.query ?? "").first { $0.0 == "token" }?.1
        guard let token = form["token"] ?? fromQuery, !token.isEmpty else {
            return OAuthError.invalidRequest("Missing required parameter: token").response
        }
        guard await fake.revoke(token) else {
            return OAuthError(status: .badRequest, error: "invalid_token", description: "Token expired or revoked")
                .response
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"])
    }

    private func userInfo(_ request: Request) async -> Response {
        do throws(GoogleAPIError) {
            return FakeHTTP.json(try await fake.userInfo(bearer: FakeHTTP.bearer(request)))
        } catch {
            return error.response
        }
    }

    private func jwks() async throws -> Response {
        var response = FakeHTTP.json(try await fake.jwks())
        let maxAge = await fake.configurationSnapshot.jwksMaxAge
        response.headers[.cacheControl] = "public, max-age=\(maxAge), must-revalidate, no-transform"
        return response
    }

    private func discovery() async -> Response {
        let configuration = await fake.configurationSnapshot
        let base = configuration.publicBaseURL
        return FakeHTTP.json([
            "issuer": configuration.issuer, "authorization_endpoint": "\(base)/o/oauth2/v2/auth",
            "token_endpoint": "\(base)/token", "userinfo_endpoint": "\(base)/v1/userinfo",
            "revocation_endpoint": "\(base)/revoke", "jwks_uri": "\(base)/oauth2/v3/certs",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        ])
    }
}
