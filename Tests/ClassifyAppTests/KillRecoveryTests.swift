import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The durable queue survives a crash: `classify serve` (the real binary) is SIGKILLed in the
/// middle of a 200-photo batch and started again on the same DATA_DIR; every photo must end
/// analysed exactly once in the results and the statistics, with nothing lost or failed.
///
/// JOB_LEASE_SECONDS=2, so the leases the killed workers held expire soon after the restart
/// and the new workers take those photos again. If leases were never reclaimed the job would
/// never reach 200 and the test fails at its deadline.
@Suite(.serialized)
struct KillRecoveryTests {
    static let photoCount = 200
    /// Kill once this many are done (and fewer than all).
    static let killAfterDone = 20
    static let recoverySeconds = 120.0

    @Test(.timeLimit(.minutes(8)))
    func sigkillMidBatchThenRestartAnalysesEveryPhotoExactlyOnce() async throws {
        let binary = HostileInputTests.classifyBinary
        try #require(
            access(binary, X_OK) == 0, "no classify binary at \(binary) (run `swift build` or set CLASSIFY_BIN)")
        let work = try TemporaryDirectory()
        defer { work.remove() }
        let dataDir = work.path + "/data"
        let (photosDir, files) = try Self.makePhotos(Self.photoCount, in: work)

        let port = try Self.freePort()
        let environment = [
            "DATA_DIR": dataDir, "HOST": "127.0.0.1", "PORT": String(port), "WORKERS": "2",
            "JOB_LEASE_SECONDS": "2",
        ]
        let api = API(base: "http://127.0.0.1:\(port)")

        // First run: upload, queue, kill mid-batch.
        let first = try await api.start(binary, environment: environment, log: work.path + "/serve-1.log")
        defer { first.stop() }

        let (uploaded, refused) = try await api.uploadAll(files, from: photosDir)
        try #require(refused.isEmpty, "refused: \(refused)")
        try #require(Set(uploaded).count == Self.photoCount, "\(Set(uploaded).count) distinct photos after upload")

        let (batchStatus, batchBody) = try await api.send("POST", "/api/v1/blur/analyze-batch", json: "{}")
        try #require(batchStatus == 202, "analyze-batch answered \(batchStatus)")
        let batch = try JSONDecoder().decode(BatchResponse.self, from: batchBody)
        try #require(batch.total == Self.photoCount)

        var atKill = try await api.job(batch.job_id)
        let killDeadline = Date().addingTimeInterval(Self.recoverySeconds)
        while atKill.done < Self.killAfterDone && atKill.done + atKill.failed < Self.photoCount && Date() < killDeadline
        {
            try await Task.sleep(for: .milliseconds(10))
            atKill = try await api.job(batch.job_id)
        }
        first.kill9()
        try #require(
            atKill.done > 0 && atKill.done + atKill.failed < Self.photoCount,
            "not killed mid-batch: done \(atKill.done), failed \(atKill.failed) of \(Self.photoCount)")
        try #require(first.waitForExit(seconds: 10), "still running 10 s after SIGKILL")
        #expect(first.process.terminationReason == .uncaughtSignal && first.process.terminationStatus == SIGKILL)

        // What the dead process left in the queue (the database itself, when sqlite3 exists).
        let database = dataDir + "/photos.sqlite"
        let sqlite = SQLite(path: database, directory: work.path)
        let leftStates = try sqlite?.query("SELECT state, COUNT(*) FROM job_items GROUP BY state ORDER BY state")
        let leasedAtKill =
            try sqlite?.query("SELECT photo_id FROM job_items WHERE state = 'leased' ORDER BY photo_id")
            .split(separator: "\n").map(String.init) ?? []
        print(
            "kill-recovery: SIGKILL with done \(atKill.done)/\(Self.photoCount) by the last poll; queue left: "
                + (leftStates?.replacingOccurrences(of: "\n", with: ", ") ?? "(no sqlite3 CLI)"))

        // Second run on the same DATA_DIR: the job must finish by itself.
        let second = try await api.start(binary, environment: environment, log: work.path + "/serve-2.log")
        defer { second.stop() }
        var final = try await api.job(batch.job_id)
        let recoveryDeadline = Date().addingTimeInterval(Self.recoverySeconds)
        while final.status != "done" && final.status != "failed" && Date() < recoveryDeadline && second.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            final = try await api.job(batch.job_id)
        }
        try #require(
            final.status == "done" && final.done == Self.photoCount && final.failed == 0,
            """
            after restart: status \(final.status), done \(final.done), failed \(final.failed) of \(Self.photoCount) \
            (errors \(final.errors.prefix(3))); server log: \(second.logTail())
            """)
        #expect(final.errors.isEmpty)

        // Statistics count each photo once.
        let (statsStatus, statsBody) = try await api.send("GET", "/api/v1/stats")
        try #require(statsStatus == 200)
        let stats = try JSONDecoder().decode(Stats.self, from: statsBody)
        #expect(stats.total == Self.photoCount)
        #expect(stats.unprocessed == 0)
        #expect(stats.blurred + stats.not_blurred == Self.photoCount)
        #expect(stats.histogram.reduce(0, +) == Self.photoCount)

        let (unprocessedStatus, unprocessedBody) = try await api.send("GET", "/api/v1/photos?filter=unprocessed")
        try #require(unprocessedStatus == 200)
        #expect(try JSONDecoder().decode(PhotoPage.self, from: unprocessedBody).photos.isEmpty)

        // The gallery lists each uploaded photo once, each with a score.
        var listed: [PhotoJSON] = []
        var cursor: String? = nil
        for _ in 0..<10 {
            var path = "/api/v1/photos?filter=all&limit=200"
            if let cursor {
                path += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? cursor)
            }
            let (status, body) = try await api.send("GET", path)
            try #require(status == 200, "listing answered \(status)")
            let page = try JSONDecoder().decode(PhotoPage.self, from: body)
            listed += page.photos
            cursor = page.next_cursor
            if cursor == nil { break }
        }
        #expect(cursor == nil, "more than 10 pages")
        #expect(listed.count == Self.photoCount)
        #expect(Set(listed.map(\.id)) == Set(uploaded))
        #expect(listed.allSatisfy { $0.blur_score != nil }, "photos without a score")

        // The database agrees: one row per photo, one result each, one job, every item done;
        // attempts show that only the photos the killed workers held were analysed twice.
        if let sqlite {
            #expect(
                try sqlite.query("SELECT COUNT(*), COUNT(DISTINCT content_hash), COUNT(blur_score) FROM photos")
                    == "\(Self.photoCount)|\(Self.photoCount)|\(Self.photoCount)")
            #expect(try sqlite.query("SELECT COUNT(*) FROM jobs") == "1")
            #expect(
                try sqlite.query("SELECT state, COUNT(*) FROM job_items GROUP BY state") == "done|\(Self.photoCount)")
            if !leasedAtKill.isEmpty {
                let list = leasedAtKill.map { "'\($0)'" }.joined(separator: ",")
                #expect(
                    try sqlite.query("SELECT DISTINCT attempts FROM job_items WHERE photo_id IN (\(list))") == "2",
                    "the photos leased at the kill were taken again once")
            }
            let attempts = Int(try sqlite.query("SELECT SUM(attempts) FROM job_items")) ?? -1
            #expect(
                attempts == Self.photoCount + leasedAtKill.count,
                """
                \(attempts) attempts for \(Self.photoCount) photos with \(leasedAtKill.count) leased at the kill: \
                work was repeated (a lease expired during an analysis?): \
                \((try? sqlite.query("SELECT photo_id, attempts FROM job_items WHERE attempts > 1")) ?? "")
                """)
            let slowest = (try? sqlite.query("SELECT MAX(processing_time_ms) FROM photos")) ?? "?"
            print(
                "kill-recovery: \(leasedAtKill.count) photo(s) leased at the kill were reclaimed; \(attempts) attempts "
                    + "in all; slowest analysis \(slowest) ms")
        }

        second.terminate()
        #expect(second.waitForExit(seconds: 15), "still running 15 s after SIGTERM")
    }

    /// SIGTERM in the middle of a batch: the workers finish and record the photos they are
    /// analysing and hand back what they hold, including an item claimed ahead of the next
    /// analysis. The lease is 10 minutes, so an item not handed back would stall the restarted
    /// server past the deadline; and no photo is analysed twice.
    @Test(.timeLimit(.minutes(4)))
    func sigtermMidBatchHandsBackEveryLeaseAndAnalysesNothingTwice() async throws {
        let binary = HostileInputTests.classifyBinary
        try #require(access(binary, X_OK) == 0, "no classify binary at \(binary)")
        let work = try TemporaryDirectory()
        defer { work.remove() }
        let dataDir = work.path + "/data"
        let count = 40
        let (photosDir, files) = try Self.makePhotos(count, in: work)

        let port = try Self.freePort()
        let environment = [
            "DATA_DIR": dataDir, "HOST": "127.0.0.1", "PORT": String(port), "WORKERS": "2",
            "JOB_LEASE_SECONDS": "600",
        ]
        let api = API(base: "http://127.0.0.1:\(port)")
        let first = try await api.start(binary, environment: environment, log: work.path + "/serve-1.log")
        defer { first.stop() }
        _ = try await api.uploadAll(files, from: photosDir)
        let (batchStatus, batchBody) = try await api.send("POST", "/api/v1/blur/analyze-batch", json: "{}")
        try #require(batchStatus == 202, "analyze-batch answered \(batchStatus)")
        let batch = try JSONDecoder().decode(BatchResponse.self, from: batchBody)
        try #require(batch.total == count)

        var atStop = try await api.job(batch.job_id)
        let deadline = Date().addingTimeInterval(60)
        while atStop.done < 4 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
            atStop = try await api.job(batch.job_id)
        }
        first.terminate()
        try #require(first.waitForExit(seconds: 15), "still running 15 s after SIGTERM")
        try #require(atStop.done < count, "not stopped mid-batch: \(atStop.done) done")
        #expect(first.process.terminationReason == .exit && first.process.terminationStatus == 0)
        let sqlite = SQLite(path: dataDir + "/photos.sqlite", directory: work.path)
        if let sqlite {
            #expect(try sqlite.query("SELECT COUNT(*) FROM job_items WHERE state = 'leased'") == "0", "leases kept")
        }

        let second = try await api.start(binary, environment: environment, log: work.path + "/serve-2.log")
        defer { second.stop() }
        var final = try await api.job(batch.job_id)
        let finish = Date().addingTimeInterval(90)
        while final.status != "done" && final.status != "failed" && Date() < finish {
            try await Task.sleep(for: .milliseconds(50))
            final = try await api.job(batch.job_id)
        }
        #expect(final.status == "done" && final.done == count && final.failed == 0, "\(final)")
        if let sqlite {
            #expect(
                try sqlite.query(
                    "SELECT SUM(attempts), COUNT(blur_score) FROM job_items JOIN photos ON photos.id = job_items.photo_id"
                ) == "\(count)|\(count)", "a photo analysed twice, or not at all")
        }
        second.terminate()
        #expect(second.waitForExit(seconds: 15), "still running 15 s after SIGTERM")
    }

    /// `count` distinct JPEGs, 1600-2400 px on the long side, made from the fixture photos in
    /// `work`/photos: the folder and the file names, sorted. One process (--jobs 1): once in CI
    /// the multiprocessing pool hung with no output while the other suites ran, and ~12 s for
    /// 200 in one process is fast enough.
    static func makePhotos(_ count: Int, in work: TemporaryDirectory) throws -> (folder: String, names: [String]) {
        let folder = work.path + "/photos"
        let generator = try Subprocess.run(
            "python3",
            [HostileInputTests.repoRoot.path + "/scripts/make-distinct-photos.py", folder, "\(count)", "--jobs", "1"]
                .map { Array($0.utf8) },
            outputDirectory: work.path, timeoutSeconds: 300)
        try #require(generator.exitCode == 0, "photo generator failed: \(generator.describe())")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg") }
            .sorted()
        try #require(names.count == count)
        return (folder, names)
    }

    /// A port nobody listens on now, below Linux's ephemeral range (32768-60999): a port the
    /// kernel handed out for port 0 could be handed out again to the next bind to port 0 (a
    /// fake server, a client socket) before `classify serve` binds it, which once failed a
    /// CI run with "Address already in use".
    static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_000)
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socketFD >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(socketFD) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 }
            }
            if bound { return port }
        }
        throw POSIXError(.EADDRINUSE)
    }

    struct PhotoJSON: Decodable {
        let id: String
        let blur_score: Double?
    }

    struct PhotoPage: Decodable {
        let photos: [PhotoJSON]
        let next_cursor: String?
    }

    struct UploadResponse: Decodable {
        struct Refused: Decodable {
            let filename: String
            let error: String
        }
        let photos: [PhotoJSON]
        let errors: [Refused]
    }

    struct BatchResponse: Decodable {
        let job_id: String
        let total: Int
    }

    struct Job: Decodable {
        struct Failure: Decodable {
            let photo_id: String
            let error: String
        }
        let status: String
        let total: Int
        let done: Int
        let failed: Int
        let errors: [Failure]
    }

    struct Stats: Decodable {
        let total: Int
        let blurred: Int
        let not_blurred: Int
        let unprocessed: Int
        let histogram: [Int]
    }

    struct TokenResponse: Decodable {
        let access_token: String
    }

    /// The API over loopback HTTP with a bearer token; every request has a 30 s timeout.
    final class API: @unchecked Sendable {
        let base: String
        var token: String?

        init(base: String) {
            self.base = base
        }

        func send(
            _ method: String, _ path: String, json: String? = nil, body: Data? = nil, contentType: String? = nil
        ) async throws -> (status: Int, body: Data) {
            var request = URLRequest(url: URL(string: base + path)!, timeoutInterval: 30)
            request.httpMethod = method
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            if let json {
                request.httpBody = Data(json.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            } else if let body {
                request.httpBody = body
                request.setValue(contentType, forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        }

        /// Starts `classify serve`, waits until it is ready and signs in; the caller stops it.
        func start(_ binary: String, environment: [String: String], log: String) async throws -> ServerProcess {
            let server = try ServerProcess(binary: binary, environment: environment, log: log)
            do {
                try await waitReady(seconds: 60, server: server)
                token = try await signIn()
            } catch {
                server.stop()
                throw error
            }
            return server
        }

        func waitReady(seconds: Double, server: ServerProcess) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                try #require(server.isRunning, "classify serve exited: \(server.logTail())")
                if let response = try? await send("GET", "/health/ready"), response.status == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("not ready after \(seconds) s: \(server.logTail())")
            throw URLError(.timedOut)
        }

        func signIn() async throws -> String {
            token = nil
            let (status, body) = try await send("POST", "/api/v1/auth/token", json: #"{"grant_type":"local"}"#)
            try #require(status == 200, "sign-in answered \(status): \(String(decoding: body, as: UTF8.self))")
            return try JSONDecoder().decode(TokenResponse.self, from: body).access_token
        }

        /// Uploads `names` from `folder`, 10 a request, each answered 201: the photos' ids and
        /// the files refused.
        func uploadAll(_ names: [String], from folder: String) async throws -> (
            ids: [String], refused: [UploadResponse.Refused]
        ) {
            var ids: [String] = [], refused: [UploadResponse.Refused] = []
            for chunk in stride(from: 0, to: names.count, by: 10) {
                let parts = try names[chunk..<min(chunk + 10, names.count)].map {
                    ($0, try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)))
                }
                let (status, body) = try await upload(parts)
                try #require(status == 201, "upload answered \(status): \(String(decoding: body, as: UTF8.self))")
                let response = try JSONDecoder().decode(UploadResponse.self, from: body)
                ids += response.photos.map(\.id)
                refused += response.errors
            }
            return (ids, refused)
        }

        func upload(_ files: [(name: String, bytes: Data)]) async throws -> (status: Int, body: Data) {
            let boundary = "classify-\(UUID().uuidString)"
            var body = Data()
            for file in files {
                body.append(Data("--\(boundary)\r\n".utf8))
                body.append(
                    Data(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: image/jpeg\r\n\r\n"
                            .utf8))
                body.append(file.bytes)
                body.append(Data("\r\n".utf8))
            }
            body.append(Data("--\(boundary)--\r\n".utf8))
            return try await send(
                "POST", "/api/v1/photos/upload", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        }

        func job(_ id: String) async throws -> Job {
            let (status, body) = try await send("GET", "/api/v1/blur/jobs/\(id)")
            try #require(status == 200, "job status answered \(status): \(String(decoding: body, as: UTF8.self))")
            return try JSONDecoder().decode(Job.self, from: body)
        }
    }

    /// `classify serve` as a child process, its output in a log file. `stop()` (SIGKILL if
    /// still running) is safe to call any number of times, so a `defer` always ends it.
    final class ServerProcess {
        let process = Process()
        let logPath: String

        init(binary: String, environment: [String: String], log: String) throws {
            logPath = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve"]
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            try? handle.close()
        }

        var isRunning: Bool { process.isRunning }

        func kill9() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        func terminate() {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        }

        /// Polls for the exit; true when it exited within `seconds`.
        func waitForExit(seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            return !process.isRunning
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            _ = waitForExit(seconds: 10)
        }

        func logTail() -> String {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: logPath))) ?? Data()
            return String(decoding: data.suffix(3000), as: UTF8.self)
        }
    }

    /// The `sqlite3` command-line shell on one database file; nil when it is not installed.
    struct SQLite {
        let path: String
        let directory: String
        let shell: String

        init?(path: String, directory: String) {
            let candidates: [String] = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"]
            guard let shell = candidates.first(where: { access($0, X_OK) == 0 }) else { return nil }
            self.path = path
            self.directory = directory
            self.shell = shell
        }

        /// Rows separated by newlines, columns by `|`, trimmed.
        func query(_ sql: String) throws -> String {
            let result = try Subprocess.run(
                shell, ["-bail", "-cmd", ".timeout 5000", path, sql].map { Array($0.utf8) },
                outputDirectory: directory, timeoutSeconds: 30)
            guard result.exitCode == 0 else {
                throw SQLiteFailure(message: "sqlite3 \(sql): \(result.describe())")
            }
            return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    struct SQLiteFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
