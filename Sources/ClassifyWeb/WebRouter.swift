import Hummingbird

/// The gateway's routes. Grows with the API (DESIGN.md 5.1); composed in ClassifyApp.
public enum WebRouter {
    public static func build(health: HealthController) -> Router<BasicRequestContext> {
        let router = Router()
        health.register(on: router)
        return router
    }
}
