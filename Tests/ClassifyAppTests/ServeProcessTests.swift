import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `classify serve` as a real process on a loopback port: it migrates, answers health and
/// readiness over HTTP, and stops cleanly on SIGTERM.
@Suite(.serialized)
struct ServeProcessTests {
    @Test func servesHealthAndStopsOnSigterm() async throws {
        let binary = HostileInputTests.classifyBinary
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let port = 18_000 + Int.random(in: 0..<2000)
        // An upload a crash cut off two hours ago: the store sweeper deletes it once serve is
        // up. A stored file this database never released (its store next to another
        // database, say) is kept.
        let orphan = data.appendingPathComponent("photos/ab/" + String(repeating: "ab", count: 32))
        let unfinished = data.appendingPathComponent("photos/incoming/upload-cut-off")
        for file in [orphan, unfinished] {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data([0xFF, 0xD8, 0xFF]).write(to: file)
        }
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: unfinished.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve"]
        process.environment = ["PORT": String(port), "DATA_DIR": data.path, "HOST": "127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let ready = try await Self.poll("http://127.0.0.1:\(port)/health/ready", seconds: 20)
        #expect(ready.status == 200)
        #expect(ready.body.contains("\"photos_db\":\"ok\"") && ready.body.contains("\"auth_db\":\"ok\""))
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("photos.sqlite").path))
        let swept = Date().addingTimeInterval(10)
        while FileManager.default.fileExists(atPath: unfinished.path), Date() < swept {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!FileManager.default.fileExists(atPath: unfinished.path), "a cut-off upload is still there")
        #expect(FileManager.default.fileExists(atPath: orphan.path), "a file this database never released went")

        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "still running 10 s after SIGTERM")
        #expect(process.terminationStatus == 0)
    }

    @Test func refusesABadSettingByName() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HostileInputTests.classifyBinary)
        process.arguments = ["serve"]
        process.environment = ["PORT": "eighty"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(message.contains("PORT=eighty is not valid"))
    }

    /// Sign-in with a password, token refresh, a page session with its CSRF token, a refused
    /// token, an upload that is not an image: at LOG_LEVEL=trace, no secret reaches the log.
    @Test func noSecretReachesTheLog() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let logURL = data.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let port = 20_000 + Int.random(in: 0..<2000)
        let password = "pw-\(UUID().uuidString)"
        let jwtSecret = "secret-\(UUID().uuidString)-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HostileInputTests.classifyBinary)
        process.arguments = ["serve"]
        process.environment = [
            "PORT": String(port), "DATA_DIR": data.path, "HOST": "127.0.0.1", "LOG_LEVEL": "trace",
            "LOCAL_PASSWORD": password, "JWT_SECRET": jwtSecret, "WORKERS": "1",
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        _ = try await Self.poll("\(base)/health/ready", seconds: 20)

        func curl(_ arguments: [String]) throws -> String {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-s", "-i", "--max-time", "10"] + arguments
            let out = Pipe()
            curl.standardOutput = out
            try curl.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            curl.waitUntilExit()
            return text
        }
        func field(_ name: String, in text: String) -> String {
            guard let range = text.range(of: "\"\(name)\":\"") else { return "" }
            return String(text[range.upperBound...].prefix { $0 != "\"" })
        }
        let json = ["-H", "Content-Type: application/json"]
        let signIn = try curl(
            json + ["-d", #"{"grant_type":"local","password":"\#(password)"}"#, "\(base)/api/v1/auth/token"])
        let access = field("access_token", in: signIn), refresh = field("refresh_token", in: signIn)
        #expect(!access.isEmpty && !refresh.isEmpty)
        _ = try curl(["-H", "Authorization: Bearer \(access)", "\(base)/api/v1/auth/me"])
        _ = try curl(["-H", "Authorization: Bearer \(access)x", "\(base)/api/v1/photos"])
        let rotated = try curl(json + ["-d", #"{"refresh_token":"\#(refresh)"}"#, "\(base)/api/v1/auth/refresh"])
        let newRefresh = field("refresh_token", in: rotated)
        _ = try curl(json + ["-d", #"{"refresh_token":"\#(refresh)"}"#, "\(base)/api/v1/auth/refresh"])
        _ = try curl(
            json + ["-d", #"{"grant_type":"local","password":"wrong-\#(password)"}"#, "\(base)/api/v1/auth/token"])
        let page = try curl(["-d", "password=\(password)", "\(base)/signin"])
        let cookie =
            page.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }
            .map { String($0.dropFirst("set-cookie: ".count).prefix { $0 != ";" }) } ?? ""
        #expect(cookie.hasPrefix("classify_session="))
        let dashboard = try curl(["-H", "Cookie: \(cookie)", "\(base)/?tab=blurred&code=4/secret-code"])
        let csrf =
            dashboard.range(of: #"name="csrf-token" content=""#).map {
                String(dashboard[$0.upperBound...].prefix { $0 != "\"" })
            } ?? ""
        #expect(csrf.count == 64)
        _ = try curl(
            json + [
                "-X", "PATCH", "-H", "Cookie: \(cookie)", "-H", "X-CSRF-Token: \(csrf)", "-d",
                #"{"blur_threshold":0.4}"#, "\(base)/api/v1/users/me/settings",
            ])
        _ = try curl([
            "-H", "Authorization: Bearer \(access)", "-F", "file=@/etc/hostname;filename=a.jpg",
            "\(base)/api/v1/photos/upload",
        ])

        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try log.close()
        let text = try String(contentsOf: logURL, encoding: .utf8)
        #expect(text.contains("/api/v1/auth/token") && text.contains("status=401"), "the log should show requests")
        let sessionValue = String(cookie.dropFirst("classify_session=".count))
        for (name, secret) in [
            ("password", password), ("JWT secret", jwtSecret), ("access token", access), ("refresh token", refresh),
            ("rotated refresh token", newRefresh), ("session cookie", sessionValue), ("CSRF token", csrf),
            ("query-string code", "secret-code"),
        ] where !secret.isEmpty {
            #expect(!text.contains(secret), "the log contains the \(name)")
        }
    }

    /// The page's Import asks for progress (`Accept: application/x-ndjson`): the answer streams
    /// `{"done","total"}` lines, the total first and `done` counting up to it, then the report. A
    /// refused folder still answers its status and JSON error, and plain JSON still works.
    @Test func importStreamsItsProgressLineByLine() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let fixtures = HostileInputTests.repoRoot.appendingPathComponent("Tests/Fixtures/photos").path
        let port = try KillRecoveryTests.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HostileInputTests.classifyBinary)
        process.arguments = ["serve"]
        process.environment = [
            "PORT": String(port), "DATA_DIR": data.path, "HOST": "127.0.0.1", "IMPORT_DIR": fixtures, "WORKERS": "1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        _ = try await Self.poll("\(base)/health/ready", seconds: 20)
        let api = KillRecoveryTests.API(base: base)
        api.token = try await api.signIn()

        func importing(_ path: String, accept: String) async throws -> (status: Int, type: String, body: String) {
            var request = URLRequest(url: URL(string: base + "/api/v1/photos/import")!, timeoutInterval: 60)
            request.httpMethod = "POST"
            request.httpBody = try JSONSerialization.data(withJSONObject: ["path": path])
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue(accept, forHTTPHeaderField: "Accept")
            request.setValue("Bearer \(api.token ?? "")", forHTTPHeaderField: "Authorization")
            let (body, response) = try await URLSession.shared.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            return (
                http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "",
                String(decoding: body, as: UTF8.self)
            )
        }

        let streamed = try await importing(fixtures, accept: "application/x-ndjson")
        #expect(streamed.status == 200 && streamed.type.hasPrefix("application/x-ndjson"), "\(streamed)")
        let lines = streamed.body.split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
        let progress = lines.dropLast().map { ($0["done"] as? Int ?? -1, $0["total"] as? Int ?? -1) }
        let total = try #require(progress.first?.1)
        #expect(total >= 10 && progress.first?.0 == 0, "\(progress)")
        #expect(progress.map(\.0) == Array(0...total) && progress.allSatisfy { $0.1 == total }, "\(progress)")
        let report = try #require(lines.last?["report"] as? [String: Any], "no report line: \(streamed.body)")
        let imported = report["imported"] as? Int ?? 0, refused = (report["errors"] as? [Any])?.count ?? 0
        #expect(imported >= 10 && imported + refused == total, "\(report)")

        let again = try await importing(fixtures, accept: "application/json")
        #expect(again.status == 200 && again.type.hasPrefix("application/json"), "\(again)")
        #expect(again.body.contains("\"existing\":\(imported)") && again.body.contains("\"imported\":0"), "\(again)")

        let outside = try await importing("/etc", accept: "application/x-ndjson")
        #expect(outside.status == 403 && outside.body.contains("outside_import_dir"), "\(outside)")
        let missing = try await importing(fixtures + "/nothing-here", accept: "application/x-ndjson")
        #expect(missing.status == 404 && missing.body.contains("not_found"), "\(missing)")
    }

    static func poll(_ url: String, seconds: Double) async throws -> (status: Int, body: String) {
        let deadline = Date().addingTimeInterval(seconds)
        var lastError: (any Error)?
        while Date() < deadline {
            do {
                let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw lastError ?? URLError(.timedOut)
    }
}
