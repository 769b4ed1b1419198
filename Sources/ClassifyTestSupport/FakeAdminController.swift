import Foundation
import Hummingbird

/// The admin API under `/fake/` (documented in docs/fake-google.md). Unauthenticated: the fake
/// listens on loopback and holds only test data.
struct FakeAdminController {
    let fake: FakeGoogle

    func add(to router: Router<BasicRequestContext>) {
        let admin = router.group("/fake")
        admin.get("/state") { _, _ in try Self.encode(await fake.state()) }
        admin.get("/log") { request, _ in
            let since = Int(FakePickerController.query(request)["since"] ?? "") ?? 0
            return try Self.encode(await fake.log(since: since))
        }
        admin.delete("/log") { _, _ in
            await fake.clearLog(); return Self.ok
        }
        admin.get("/faults") { _, _ in try Self.encode(await fake.activeFaults) }
        admin.delete("/faults") { _, _ in
            await fake.clearFaults(); return Self.ok
        }
        admin.post("/faults") { request, _ in
            let input = try await Self.decode(FaultInput.self, request)
            guard !input.pathPrefix.isEmpty, input.status != nil || input.delayMs != nil else {
                return Self.problem(400, "a fault needs pathPrefix and status and/or delayMs")
            }
            let fault = FakeFault(
                pathPrefix: input.pathPrefix, method: input.method, count: input.count ?? 1, status: input.status,
                retryAfter: input.retryAfter, delayMs: input.delayMs, dailyQuota: input.dailyQuota)
            await fake.addFault(fault)
            return try Self.encode(fault)
        }
        admin.post("/faults/batch-create-items") { request, _ in
            let input = try await Self.decode(ItemFailureInput.self, request)
            await fake.failNextBatchCreateItems(
                input.count, code: input.code ?? 13, message: input.message ?? "INTERNAL: Internal error.")
            return Self.ok
        }
        admin.post("/clock/advance") { request, _ in
            await fake.advanceClock(seconds: try await Self.decode(ClockInput.self, request).seconds)
            return try Self.encode(["clock": await fake.state().clock])
        }
        admin.get("/users") { _, _ in try Self.encode(await fake.allUsers) }
        admin.post("/users") { request, _ in
            let input = try await Self.decode(UserInput.self, request)
            let user = FakeGoogleUser(
                sub: input.sub ?? "1" + String(format: "%020llu", UInt64.random(in: 0...9_999_999_999_999_999_999)),
                email: input.email, name: input.name ?? input.email, emailVerified: input.emailVerified ?? true,
                hd: input.hd, hasPhotosAccount: input.hasPhotosAccount ?? true)
            await fake.addUser(user)
            return try Self.encode(user)
        }
        admin.post("/tokens") { request, _ in
            let input = try await Self.decode(TokenInput.self, request)
            do throws(FakeAdminError) {
                let tokens = try await fake.mintTokens(
                    user: input.user, clientID: input.clientId, scopes: input.scopes, offline: input.offline ?? true)
                var body: [String: Any] = [
                    "access_token": tokens.accessToken, "scope": tokens.scope, "expires_in": tokens.expiresIn,
                    "token_type": "Bearer",
                ]
                body["refresh_token"] = tokens.refreshToken
                body["id_token"] = tokens.idToken
                return FakeHTTP.json(body)
            } catch { return Self.problem(error.status, error.description) }
        }
        admin.post("/tokens/expire") { request, _ in
            let input = try await Self.decode(ExpireInput.self, request)
            guard input.token != nil || input.kind != nil else { return Self.problem(400, "give token or kind") }
            return try Self.encode(["expired": await fake.expireTokens(token: input.token, kind: input.kind)])
        }
        admin.put("/consent") { request, _ in
            let input = try await Self.decode(ConsentInput.self, request)
            await fake.updateConfiguration { $0.consentMode = input.mode }
            return Self.ok
        }
        admin.patch("/settings") { request, _ in
            let input = try await Self.decode(FakeSettings.self, request)
            await fake.updateConfiguration { input.apply(to: &$0) }
            return Self.ok
        }
        admin.post("/sessions/:id/pick") { request, context in
            try await pick(request, id: context.parameters.get("id") ?? "")
        }
        admin.post("/sessions/:id/expire") { _, context in
            await fake.expireSession(context.parameters.get("id") ?? "")
                ? Self.ok : Self.problem(404, "no such session")
        }
        admin.post("/base-urls/expire") { _, _ in try Self.encode(["expired": await fake.expireBaseURLs()]) }
        admin.post("/jwks/rotate") { request, _ in
            let input = try await Self.decode(RotateInput.self, request)
            let kid = try await fake.rotateSigningKey(keepOld: input.keepOld ?? true)
            return FakeHTTP.json(["kid": kid, "published": await fake.signingKeyIDs])
        }
        admin.post("/reset") { _, _ in
            await fake.reset(); return Self.ok
        }
    }

    /// `{"files": [paths]}`, `{"folder": path}` or `{"all": true}` (the `--photos` folder).
    private func pick(_ request: Request, id: String) async throws -> Response {
        let input = try await Self.decode(PickInput.self, request)
        var paths = input.files ?? []
        let folder = input.all == true ? await fake.configurationSnapshot.photosDirectory : input.folder
        if let folder {
            do { paths += try FakePhotoInfo.imageFiles(in: folder) } catch {
                return Self.problem(400, "cannot list \(folder): \(error)")
            }
        }
        guard !paths.isEmpty else { return Self.problem(400, "nothing to pick: give files, folder or all") }
        do throws(FakeAdminError) {
            let photos = try paths.map { path throws(FakeAdminError) in try FakePickedPhoto.load(path: path) }
            try await fake.pick(sessionID: id, photos: photos)
        } catch {
            return Self.problem(error.status, error.description)
        }
        return try Self.encode(["picked": paths.count])
    }

    static var ok: Response { FakeHTTP.json(["ok": true]) }

    static func problem(_ status: Int, _ message: String) -> Response {
        FakeHTTP.json(["error": message], status: .init(code: status))
    }

    static func encode(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var bytes = try await FakeHTTP.body(request, limit: 1_048_576)
        if bytes.isEmpty { bytes = Array("{}".utf8) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw HTTPError(.badRequest, message: "invalid admin request body: \(error)")
        }
    }
}
