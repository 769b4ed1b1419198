import ImageDecoding

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a photo file into memory, refusing before reading anything that is not a regular
/// file or is larger than the limit (a 1 GB sparse file is refused from its size alone).
struct PhotoFileReader: Sendable {
    var maxBytes: Int

    func read(_ path: ScanPath) throws(ImageDecodingError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO named like a photo must not wait for a writer; it is
        // then refused by the regular-file check below.
        let descriptor = path.withCString { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard descriptor >= 0 else { throw .unreadable(path: path.display, reason: describeErrno(errno)) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .unreadable(path: path.display, reason: describeErrno(errno))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            if (info.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(path: path.display, reason: "is a directory") }
            throw .notAFile(path: path.display)
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw .fileTooLarge(bytes: size, limitBytes: maxBytes) }
        guard size > 0 else { throw .empty }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, size - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path.display, reason: describeErrno(errno))
            }
            if count == 0 { break }  // file shrank while we read it
            filled += count
        }
        if filled < size { bytes.removeLast(size - filled) }
        guard !bytes.isEmpty else { throw .empty }
        return bytes
    }
}
