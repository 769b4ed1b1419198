import ClassifyServices
import Hummingbird

/// The gateway's routes (DESIGN.md 5.1), composed in ClassifyApp. Middleware runs outermost
/// first: request metrics, security headers on everything, JSON errors for the API, HTML errors for pages,
/// static files before anyone is looked up, then who is calling.
public enum WebRouter {
    public static func build(
        health: HealthController, auth: AuthController, photos: PhotosController, settings: SettingsController,
        pages: PageController, metrics: MetricsController = MetricsController()
    ) -> Router<ClassifyRequestContext> {
        let router = Router(context: ClassifyRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: RequestLogMiddleware(level: .info))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: PageController.HTMLErrors(pages: pages))
        router.add(
            middleware: FileMiddleware(
                WebResources.path("static"), urlBasePath: "/static", searchForIndexHtml: false))
        router.add(middleware: AuthMiddleware(tokens: auth.tokens, sessions: pages.sessions))
        health.register(on: router)
        metrics.register(on: router)
        pages.register(on: router)
        DocsController().register(on: router)
        let api = router.group("api/v1").add(middleware: CSRFMiddleware(sessions: pages.sessions))
        auth.register(on: api)
        photos.register(on: api)
        settings.register(on: api)
        return router
    }
}
