import ClassifyCore
import Crypto
import Foundation
import Synchronization

/// An upload arriving: its bytes go straight to a temporary file in the library's `incoming`
/// folder and through SHA-256 on the way, so a 12 MP photo is written once and hashed once
/// while it is still in the CPU's cache, and no upload is ever held whole in memory.
/// `PhotoLibrary.add(_:filename:userID:)` moves the file under its hash (or deletes it when it
/// is refused); a file dropped before that is deleted by `deinit`.
public final class IncomingPhotoFile: IncomingFile {
    struct State: ~Copyable {
        var descriptor: Int32
        var hasher = SHA256()
        var byteCount = 0
        /// Set by `close()`: the file is complete and its descriptor closed.
        var digest: String? = nil
        /// Set once the file belongs elsewhere (moved or deleted).
        var handedOver = false
    }

    public let path: String
    /// Bytes past this are counted, not written (the file is refused when added).
    public let limit: Int
    private let state: Mutex<State>

    /// Creates the temporary file (mode 0600, a random name that must not exist yet).
    init(directory: URL, limit: Int) throws {
        do {
            try PhotoLibrary.makeDirectory(directory)
        } catch {
            throw PhotosFailure.notStored("cannot create \(directory.lastPathComponent): \(error)", diskFull: false)
        }
        let path = directory.appendingPathComponent("upload-\(UUID().uuidString.lowercased())").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.failure(errno) }
        self.path = path
        self.limit = limit
        state = Mutex(State(descriptor: descriptor))
    }

    deinit {
        state.withLock { state in
            if state.digest == nil { _ = Glibc.close(state.descriptor) }
            if !state.handedOver { unlink(path) }
        }
    }

    public var byteCount: Int { state.withLock { $0.byteCount } }

    public var isOverLimit: Bool { byteCount > limit }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try state.withLock { state throws(PhotosFailure) in
            precondition(state.digest == nil, "write after close")
            let keep = max(0, min(bytes.count, limit - state.byteCount))
            state.byteCount += bytes.count
            guard keep > 0, let base = bytes.baseAddress else { return }
            let kept = UnsafeRawBufferPointer(start: base, count: keep)
            state.hasher.update(bufferPointer: kept)
            try Self.writeAll(kept, to: state.descriptor)
        }
    }

    /// write(2) until every byte is written (a write may take fewer; EINTR is retried).
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(PhotosFailure) {
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            written += result
        }
    }

    /// Ends writing: closes the file and returns the hex SHA-256 of its bytes.
    func close() throws -> String {
        try state.withLock { state throws(PhotosFailure) in
            if let digest = state.digest { return digest }
            let closed = Glibc.close(state.descriptor)
            let digest = Hex.string(state.hasher.finalize())
            state.digest = digest
            guard closed == 0 else { throw Self.failure(errno) }
            return digest
        }
    }

    /// Moves the file to `destination` (replacing a file with the same content there), or
    /// deletes it when `destination` is nil or already holds these bytes.
    func handOver(to destination: String?) throws {
        try state.withLock { state throws(PhotosFailure) in
            precondition(state.digest != nil, "hand over before close")
            guard !state.handedOver else { return }
            state.handedOver = true
            guard let destination, !FileManager.default.fileExists(atPath: destination) else {
                unlink(path)
                return
            }
            guard rename(path, destination) == 0 else {
                let code = errno
                unlink(path)
                throw Self.failure(code)
            }
        }
    }

    static func failure(_ code: Int32) -> PhotosFailure {
        .notStored(String(cString: strerror(code)), diskFull: code == ENOSPC || code == EDQUOT)
    }
}
