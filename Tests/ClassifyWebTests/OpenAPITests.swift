import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ClassifyWeb

/// Keeps Resources/openapi.json true: it is OpenAPI 3.1, it names exactly the routes the real
/// router registers, and what the routes answer (status, content type, JSON shape) is what it
/// documents.
@Suite struct OpenAPITests {
    /// Documented operations that the router does not register because a middleware serves
    /// them (FileMiddleware in WebRouter.build). Each is checked over HTTP instead.
    static let servedByMiddleware: [String: String] = ["GET /static/{path}": "/static/docs.js"]

    /// Documented routes not registered yet (documented first, being added), as
    /// "POST /api/v1/…". Remove a line when its route lands: the test says so.
    static let pending: Set<String> = []

    // MARK: The document

    @Test func documentIsOpenAPI31() throws {
        let spec = try Spec.load()
        let version = try #require(spec.root["openapi"] as? String)
        #expect(version.hasPrefix("3.1."), "openapi is \(version)")
        let info = try #require(spec.root["info"] as? [String: Any])
        #expect((info["title"] as? String)?.isEmpty == false && (info["version"] as? String)?.isEmpty == false)

        var operationIDs: [String: String] = [:]
        for operation in spec.operations {
            let name = operation.key
            let id = operation.body["operationId"] as? String ?? ""
            #expect(!id.isEmpty, "\(name) has no operationId")
            #expect(operationIDs[id] == nil, "operationId \(id) used by \(operationIDs[id] ?? "") and \(name)")
            operationIDs[id] = name
            #expect((operation.body["summary"] as? String)?.isEmpty == false, "\(name) has no summary")
            #expect((operation.body["tags"] as? [String])?.isEmpty == false, "\(name) has no tag")
            let responses = operation.body["responses"] as? [String: Any] ?? [:]
            #expect(!responses.isEmpty, "\(name) documents no response")

            // Every {name} in the path is a declared path parameter, and nothing else is.
            let templated = Set(operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0) })
            let declared = Set(
                spec.parameters(of: operation).filter { $0["in"] as? String == "path" }
                    .compactMap { $0["name"] as? String }.map { "{\($0)}" })
            #expect(templated == declared, "\(name): path parameters \(declared.sorted()) vs \(templated.sorted())")

            // Operations that need a caller say how they fail without one; JSON bodies say how
            // they fail when malformed; errors use the shared Error shape.
            if operation.path.hasPrefix("/api/"), !spec.isPublic(operation) {
                #expect(responses["401"] != nil, "\(name) needs a caller but documents no 401")
            }
            let body = spec.resolve(operation.body["requestBody"] as? [String: Any] ?? [:])
            if (body["content"] as? [String: Any])?["application/json"] != nil {
                #expect(responses["400"] != nil, "\(name) takes JSON but documents no 400")
            }
            // (A 503 from readiness is a report, not an error.)
            for (status, value) in responses where status.hasPrefix("4") || status == "500" {
                let response = spec.resolve(value as? [String: Any] ?? [:])
                if let json = (response["content"] as? [String: Any])?["application/json"] as? [String: Any] {
                    #expect(
                        (json["schema"] as? [String: Any])?["$ref"] as? String == "#/components/schemas/Error",
                        "\(name) \(status) is JSON but not the Error schema")
                }
            }
        }
        #expect(spec.danglingReferences().isEmpty, "unresolved $ref: \(spec.danglingReferences())")
    }

    // MARK: The document and the router agree

    /// Hummingbird describes captures as `{id}` already; wildcards become `{path}`.
    static func documentSpelling(_ route: String) -> String {
        let parts = route.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return route }
        let path = parts[1].split(separator: "/").map { $0 == "*" || $0 == "**" ? "{path}" : String($0) }
        return "\(parts[0]) /\(path.joined(separator: "/"))"
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let spec = try Spec.load()
        try await TestApp.with { app, parts in
            let routes = Set(parts.routes.map(Self.documentSpelling))
            #expect(routes.count > 10, "the router lists \(routes.count) routes")
            let documented = Set(spec.operations.map(\.key))
            let undocumented = routes.subtracting(documented)
            #expect(undocumented.isEmpty, "routes missing from openapi.json: \(undocumented.sorted())")
            let unrouted = documented.subtracting(routes).subtracting(Self.servedByMiddleware.keys).subtracting(
                Self.pending)
            #expect(unrouted.isEmpty, "openapi.json documents routes the router does not have: \(unrouted.sorted())")
            let landed = Self.pending.intersection(routes)
            #expect(landed.isEmpty, "now registered, remove from OpenAPITests.pending: \(landed.sorted())")
            #expect(Self.pending.isSubset(of: documented))

            try await app.test(.router) { client in
                for (operation, uri) in Self.servedByMiddleware {
                    #expect(documented.contains(operation))
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .ok, "\(operation) (\(uri)) answers \(response.status)")
                        #expect(spec.issues(response, operation).isEmpty, "\(spec.issues(response, operation))")
                    }
                }
            }
        }
    }

    // MARK: The routes answer what the document says

    @Test func openAPIAndDocsAreServed() async throws {
        let spec = try Spec.load()
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    let served = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    #expect((served?["openapi"] as? String)?.hasPrefix("3.1.") == true)
                    #expect(Data(buffer: response.body) == Data(DocsController.resource("openapi", "json")))
                }
                try await client.execute(uri: "/docs", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    let page = String(buffer: response.body)
                    #expect(page.contains("/static/docs.js") && page.contains("/static/docs.css"))
                    // The CSP allows no inline script or style.
                    #expect(!page.contains("<script>") && !page.contains("<style") && !page.contains("style="))
                    #expect(spec.issues(response, "GET /docs").isEmpty)
                }
                for (file, type) in [("docs.js", "javascript"), ("docs.css", "text/css")] {
                    try await client.execute(uri: "/static/\(file)", method: .get) { response in
                        #expect(response.status == .ok, "/static/\(file) answers \(response.status)")
                        #expect(response.headers[.contentType]?.contains(type) == true)
                    }
                }
            }
        }
    }

    /// Every operation that needs a caller refuses one without credentials, with a documented
    /// 401; every public GET without path parameters answers a documented status and shape.
    @Test func anonymousCallsAnswerAsDocumented() async throws {
        let spec = try Spec.load()
        try await TestApp.with { app, parts in
            let routes = Set(parts.routes.map(Self.documentSpelling))
            try await app.test(.router) { client in
                for operation in spec.operations where routes.contains(operation.key) {
                    let uri = operation.path.replacingOccurrences(
                        of: #"\{[^}]+\}"#, with: "unknown-id", options: .regularExpression)
                    let method = HTTPRequest.Method(operation.method.uppercased())!
                    if operation.path.hasPrefix("/api/"), !spec.isPublic(operation) {
                        try await client.execute(uri: uri, method: method, body: TestApp.json([:])) { response in
                            #expect(response.status == .unauthorized, "\(operation.key) answers \(response.status)")
                            #expect(
                                spec.issues(response, operation.key).isEmpty, "\(spec.issues(response, operation.key))")
                        }
                    } else if operation.method == "get", spec.isPublic(operation), !operation.path.contains("{") {
                        try await client.execute(uri: uri, method: .get) { response in
                            #expect(
                                spec.issues(response, operation.key).isEmpty, "\(spec.issues(response, operation.key))")
                        }
                    }
                }
            }
        }
    }

    /// A signed-in tour of the API: each answer's status, content type and JSON shape is
    /// checked against the document (undocumented properties count as drift).
    @Test func signedInAnswersMatchTheirSchemas() async throws {
        let spec = try Spec.load()
        try await TestApp.with { app, _ in
            try await app.test(.router) { client in
                /// `status` nil: any documented status will do.
                func call(
                    _ operation: String, _ uri: String, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                    expect status: HTTPResponse.Status?
                ) async throws -> [String: Any] {
                    let method = HTTPRequest.Method(String(operation.split(separator: " ")[0]))!
                    return try await client.execute(uri: uri, method: method, headers: headers, body: body) {
                        response in
                        if let status {
                            #expect(response.status == status, "\(operation) \(uri) answers \(response.status)")
                        }
                        let issues = spec.issues(response, operation)
                        #expect(issues.isEmpty, "\(operation) \(uri): \(issues)")
                        return TestApp.decode(response.body)
                    }
                }
                let tokens = try await call(
                    "POST /api/v1/auth/token", "/api/v1/auth/token", body: TestApp.json(["grant_type": "local"]),
                    expect: .ok)
                _ = try await call(
                    "POST /api/v1/auth/token", "/api/v1/auth/token", body: ByteBuffer(string: "{not json"),
                    expect: .badRequest)
                let access = try #require(tokens["access_token"] as? String)
                let auth: HTTPFields = [.authorization: "Bearer \(access)"]
                _ = try await call("GET /api/v1/auth/me", "/api/v1/auth/me", headers: auth, expect: .ok)

                var multipart = auth
                multipart[.contentType] = "multipart/form-data; boundary=XyZ-b0undary"
                let uploaded = try await call(
                    "POST /api/v1/photos/upload", "/api/v1/photos/upload", headers: multipart,
                    body: UploadTests.form([
                        ("file", "motion-cat.jpg", try UploadTests.photo("motion-cat.jpg")),
                        ("file", "notes.txt", Array("not a photo".utf8)),
                    ]), expect: .created)
                let id = try #require((uploaded["photos"] as? [[String: Any]])?.first?["id"] as? String)
                _ = try await call(
                    "POST /api/v1/photos/upload", "/api/v1/photos/upload", headers: auth,
                    body: ByteBuffer(string: "x"), expect: .unsupportedMediaType)

                _ = try await call("GET /api/v1/photos", "/api/v1/photos?limit=1", headers: auth, expect: .ok)
                _ = try await call("GET /api/v1/photos", "/api/v1/photos?limit=0", headers: auth, expect: .badRequest)
                _ = try await call("GET /api/v1/photos/{id}", "/api/v1/photos/\(id)", headers: auth, expect: .ok)
                _ = try await call("GET /api/v1/photos/{id}", "/api/v1/photos/nope", headers: auth, expect: .notFound)
                _ = try await call(
                    "GET /api/v1/photos/{id}/result", "/api/v1/photos/\(id)/result", headers: auth, expect: .notFound)

                let job = try await call(
                    "POST /api/v1/blur/analyze-batch", "/api/v1/blur/analyze-batch", headers: auth,
                    body: TestApp.json([:]), expect: .accepted)
                let jobID = try #require(job["job_id"] as? String)
                _ = try await call(
                    "GET /api/v1/blur/jobs/{job_id}", "/api/v1/blur/jobs/\(jobID)", headers: auth, expect: .ok)
                _ = try await call(
                    "GET /api/v1/blur/jobs/{job_id}", "/api/v1/blur/jobs/nope", headers: auth, expect: .notFound)
                _ = try await call(
                    "POST /api/v1/blur/analyze-batch", "/api/v1/blur/analyze-batch", headers: auth,
                    body: TestApp.json(["photo_ids": ["nope"]]), expect: .notFound)

                _ = try await call(
                    "POST /api/v1/photos/{id}/analyze", "/api/v1/photos/\(id)/analyze", headers: auth,
                    expect: .accepted)
                _ = try await call(
                    "POST /api/v1/photos/{id}/analyze", "/api/v1/photos/nope/analyze", headers: auth,
                    expect: .notFound)
                // The test app may or may not have a folder source: any documented answer will do.
                _ = try await call(
                    "POST /api/v1/photos/import", "/api/v1/photos/import", headers: auth,
                    body: TestApp.json(["path": "/nonexistent/\(UUID().uuidString)"]), expect: nil)
                _ = try await call(
                    "POST /api/v1/photos/import", "/api/v1/photos/import", headers: auth,
                    body: TestApp.json(["folder": "x"]), expect: nil)

                _ = try await call(
                    "GET /api/v1/photos/{id}/image", "/api/v1/photos/\(id)/image?size=thumb", headers: auth,
                    expect: .ok)
                _ = try await call(
                    "GET /api/v1/photos/{id}/image", "/api/v1/photos/\(id)/image?size=huge", headers: auth,
                    expect: .badRequest)

                _ = try await call(
                    "GET /api/v1/users/me/settings", "/api/v1/users/me/settings", headers: auth, expect: .ok)
                _ = try await call(
                    "PATCH /api/v1/users/me/settings", "/api/v1/users/me/settings", headers: auth,
                    body: TestApp.json(["blur_threshold": 0.6]), expect: .ok)
                _ = try await call(
                    "PATCH /api/v1/users/me/settings", "/api/v1/users/me/settings", headers: auth,
                    body: TestApp.json(["blur_threshold": 2]), expect: .badRequest)
                _ = try await call("GET /api/v1/stats", "/api/v1/stats", headers: auth, expect: .ok)

                _ = try await call(
                    "POST /api/v1/auth/refresh", "/api/v1/auth/refresh",
                    body: TestApp.json(["refresh_token": tokens["refresh_token"] as? String ?? ""]), expect: .ok)
                _ = try await call(
                    "POST /api/v1/auth/refresh", "/api/v1/auth/refresh", body: TestApp.json(["refresh_token": "x"]),
                    expect: .unauthorized)
                _ = try await call(
                    "DELETE /api/v1/photos/{id}", "/api/v1/photos/\(id)", headers: auth, expect: .noContent)
                _ = try await call("POST /api/v1/auth/logout", "/api/v1/auth/logout", headers: auth, expect: .noContent)
            }
        }
    }

    /// The page's way in: the form sign-in sets the cookie, the cookie works on the API, and
    /// unsafe calls without the CSRF token are refused, all as documented.
    @Test func sessionCookieCallsAnswerAsDocumented() async throws {
        let spec = try Spec.load()
        try await TestApp.with { app, parts in
            try await app.test(.router) { client in
                let cookie = try await client.execute(
                    uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "password=")
                ) { response in
                    #expect(response.status == .seeOther)
                    #expect(spec.issues(response, "POST /signin").isEmpty, "\(spec.issues(response, "POST /signin"))")
                    return String((response.headers[.setCookie] ?? "").split(separator: ";").first ?? "")
                }
                #expect(cookie.hasPrefix("classify_session="))
                let session = String(cookie.dropFirst("classify_session=".count))
                try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .ok)
                    #expect(spec.issues(response, "GET /api/v1/auth/me").isEmpty)
                }
                try await client.execute(uri: "/api/v1/auth/logout", method: .post, headers: [.cookie: cookie]) {
                    response in
                    #expect(response.status == .forbidden)
                    #expect(spec.issues(response, "POST /api/v1/auth/logout").isEmpty)
                }
                try await client.execute(
                    uri: "/api/v1/users/me/settings", method: .patch,
                    headers: [
                        .cookie: cookie, HTTPField.Name("X-CSRF-Token")!: parts.sessions.csrfToken(session: session),
                    ],
                    body: TestApp.json(["blur_threshold": 0.4])
                ) { response in
                    #expect(response.status == .ok)
                    #expect(spec.issues(response, "PATCH /api/v1/users/me/settings").isEmpty)
                }
                for (uri, key) in [("/", "GET /"), ("/signin", "GET /signin")] {
                    try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
                        #expect(spec.issues(response, key).isEmpty, "\(key): \(spec.issues(response, key))")
                    }
                }
                try await client.execute(
                    uri: "/signout", method: .post,
                    headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf_token=wrong")
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(spec.issues(response, "POST /signout").isEmpty)
                }
            }
        }
    }

    @Test func analysedResultMatchesItsSchema() async throws {
        let spec = try Spec.load()
        try await TestApp.with { app, parts in
            let ids = try await PhotosAPITests.add(["motion-cat.jpg"], user: "alice", parts)
            let alice = try await PhotosAPITests.bearer(parts, "alice")
            let id = try #require(ids["motion-cat.jpg"])
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/blur/analyze-batch", method: .post, headers: alice, body: TestApp.json([:])
                ) { #expect($0.status == .accepted) }
                while try await parts.worker.processNext() {}
                for (operation, uri) in [
                    ("GET /api/v1/photos/{id}/result", "/api/v1/photos/\(id)/result"),
                    ("GET /api/v1/photos/{id}", "/api/v1/photos/\(id)"),
                    ("GET /api/v1/stats", "/api/v1/stats"),
                ] {
                    try await client.execute(uri: uri, method: .get, headers: alice) { response in
                        #expect(response.status == .ok, "\(uri) answers \(response.status)")
                        #expect(
                            spec.issues(response, operation).isEmpty,
                            "\(operation): \(spec.issues(response, operation))")
                    }
                }
            }
        }
    }
}

// MARK: - A small reader and checker of the document

/// The OpenAPI document as parsed JSON, with the few look-ups the tests need. Immutable once
/// loaded, so sharing it with the test closures is safe.
struct Spec: @unchecked Sendable {
    struct Operation {
        let path: String
        let method: String
        let body: [String: Any]
        let pathItem: [String: Any]
        var key: String { "\(method.uppercased()) \(path)" }
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let root: [String: Any]

    static func load() throws -> Spec {
        let object = try JSONSerialization.jsonObject(with: Data(DocsController.resource("openapi", "json")))
        return Spec(root: try #require(object as? [String: Any]))
    }

    var operations: [Operation] {
        let paths = root["paths"] as? [String: Any] ?? [:]
        return paths.keys.sorted().flatMap { path -> [Operation] in
            let item = paths[path] as? [String: Any] ?? [:]
            return Self.methods.compactMap { method in
                (item[method] as? [String: Any]).map {
                    Operation(path: path, method: method, body: $0, pathItem: item)
                }
            }
        }
    }

    func operation(_ key: String) -> Operation? { operations.first { $0.key == key } }

    /// Follows a local `$ref` ("#/components/…").
    func resolve(_ value: [String: Any]) -> [String: Any] {
        var value = value
        var hops = 0
        while let ref = value["$ref"] as? String, hops < 10 {
            hops += 1
            var target: Any? = root
            for key in ref.dropFirst(2).split(separator: "/") {
                target = (target as? [String: Any])?[String(key).replacingOccurrences(of: "~1", with: "/")]
            }
            guard let next = target as? [String: Any] else { return [:] }
            value = next
        }
        return value
    }

    func parameters(of operation: Operation) -> [[String: Any]] {
        ((operation.pathItem["parameters"] as? [Any] ?? []) + (operation.body["parameters"] as? [Any] ?? []))
            .compactMap { $0 as? [String: Any] }.map(resolve)
    }

    /// No sign-in needed: `security: []`, or a requirement list with an empty (optional) entry.
    func isPublic(_ operation: Operation) -> Bool {
        let security = (operation.body["security"] ?? root["security"]) as? [[String: Any]] ?? []
        return security.isEmpty || security.contains { $0.isEmpty }
    }

    func danglingReferences() -> [String] {
        var dangling: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let ref = object["$ref"] as? String, resolve(["$ref": ref]).isEmpty { dangling.append(ref) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(root)
        return dangling
    }

    /// What in `response` the document does not say for operation `key`: an undocumented
    /// status, content type, or a JSON body that does not fit the schema.
    func issues(_ response: TestResponse, _ key: String) -> [String] {
        guard let operation = operation(key) else { return ["\(key) is not in the document"] }
        let responses = operation.body["responses"] as? [String: Any] ?? [:]
        let status = String(response.status.code)
        let statusClass = String(status.prefix(1)) + "XX"
        guard let documented = (responses[status] ?? responses[statusClass] ?? responses["default"]) as? [String: Any]
        else { return ["status \(status) is not documented"] }
        let content = resolve(documented)["content"] as? [String: Any] ?? [:]
        guard response.body.readableBytes > 0 else { return [] }
        let mediaType = String(
            (response.headers[.contentType] ?? "").split(separator: ";").first ?? ""
        ).trimmingCharacters(in: .whitespaces).lowercased()
        let match = content.keys.first { documentedType in
            documentedType == mediaType
                || (documentedType.hasSuffix("/*") && mediaType.hasPrefix(String(documentedType.dropLast())))
        }
        guard let match else {
            return ["content type \(mediaType) is not documented for \(status): \(content.keys.sorted())"]
        }
        guard match == "application/json", let schema = (content[match] as? [String: Any])?["schema"] as? [String: Any]
        else { return [] }
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
            return problems(value, schema, at: "$")
        } catch {
            return ["body is not JSON: \(error)"]
        }
    }

    /// JSON Schema, the parts this document uses: $ref, type, const, enum, required,
    /// properties (undeclared properties are drift unless additionalProperties allows them),
    /// additionalProperties, items, minimum, maximum, minItems, maxItems.
    func problems(_ value: JSONValue, _ schema: [String: Any], at path: String) -> [String] {
        let schema = resolve(schema)
        var found: [String] = []
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if !types.isEmpty, !types.contains(where: value.isA) {
            return ["\(path): \(value.typeName), expected \(types.joined(separator: " | "))"]
        }
        if let constant = schema["const"] as? String, value != .string(constant) {
            found.append("\(path): expected \"\(constant)\"")
        }
        if let choices = schema["enum"] as? [String], case .string(let text) = value, !choices.contains(text) {
            found.append("\(path): \"\(text)\" is not one of \(choices)")
        }
        switch value {
        case .number(let number):
            if let minimum = Self.number(schema["minimum"]), number < minimum {
                found.append("\(path): \(number) < \(minimum)")
            }
            if let maximum = Self.number(schema["maximum"]), number > maximum {
                found.append("\(path): \(number) > \(maximum)")
            }
        case .array(let items):
            if let minimum = Self.number(schema["minItems"]), Double(items.count) < minimum {
                found.append("\(path): \(items.count) items < \(minimum)")
            }
            if let maximum = Self.number(schema["maxItems"]), Double(items.count) > maximum {
                found.append("\(path): \(items.count) items > \(maximum)")
            }
            if let itemSchema = schema["items"] as? [String: Any] {
                for (index, item) in items.enumerated() {
                    found += problems(item, itemSchema, at: "\(path)[\(index)]")
                }
            }
        case .object(let members):
            for name in schema["required"] as? [String] ?? [] where members[name] == nil {
                found.append("\(path): missing required \"\(name)\"")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, member) in members {
                if let property = properties[name] as? [String: Any] {
                    found += problems(member, property, at: "\(path).\(name)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += problems(member, additional, at: "\(path).\(name)")
                } else if schema["properties"] != nil, schema["additionalProperties"] as? Bool != true {
                    found.append("\(path): \"\(name)\" is not documented")
                }
            }
        default:
            break
        }
        return found
    }

    static func number(_ any: Any?) -> Double? {
        if let double = any as? Double { return double }
        if let int = any as? Int { return Double(int) }
        return nil
    }
}

/// A JSON value that keeps booleans and numbers apart (JSONSerialization does not on Linux).
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    func isA(_ type: String) -> Bool {
        switch (self, type) {
        case (.number(let number), "integer"): number.rounded() == number
        case (.number, "number"): true
        default: typeName == type
        }
    }
}
