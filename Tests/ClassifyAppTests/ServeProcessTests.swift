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
