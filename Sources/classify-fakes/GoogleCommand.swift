import ArgumentParser
import ClassifyTestSupport
import Foundation
import Hummingbird

/// `classify-fakes google`: OAuth/OIDC, Picker, image bytes and Library API in one server.
struct GoogleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "google", abstract: "Run a fake Google (OAuth, OpenID Connect, Photos Picker and Library APIs).",
        discussion: "Admin API and variables for the app: docs/fake-google.md.")

    @Option(help: "Port to listen on.") var port = 4444
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Folder of photos the picker page offers (and admin picks with {\"all\": true}).") var photos: String?
    @Option(name: .customLong("client-id"), help: "OAuth client id (repeat for several clients).")
    var clientIDs: [String] = []
    @Option(name: .customLong("client-secret"), help: "Secret of the client at the same position.")
    var clientSecrets: [String] = []
    @Option(
        name: .customLong("redirect-uri"),
        help:
            "Registered redirect URI. With one client, every URI is that client's; otherwise one per client, in order.")
    var redirectURIs: [String] = []
    @Option(name: .customLong("public-url"), help: "Base URL clients reach the fake at (default http://HOST:PORT).")
    var publicURL: String?
    @Option(help: "iss of ID tokens.") var issuer = "https://accounts.google.com"
    @Option(help: "Consent page behaviour: page, allow (grant everything at once) or deny.")
    var consent: FakeGoogleConfiguration.ConsentMode = .page
    @Flag(name: .customLong("require-pkce"), help: "Refuse authorization requests without code_challenge.")
    var requirePKCE = false
    @Option(name: .customLong("access-token-ttl"), help: "Seconds.") var accessTokenTTL: Double = 3599
    @Option(name: .customLong("refresh-token-ttl"), help: "Seconds (604800 imitates a 'Testing' consent screen).")
    var refreshTokenTTL: Double?
    @Option(name: .customLong("code-ttl"), help: "Seconds an authorization code lives.") var codeTTL: Double = 600
    @Option(name: .customLong("base-url-ttl"), help: "Seconds a baseUrl lives.") var baseURLTTL: Double = 3600
    @Option(name: .customLong("session-ttl"), help: "Seconds a picking session lives.") var sessionTTL: Double = 1800
    @Option(name: .customLong("poll-interval"), help: "pollingConfig.pollInterval, seconds.") var pollInterval: Double =
        5
    @Option(name: .customLong("max-stored-mb"), help: "Bound on photo bytes held in memory.") var maxStoredMB = 1024

    func validate() throws {
        guard clientIDs.count == clientSecrets.count else {
            throw ValidationError("give one --client-secret per --client-id")
        }
        if clientIDs.count > 1, redirectURIs.count != clientIDs.count {
            throw ValidationError("with several clients, give one --redirect-uri per --client-id, in the same order")
        }
        if let photos, !FileManager.default.fileExists(atPath: photos) {
            throw ValidationError("--photos \(photos) does not exist")
        }
    }

    func run() async throws {
        var configuration = FakeGoogleConfiguration()
        configuration.clients = clients()
        configuration.issuer = issuer
        configuration.publicBaseURL = publicURL ?? "http://\(host):\(port)"
        configuration.photosDirectory = photos
        configuration.consentMode = consent
        configuration.requirePKCE = requirePKCE
        configuration.accessTokenTTL = accessTokenTTL
        configuration.refreshTokenTTL = refreshTokenTTL
        configuration.authorizationCodeTTL = codeTTL
        configuration.baseURLTTL = baseURLTTL
        configuration.pickingSessionTTL = sessionTTL
        configuration.pollInterval = pollInterval
        configuration.maxStoredBytes = maxStoredMB * 1_048_576
        let fake = try FakeGoogle(configuration: configuration)
        printSummary(configuration)
        let app = Application(
            router: FakeGoogleRouter.build(fake),
            configuration: .init(address: .hostname(host, port: port), serverName: "classify-fakes"))
        try await app.runService()
    }

    /// The clients from the flags, else from GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET, else the default.
    private func clients() -> [FakeGoogleClient] {
        let environment = ProcessInfo.processInfo.environment
        guard !clientIDs.isEmpty else {
            var client = FakeGoogleClient.default
            if let id = environment["GOOGLE_CLIENT_ID"], let secret = environment["GOOGLE_CLIENT_SECRET"] {
                client.id = id
                client.secret = secret
            }
            if !redirectURIs.isEmpty { client.redirectURIs = redirectURIs }
            return [client]
        }
        return clientIDs.indices.map { index in
            let uris =
                clientIDs.count == 1
                ? (redirectURIs.isEmpty ? FakeGoogleClient.default.redirectURIs : redirectURIs) : [redirectURIs[index]]
            return FakeGoogleClient(id: clientIDs[index], secret: clientSecrets[index], redirectURIs: uris)
        }
    }

    private func printSummary(_ configuration: FakeGoogleConfiguration) {
        let base = configuration.publicBaseURL
        let client = configuration.clients[0]
        // Unbuffered, so the lines show up at once when stdout is a file or a pipe.
        FileHandle.standardOutput.write(
            Data(
                """
                classify-fakes google listening on \(host):\(port) (admin API under \(base)/fake/)
                redirect URIs of \(client.id): \(client.redirectURIs.joined(separator: " "))
                Point Classify at it with:
                  export GOOGLE_CLIENT_ID='\(client.id)' GOOGLE_CLIENT_SECRET='\(client.secret)'
                  export GOOGLE_AUTH_URL=\(base)/o/oauth2/v2/auth GOOGLE_TOKEN_URL=\(base)/token
                  export GOOGLE_REVOKE_URL=\(base)/revoke GOOGLE_USERINFO_URL=\(base)/v1/userinfo
                  export GOOGLE_JWKS_URL=\(base)/oauth2/v3/certs GOOGLE_ISSUER=\(configuration.issuer)
                  export GOOGLE_PICKER_API_URL=\(base)/photospicker GOOGLE_PHOTOS_LIBRARY_API_URL=\(base)/photoslibrary

                """.utf8))
    }
}

extension FakeGoogleConfiguration.ConsentMode: ExpressibleByArgument {}
