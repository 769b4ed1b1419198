import ClassifyCore
import ClassifyServices
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The page (DESIGN.md 5.1 "HTML pages"): the dashboard at `/`, sign-in and sign-out with the
/// HttpOnly session cookie, HTML error pages, and static files under `/static`. The dashboard
/// is rendered on the server (Mustache); small JavaScript modules fill the gallery from the API.
public struct PageController: Sendable {
    public struct Settings: Sendable {
        public var version: String
        public var localMode: Bool
        public var googleConfigured: Bool
        public var localPassword: String?
        public var importDirectory: String
        /// Adds `Secure` to the cookie (PUBLIC_URL is https).
        public var secureCookies: Bool
        /// PUBLIC_URL: the base of Google's redirect URI when set.
        public var publicURL: String?
        /// `http://HOST:PORT` this server listens on.
        public var listenBase: String

        public init(
            version: String, localMode: Bool, googleConfigured: Bool, localPassword: String?,
            importDirectory: String, secureCookies: Bool, publicURL: String? = nil,
            listenBase: String = "http://127.0.0.1:8080"
        ) {
            self.publicURL = publicURL
            self.listenBase = listenBase
            self.version = version
            self.localMode = localMode
            self.googleConfigured = googleConfigured
            self.localPassword = localPassword
            self.importDirectory = importDirectory
            self.secureCookies = secureCookies
        }
    }

    static let googleReason = "Google is not configured on this server (set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET)"

    let settings: Settings
    let sessions: SessionService
    let auth: any AuthService
    let photos: any PhotosService
    let limiter: SignInLimiter
    let google: (any GoogleAccountService)?
    let templates: MustacheLibrary

    public init(
        settings: Settings, sessions: SessionService, auth: any AuthService, photos: any PhotosService,
        limiter: SignInLimiter, google: (any GoogleAccountService)? = nil
    ) async throws {
        self.google = google
        self.settings = settings
        self.sessions = sessions
        self.auth = auth
        self.photos = photos
        self.limiter = limiter
        templates = try await MustacheLibrary(directory: WebResources.path("templates"))
    }

    // MARK: Template contexts (keys are the templates' contract)

    struct Tab {
        let id: String
        let label: String
        let href: String
        let selected: Bool
        let has_count: Bool
        let count: Int
    }

    struct Counts {
        let all: Int
        let clear: Int
        let blurred: Int
        let unprocessed: Int
    }

    struct UserView {
        let id: String
        let name: String
        let email: String
    }

    struct Dashboard {
        let title: String
        let version: String
        let csrf_token: String
        let user: UserView
        let local_mode: Bool
        let google_configured: Bool
        let google_reason: String
        let threshold: Double
        let threshold_text: String
        let import_dir: String
        let tab: String
        let tabs: [Tab]
        let counts: Counts
    }

    struct SignIn {
        let title: String
        let version: String
        let needs_password: Bool
        let local_signin: Bool
        let error: String
        let google_configured: Bool
        let google_reason: String
    }

    struct ErrorPage {
        let title: String
        let version: String
        let status: Int
        let message: String
        let signed_in: Bool
    }

    static let tabs: [(id: String, label: String)] = [
        ("all", "All"), ("clear", "Clear"), ("blurred", "Blurred"), ("unprocessed", "Unprocessed"),
        ("statistics", "Statistics"), ("debug", "Debug Info"),
    ]

    struct SignInForm: Decodable {
        let password: String?
    }

    struct SignOutForm: Decodable {
        let csrf_token: String?
    }

    // MARK: Routes

    public func register(on router: Router<ClassifyRequestContext>) {
        router.get("/") { request, context in try await dashboard(request, context) }
        router.get("/signin") { _, context -> Response in
            if context.sessionToken != nil { return .redirect(to: "/", type: .found) }
            return html(.ok, render(signIn(error: ""), "signin"))
        }
        router.post("/signin") { request, context in try await signIn(request, context) }
        router.post("/signout") { request, context in try await signOut(request, context) }
        // Browsers ask for it on every non-HTML page they open directly.
        router.get("/favicon.ico") { _, _ in Response.redirect(to: "/static/favicon.svg", type: .permanent) }
    }

    func dashboard(_ request: Request, _ context: ClassifyRequestContext) async throws -> Response {
        guard let session = context.sessionToken, let userID = context.userID,
            let user = try await auth.user(id: userID)
        else { return .redirect(to: "/signin", type: .found) }
        let requested = request.uri.queryParameters["tab"].map(String.init) ?? "all"
        let tab = Self.tabs.contains { $0.id == requested } ? requested : "all"
        let counts = try await photos.counts(userID: userID, threshold: user.blurThreshold)
        let view = Counts(
            all: counts[.all] ?? 0, clear: counts[.notBlurred] ?? 0, blurred: counts[.blurred] ?? 0,
            unprocessed: counts[.unprocessed] ?? 0)
        let countByTab = [
            "all": view.all, "clear": view.clear, "blurred": view.blurred, "unprocessed": view.unprocessed,
        ]
        let page = Dashboard(
            title: "Classify", version: settings.version, csrf_token: sessions.csrfToken(session: session),
            user: UserView(id: user.id, name: user.name ?? user.email ?? "You", email: user.email ?? ""),
            local_mode: settings.localMode, google_configured: settings.googleConfigured,
            google_reason: settings.googleConfigured ? "" : Self.googleReason,
            threshold: user.blurThreshold, threshold_text: String(format: "%.2f", user.blurThreshold),
            import_dir: settings.importDirectory, tab: tab,
            tabs: Self.tabs.map { item in
                Tab(
                    id: item.id, label: item.label, href: item.id == "all" ? "/" : "/?tab=\(item.id)",
                    selected: item.id == tab, has_count: countByTab[item.id] != nil, count: countByTab[item.id] ?? 0)
            },
            counts: view)
        return html(.ok, render(page, "dashboard"))
    }

    func signIn(error: String) -> SignIn {
        SignIn(
            title: "Sign in · Classify", version: settings.version, needs_password: settings.localPassword != nil,
            local_signin: settings.localMode, error: error, google_configured: settings.googleConfigured,
            google_reason: settings.googleConfigured ? "" : Self.googleReason)
    }

    func signIn(_ request: Request, _ context: ClassifyRequestContext) async throws -> Response {
        guard Self.sameOrigin(request) else {
            return html(
                .forbidden, render(signIn(error: "This sign-in came from another site and was refused."), "signin"))
        }
        if let wait = await limiter.attempt(from: context.remoteIP) {
            var response = html(
                .tooManyRequests,
                render(signIn(error: "Too many sign-in attempts. Try again in \(wait) seconds."), "signin"))
            response.headers[.retryAfter] = String(wait)
            return response
        }
        guard settings.localMode else {
            return html(
                .badRequest, render(signIn(error: "This server signs in with Google only."), "signin"))
        }
        let form = try await Self.form(SignInForm.self, request, context)
        let user: User
        do {
            user = try await auth.localUser(password: form?.password)
        } catch AuthFailure.wrongPassword {
            return html(.unauthorized, render(signIn(error: "Wrong password."), "signin"))
        }
        let now = Date()
        let token = try await sessions.start(userID: user.id, now: now)
        var response = Response.redirect(to: "/", type: .normal)
        response.setCookie(sessionCookie(token, maxAge: sessions.lifetimeSeconds))
        return response
    }

    func signOut(_ request: Request, _ context: ClassifyRequestContext) async throws -> Response {
        var response = Response.redirect(to: "/signin", type: .normal)
        if let session = context.sessionToken {
            let form = try await Self.form(SignOutForm.self, request, context)
            let header = request.headers[CSRFMiddleware.header]
            guard sessions.verifyCSRF(form?.csrf_token ?? header ?? "", session: session) else {
                return errorPage(
                    .forbidden, "The sign-out form was stale. Reload the page and try again.", signedIn: true)
            }
            try await sessions.end(session: session)
            if let google, let userID = context.userID {
                // Signing out of Classify ends its Google grant too (revoked at Google).
                try await google.signOut(userID: userID)
            }
        }
        response.setCookie(sessionCookie("", maxAge: 0))
        return response
    }

    func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: SessionService.cookieName, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies,
            httpOnly: true, sameSite: .lax)
    }

    /// A browser says where a form came from (`Sec-Fetch-Site`, `Origin`); a form posted from
    /// another site is refused. Requests with neither (curl, old browsers) pass: SameSite covers
    /// them.
    static func sameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
            return site == "same-origin" || site == "none"
        }
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    static func form<Form: Decodable>(_ type: Form.Type, _ request: Request, _ context: ClassifyRequestContext)
        async throws -> Form?
    {
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard body.readableBytes > 0 else { return nil }
        return try? URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
    }

    func render(_ object: Any, _ template: String) -> String {
        templates.render(object, withTemplate: template) ?? "<!doctype html><title>Classify</title><p>Page missing."
    }

    func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func errorPage(_ status: HTTPResponse.Status, _ message: String, signedIn: Bool) -> Response {
        html(
            status,
            render(
                ErrorPage(
                    title: "\(status.code) \(status.reasonPhrase) · Classify", version: settings.version,
                    status: status.code, message: message, signed_in: signedIn),
                "error"))
    }

    /// Errors on page routes (not `/api`, not health or metrics) become HTML pages.
    struct HTMLErrors: RouterMiddleware {
        typealias Context = ClassifyRequestContext
        let pages: PageController

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            let path = request.uri.path
            let machine = ["/api/", "/health", "/metrics", "/openapi.json", "/static/"].contains { path.hasPrefix($0) }
            guard !machine else { return try await next(request, context) }
            do {
                return try await next(request, context)
            } catch let error as HTTPResponseError {
                let message =
                    switch error.status {
                    case .notFound: "There is no page at \(path)."
                    case .methodNotAllowed: "That page cannot be used that way."
                    default: (error as? APIError)?.message ?? error.status.reasonPhrase
                    }
                return pages.errorPage(error.status, message, signedIn: context.userID != nil)
            } catch {
                context.logger.error("page failed", metadata: ["error": "\(error)"])
                return pages.errorPage(
                    .internalServerError, "Something went wrong on our side.", signedIn: context.userID != nil)
            }
        }
    }
}

/// Where ClassifyWeb's bundled files (templates, static, openapi.json) are on disk.
enum WebResources {
    static func path(_ name: String) -> String {
        Bundle.module.bundleURL.appendingPathComponent("Resources").appendingPathComponent(name).path
    }
}
