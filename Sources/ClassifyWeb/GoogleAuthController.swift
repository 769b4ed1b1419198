import ClassifyCore
import ClassifyServices
import Foundation
import HTTPTypes
import Hummingbird

/// The page's Google sign-in (issue 4, section 2): `/auth/google/start` (and `/auth/google`)
/// sends the browser to Google with a fresh state, PKCE and nonce, and puts the state in a
/// short-lived HttpOnly cookie; `/auth/google/callback` accepts an answer only when its `state`
/// is that cookie's and is still stored (it is used up either way), then starts the same cookie
/// session as local sign-in. The code and state never appear in a log line (the request log
/// prints paths only) or in a URL the app writes.
struct GoogleAuthController: Sendable {
    static let stateCookie = "classify_oauth_state"
    static let callbackPath = "/auth/google/callback"

    /// nil: Google is not configured; the routes answer with the sign-in page saying so.
    let google: (any GoogleAccountService)?
    let pages: PageController
    /// PUBLIC_URL, when set: the only base of the redirect URI.
    let publicURL: String?
    /// `http://HOST:PORT` of this server, for requests whose Host is not a loopback name.
    let fallbackBase: String

    func register(on router: Router<ClassifyRequestContext>) {
        router.get("/auth/google") { request, context in try await start(request, context) }
        router.get("/auth/google/start") { request, context in try await start(request, context) }
        router.get("/auth/google/callback") { request, context in try await callback(request, context) }
    }

    /// The redirect URI Google must send the browser back to: PUBLIC_URL's, else the address the
    /// browser used when it is this machine (so the state cookie comes back), else HOST:PORT.
    func redirectURI(_ request: Request) -> String {
        if let publicURL {
            return publicURL.trimmingSuffix("/") + Self.callbackPath
        }
        if let authority = request.head.authority, Self.isLoopbackAuthority(authority) {
            return "http://\(authority)\(Self.callbackPath)"
        }
        return fallbackBase + Self.callbackPath
    }

    static func isLoopbackAuthority(_ authority: String) -> Bool {
        let host: Substring
        if authority.hasPrefix("[") {
            guard let end = authority.firstIndex(of: "]") else { return false }
            host = authority[authority.index(after: authority.startIndex)..<end]
        } else {
            host = authority.split(separator: ":", maxSplits: 1).first ?? ""
        }
        let rest = authority.dropFirst(authority.hasPrefix("[") ? host.count + 2 : host.count)
        guard rest.isEmpty || (rest.first == ":" && rest.dropFirst().allSatisfy(\.isNumber) && rest.count <= 6)
        else { return false }
        return host == "localhost" || host == "::1"
            || host.hasPrefix("127.")
                && host.split(separator: ".").count == 4
                && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }

    func notConfigured() -> Response {
        pages.html(.serviceUnavailable, pages.render(pages.signIn(error: PageController.googleReason), "signin"))
    }

    func start(_ request: Request, _ context: ClassifyRequestContext) async throws -> Response {
        guard let google else { return notConfigured() }
        let started = try await google.beginSignIn(redirectURI: redirectURI(request))
        var response = Response.redirect(to: started.url.absoluteString, type: .found)
        response.headers[.cacheControl] = "no-store"
        response.setCookie(stateCookie(started.state, maxAge: Int(GoogleAccounts.stateLifetime)))
        return response
    }

    func callback(_ request: Request, _ context: ClassifyRequestContext) async throws -> Response {
        guard let google else { return notConfigured() }
        let query = request.uri.queryParameters
        let state = query["state"].map(String.init) ?? ""
        let cookie = request.cookies[Self.stateCookie]?.value ?? ""
        let sameBrowser = !state.isEmpty && LocalAuthService.constantTimeEquals(state, cookie)
        do {
            if let error = query["error"].map(String.init) {
                // Use the state up so the answer cannot be replayed, whatever it was.
                if sameBrowser { try? await google.abandonSignIn(state: state) }
                throw error == "access_denied" ? GoogleSignInFailure.accessDenied : GoogleSignInFailure.google(error)
            }
            guard sameBrowser, let code = query["code"].map(String.init), !code.isEmpty else {
                throw GoogleSignInFailure.stateMismatch
            }
            let user = try await google.completeSignIn(code: code, state: state)
            let token = try await pages.sessions.start(userID: user.id, now: Date())
            var response = Response.redirect(to: "/", type: .found)
            response.setCookie(pages.sessionCookie(token, maxAge: pages.sessions.lifetimeSeconds))
            response.setCookie(stateCookie("", maxAge: 0))
            return response
        } catch let failure as GoogleSignInFailure {
            let status: HTTPResponse.Status =
                switch failure {
                case .accessDenied: .forbidden
                case .stateMismatch, .codeRejected, .noIdentity, .google: .badRequest
                case .unverifiedIdentity: .unauthorized
                case .googleUnavailable: .badGateway
                }
            var response = pages.html(status, pages.render(pages.signIn(error: failure.description), "signin"))
            response.setCookie(stateCookie("", maxAge: 0))
            return response
        }
    }

    func stateCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: Self.stateCookie, value: value, maxAge: maxAge, path: "/auth/google",
            secure: pages.settings.secureCookies, httpOnly: true, sameSite: .lax)
    }
}

/// `GET /api/v1/google/status`: whether Google is configured and linked, and what the person's
/// grant allows; the page shows `missing[].message` and offers a new sign-in when
/// `needs_reauth`.
struct GoogleStatusController: Sendable {
    let google: (any GoogleAccountService)?

    struct Missing: Encodable {
        let feature: String
        let message: String
    }

    struct Status: ResponseEncodable {
        let configured: Bool
        let connected: Bool
        let needs_reauth: Bool
        let features: [String]
        let missing: [Missing]
        let message: String?
    }

    func register(on group: RouterGroup<ClassifyRequestContext>) {
        group.get("google/status") { _, context -> Status in
            let userID = try context.requireUser()
            guard let google else {
                return Status(
                    configured: false, connected: false, needs_reauth: false, features: [], missing: [],
                    message: PageController.googleReason)
            }
            let connection = try await google.connection(userID: userID)
            let message: String? =
                if !connection.connected {
                    "This account is not signed in with Google."
                } else if connection.needsReauth {
                    GoogleAccessFailure.needsReauth.description
                } else {
                    nil
                }
            return Status(
                configured: true, connected: connection.connected, needs_reauth: connection.needsReauth,
                features: connection.features.map(\.rawValue).sorted(),
                missing: connection.connected
                    ? connection.missing.map { Missing(feature: $0.rawValue, message: $0.missingText) } : [],
                message: message)
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var value = self
        while value.hasSuffix(suffix) { value.removeLast(suffix.count) }
        return value
    }
}
