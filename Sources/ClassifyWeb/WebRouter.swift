import ClassifyCore
import ClassifyServices
import Hummingbird

/// The gateway (DESIGN.md 5.1): its routes over the service protocols, composed in
/// ClassifyApp (and the same way in tests). Middleware runs outermost first: request metrics
/// and log, security headers on everything, JSON errors for the API, HTML errors for pages,
/// static files before anyone is looked up, then who is calling.
public enum WebRouter {
    /// What the gateway talks to.
    public struct Services: Sendable {
        public var auth: any AuthService
        public var photos: any PhotosService
        public var blur: any BlurService
        /// Folders on this machine; nil outside local mode.
        public var source: (any PhotoSource)?
        public var sessions: SessionService
        public var limiter: SignInLimiter
        /// Google sign-in; nil in local mode.
        public var google: (any GoogleAccountService)?
        /// Google Photos (picker, sync, album); nil in local mode.
        public var googlePhotos: (any GooglePhotosService)?
        /// AI tags; nil when this server has no vision model configured.
        public var tags: (any TagService)?
        public var uploadLimits: PhotosController.UploadLimits

        public init(
            auth: any AuthService, photos: any PhotosService, blur: any BlurService, source: (any PhotoSource)?,
            sessions: SessionService, limiter: SignInLimiter, google: (any GoogleAccountService)? = nil,
            googlePhotos: (any GooglePhotosService)? = nil, tags: (any TagService)? = nil,
            uploadLimits: PhotosController.UploadLimits = .init()
        ) {
            self.uploadLimits = uploadLimits
            self.tags = tags
            self.google = google
            self.googlePhotos = googlePhotos
            self.auth = auth
            self.photos = photos
            self.blur = blur
            self.source = source
            self.sessions = sessions
            self.limiter = limiter
        }
    }

    public static func build(
        _ services: Services, health: HealthController, page: PageController.Settings,
        metrics: MetricsController = MetricsController()
    ) async throws -> Router<ClassifyRequestContext> {
        let pages = try await PageController(
            settings: page, sessions: services.sessions, auth: services.auth, photos: services.photos,
            limiter: services.limiter, google: services.google)
        let router = Router(context: ClassifyRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: RequestLogMiddleware(level: .info))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: PageController.HTMLErrors(pages: pages))
        router.add(
            middleware: FileMiddleware(
                WebResources.path("static"), urlBasePath: "/static", searchForIndexHtml: false))
        router.add(middleware: AuthMiddleware(auth: services.auth, sessions: services.sessions))
        health.register(on: router)
        metrics.register(on: router)
        pages.register(on: router)
        GoogleAuthController(
            google: services.google, pages: pages, publicURL: page.publicURL, fallbackBase: page.listenBase
        ).register(on: router)
        DocsController().register(on: router)
        let api = router.group("api/v1").add(middleware: CSRFMiddleware(sessions: services.sessions))
        AuthController(
            auth: services.auth, sessions: services.sessions, limiter: services.limiter, google: services.google
        ).register(on: api)
        GoogleStatusController(google: services.google).register(on: api)
        GooglePhotosController(google: services.googlePhotos).register(on: api)
        PhotosController(
            photos: services.photos, auth: services.auth, blur: services.blur, source: services.source,
            uploadLimits: services.uploadLimits
        ).register(on: api)
        SettingsController(auth: services.auth, photos: services.photos, tags: services.tags).register(on: api)
        TagsController(tags: services.tags, photos: services.photos, auth: services.auth).register(on: api)
        return router
    }
}
