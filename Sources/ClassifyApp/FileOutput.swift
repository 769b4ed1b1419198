#if canImport(Glibc)
    import Glibc
#endif

/// Plain writes to the standard streams and files, for the command-line entry points.
/// Writes go straight to the descriptors: each line leaves whole, in order, unbuffered.
public enum FileOutput {
    public static func standardOutput(_ line: String) { writeAll(STDOUT_FILENO, Array((line + "\n").utf8)) }

    public static func standardError(_ line: String) { writeAll(STDERR_FILENO, Array((line + "\n").utf8)) }

    /// Writes `text` to stderr as is (progress bars redraw with "\r").
    public static func standardErrorRaw(_ text: String) { writeAll(STDERR_FILENO, Array(text.utf8)) }

    public static func exit(_ code: Int32) -> Never { Glibc.exit(code) }

    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ path: String, _ bytes: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(description: describeErrno(errno)) }
        defer { close(descriptor) }
        guard writeAll(descriptor, bytes) else { throw WriteError(description: describeErrno(errno)) }
    }

    /// Creates `path` and any missing parents (like `mkdir -p`).
    public static func makeDirectory(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw WriteError(description: "cannot create \(current): \(describeErrno(errno))")
            }
        }
    }

    @discardableResult
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return false  // e.g. EPIPE when the reader went away
            }
            offset += count
        }
        return true
    }
}
