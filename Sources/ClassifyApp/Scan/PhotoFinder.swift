#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Expands the paths given to `classify scan` into the photos to analyse.
///
/// A file named on the command line is always analysed (its content decides whether it is an
/// image). Inside folders, only files with a photo extension are taken, hidden entries are
/// skipped, and each directory is entered once (symlink loops end there).
public struct PhotoFinder: Sendable {
    public static let photoExtensions: Set<String> = [
        "jpg", "jpeg", "jpe", "jfif", "png", "webp", "heic", "heif", "avif", "tif", "tiff", "gif",
    ]

    public enum Entry: Sendable, Equatable {
        case photo(ScanPath)
        case problem(ScanPath, String)
    }

    public init() {}

    public func entries(for arguments: [ScanPath]) -> [Entry] {
        var found: [Entry] = []
        var visited = Set<DirectoryIdentity>()
        for path in arguments {
            var info = stat()
            guard path.withCString({ stat($0, &info) }) == 0 else {
                found.append(.problem(path, describeErrno(errno)))
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                walk(path, info: info, visited: &visited, into: &found)
            } else {
                found.append(.photo(path))
            }
        }
        return found
    }

    struct DirectoryIdentity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private func walk(
        _ directory: ScanPath, info: stat, visited: inout Set<DirectoryIdentity>, into found: inout [Entry]
    ) {
        let identity = DirectoryIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        guard visited.insert(identity).inserted else { return }
        guard let handle = directory.withCString({ opendir($0) }) else {
            found.append(.problem(directory, "cannot open folder: \(describeErrno(errno))"))
            return
        }
        var names: [[UInt8]] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name.first == UInt8(ascii: ".") { continue }  // ".", ".." and hidden files
            names.append(name)
        }
        closedir(handle)
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let child = directory.appending(name)
            var childInfo = stat()
            guard child.withCString({ stat($0, &childInfo) }) == 0 else {
                // A dangling symlink or a loop the kernel refused (ELOOP): say so only for
                // names that look like photos.
                if Self.photoExtensions.contains(child.fileExtension) {
                    found.append(.problem(child, describeErrno(errno)))
                }
                continue
            }
            if (childInfo.st_mode & S_IFMT) == S_IFDIR {
                walk(child, info: childInfo, visited: &visited, into: &found)
            } else if Self.photoExtensions.contains(child.fileExtension) {
                found.append(.photo(child))
            }
        }
    }
}
