import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the built `classify` binary over a corpus of hostile and unusual files
/// (`scripts/make-bad-corpus.py`) and checks that every file gets exactly one sensible line,
/// nothing crashes or hangs, and memory stays bounded.
///
/// The binary is `$CLASSIFY_BIN` when set, else the `classify` in the products folder of the
/// current build (`swift test` builds it), else `.build/debug/classify`.
@Suite(.serialized)
struct HostileInputTests {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ClassifyAppTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `$CLASSIFY_BIN`, else the `classify` built next to this test executable (the same
    /// products folder, so `swift test -c release` tests the release binary), else
    /// `.build/debug/classify`.
    static var classifyBinary: String {
        if let path = ProcessInfo.processInfo.environment["CLASSIFY_BIN"], !path.isEmpty { return path }
        if let testExecutable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let sibling = URL(fileURLWithPath: testExecutable).deletingLastPathComponent()
                .appendingPathComponent("classify").path
            if access(sibling, X_OK) == 0 { return sibling }
        }
        return repoRoot.appendingPathComponent(".build/debug/classify").path
    }

    static let timeoutSeconds = 120.0
    static let rssLimitKB = 400 * 1024

    @Test func hostileCorpus() throws {
        let binary = Self.classifyBinary
        try #require(
            access(binary, X_OK) == 0, "no classify binary at \(binary) (run `swift build` or set CLASSIFY_BIN)")
        let work = try TemporaryDirectory()
        defer { work.remove() }
        let corpus = work.path + "/corpus"

        let generator = try Subprocess.run(
            "python3", [Array((Self.repoRoot.path + "/scripts/make-bad-corpus.py").utf8), Array(corpus.utf8)],
            outputDirectory: work.path, timeoutSeconds: 120)
        try #require(generator.exitCode == 0, "corpus generator failed: \(generator.describe())")

        let manifestData = try Data(contentsOf: URL(fileURLWithPath: corpus + "/expected.json"))
        let manifest = try JSONDecoder().decode(Manifest.self, from: manifestData)
        #expect(manifest.entries.count >= 25)

        // Arguments: the corpus folder itself, then the files named explicitly (raw bytes:
        // one is not UTF-8).
        var arguments: [[UInt8]] = ["scan", "--format", "json", "--jobs", "2"].map { Array($0.utf8) }
        for hex in manifest.scanArgsHex {
            let relative = try #require(Self.bytes(fromHex: hex))
            arguments.append(relative == Array(".".utf8) ? Array(corpus.utf8) : Array((corpus + "/").utf8) + relative)
        }
        let run = try Subprocess.run(binary, arguments, outputDirectory: work.path, timeoutSeconds: Self.timeoutSeconds)

        #expect(!run.timedOut, "classify scan did not finish within \(Int(Self.timeoutSeconds)) s (killed)")
        #expect(run.signal == nil || run.timedOut, "\(binary) crashed: \(run.describe())")
        #expect(run.exitCode == 1, "some files cannot be analysed, so the exit status should be 1: \(run.describe())")
        #expect(
            run.maxRSSKB < Self.rssLimitKB,
            "peak RSS \(run.maxRSSKB / 1024) MB, limit \(Self.rssLimitKB / 1024) MB (progressive-100mp-*.jpg decoded at once?)"
        )

        // One JSON object per line, one line per expected entry.
        var lines: [String: [String: Any]] = [:]
        for line in String(decoding: run.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let path = object["path"] as? String
            else {
                Issue.record("not a JSON object with a path: \(line)")
                continue
            }
            #expect(lines[path] == nil, "\(path) reported twice")
            lines[path] = object
        }
        let expectedPaths = Set(manifest.entries.map { corpus + "/" + $0.path })
        for path in lines.keys where !expectedPaths.contains(path) {
            let skipped = manifest.skipped.contains { corpus + "/" + $0 == path }
            Issue.record(
                skipped ? "\(path) should have been skipped (hidden or not a photo)" : "unexpected line for \(path)")
        }

        for entry in manifest.entries {
            let path = corpus + "/" + entry.path
            guard let line = lines[path] else {
                Issue.record("no line for \(entry.path)\(entry.note.map { " (\($0))" } ?? "")")
                continue
            }
            let error = line["error"] as? String
            if entry.expect == "any" && error != nil { continue }  // a refusal is fine here
            if entry.expect == "error" {
                let wanted = entry.error ?? ""
                if let error {
                    #expect(
                        error.contains(wanted),
                        "\(entry.path): expected an error containing \"\(wanted)\", got \"\(error)\"")
                } else {
                    Issue.record("\(entry.path): expected an error containing \"\(wanted)\", got a score: \(line)")
                }
                continue
            }
            if let error {
                Issue.record(
                    "\(entry.path)\(entry.note.map { " (\($0))" } ?? ""): expected a score, got error \"\(error)\"")
                continue
            }
            let score = (line["blur_score"] as? NSNumber)?.doubleValue
            #expect(
                score.map { (0...1).contains($0) } == true,
                "\(entry.path): blur_score \(String(describing: line["blur_score"])) not in [0, 1]")
            #expect(line["is_blurred"] is Bool, "\(entry.path): is_blurred missing")
            #expect(line["blur_type"] is String, "\(entry.path): blur_type missing")
            #expect(line["processing_time_ms"] is NSNumber, "\(entry.path): processing_time_ms missing")
        }
    }

    /// A named pipe called `*.jpg` in a folder: opening it for reading would block until
    /// some writer appears, so it must be refused without waiting.
    @Test func namedPipeIsRefusedNotWaitedOn() throws {
        let binary = Self.classifyBinary
        try #require(
            access(binary, X_OK) == 0, "no classify binary at \(binary) (run `swift build` or set CLASSIFY_BIN)")
        let work = try TemporaryDirectory()
        defer { work.remove() }
        try #require(mkdir(work.path + "/pipes", 0o755) == 0)
        try #require(mkfifo(work.path + "/pipes/fifo.jpg", 0o644) == 0)
        let run = try Subprocess.run(
            binary, ["scan", "--format", "json", "--jobs", "1", work.path + "/pipes"].map { Array($0.utf8) },
            outputDirectory: work.path, timeoutSeconds: 20)
        #expect(!run.timedOut, "classify scan blocked opening a FIFO (killed after 20 s)")
        #expect(run.exitCode == 1, "\(run.describe())")
        let output = String(decoding: run.stdout, as: UTF8.self)
        #expect(output.contains("fifo.jpg") && output.contains("not a regular file"), "got: \(output)")
    }

    @Test func scanWithoutPathsIsAUsageError() throws {
        let binary = Self.classifyBinary
        try #require(
            access(binary, X_OK) == 0, "no classify binary at \(binary) (run `swift build` or set CLASSIFY_BIN)")
        let work = try TemporaryDirectory()
        defer { work.remove() }
        let run = try Subprocess.run(binary, [Array("scan".utf8)], outputDirectory: work.path, timeoutSeconds: 30)
        #expect(run.exitCode == 2, "\(run.describe())")
    }

    @Test func thresholdOutOfRangeIsAUsageError() throws {
        let binary = Self.classifyBinary
        try #require(
            access(binary, X_OK) == 0, "no classify binary at \(binary) (run `swift build` or set CLASSIFY_BIN)")
        let work = try TemporaryDirectory()
        defer { work.remove() }
        let run = try Subprocess.run(
            binary, ["scan", "--threshold", "2", work.path].map { Array($0.utf8) },
            outputDirectory: work.path, timeoutSeconds: 30)
        #expect(run.exitCode == 2, "\(run.describe())")
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                return nil
            }
            out.append(byte)
        }
        return out
    }
}

/// `expected.json` written by `scripts/make-bad-corpus.py`.
struct Manifest: Decodable {
    struct Entry: Decodable {
        let path: String
        let expect: String
        let error: String?
        let note: String?
    }
    let entries: [Entry]
    let skipped: [String]
    let scanArgsHex: [String]

    enum CodingKeys: String, CodingKey {
        case entries, skipped
        case scanArgsHex = "scan_args_hex"
    }
}

/// A fresh directory under the system's temporary folder.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/classify-hostile-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: made)
    }

    /// `rm -rf`: the corpus holds names that are not UTF-8 and files with mode 000.
    func remove() {
        _ = try? Subprocess.run("rm", [Array("-rf".utf8), Array(path.utf8)], outputDirectory: nil, timeoutSeconds: 60)
    }
}

/// posix_spawn with raw byte arguments (Foundation's Process only takes UTF-8 strings),
/// a deadline, and the child's own resource usage from wait4.
struct Subprocess {
    var exitCode: Int32?
    var signal: Int32?
    var timedOut = false
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    /// Peak resident set size of the child, in KB (ru_maxrss).
    var maxRSSKB = 0

    func describe() -> String {
        let status = signal.map { "killed by signal \($0)" } ?? "exit \(exitCode.map(String.init) ?? "?")"
        let errorText = String(decoding: stderr.suffix(4000), as: UTF8.self)
        return "\(status)\(timedOut ? " (timed out)" : ""); stderr: \(errorText)"
    }

    /// Runs `executable` (searched in PATH when it has no slash). Output goes through files
    /// in `outputDirectory` (or is discarded), so a chatty child never blocks on a pipe.
    static func run(
        _ executable: String, _ arguments: [[UInt8]], outputDirectory: String?, timeoutSeconds: Double
    ) throws -> Subprocess {
        let stamp = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let outPath = outputDirectory.map { "\($0)/stdout-\(stamp)" } ?? "/dev/null"
        let errPath = outputDirectory.map { "\($0)/stderr-\(stamp)" } ?? "/dev/null"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argvBytes = [Array(executable.utf8)] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] =
            argvBytes.map { bytes in
                let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                for (index, byte) in bytes.enumerated() { pointer[index] = CChar(bitPattern: byte) }
                pointer[bytes.count] = 0
                return pointer
            } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment.map {
                strdup("\($0.key)=\($0.value)")
            } + [nil]
        defer {
            argv.forEach { $0?.deallocate() }
            envp.forEach { free($0) }
        }

        var pid: pid_t = 0
        let spawned = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envBuffer in
                executable.contains("/")
                    ? posix_spawn(&pid, executable, &actions, nil, argvBuffer.baseAddress!, envBuffer.baseAddress!)
                    : posix_spawnp(&pid, executable, &actions, nil, argvBuffer.baseAddress!, envBuffer.baseAddress!)
            }
        }
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }

        var result = Subprocess()
        var status: Int32 = 0
        var usage = rusage()
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while true {
            let waited = wait4(pid, &status, WNOHANG, &usage)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
            if ContinuousClock.now > deadline, !result.timedOut {
                result.timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(20_000)
        }
        // Wait status by hand: the W* macros are not imported into Swift.
        if status & 0x7F == 0 {
            result.exitCode = (status >> 8) & 0xFF
        } else {
            result.signal = status & 0x7F
        }
        result.maxRSSKB = Int(usage.ru_maxrss)
        if outputDirectory != nil {
            result.stdout = (try? Array(Data(contentsOf: URL(fileURLWithPath: outPath)))) ?? []
            result.stderr = (try? Array(Data(contentsOf: URL(fileURLWithPath: errPath)))) ?? []
            unlink(outPath)
            unlink(errPath)
        }
        return result
    }
}
