import ClassifyServices
import Hummingbird

/// The gateway's routes (DESIGN.md 5.1), composed in ClassifyApp.
public enum WebRouter {
    public static func build(
        health: HealthController, auth: AuthController, photos: PhotosController, settings: SettingsController
    ) -> Router<ClassifyRequestContext> {
        let router = Router(context: ClassifyRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        health.register(on: router)
        let api = router.group("api/v1").add(middleware: BearerAuthMiddleware(tokens: auth.tokens))
        auth.register(on: api)
        photos.register(on: api)
        settings.register(on: api)
        return router
    }
}
