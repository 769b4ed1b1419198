import Foundation
import Testing

@testable import ClassifyApp

@Suite struct PhotoFinderTests {
    @Test func walksFoldersOnceAndSkipsWhatIsNotAPhoto() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("finder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        for name in ["one.jpg", "a/two.PNG", "a/b/three.webp", "notes.txt", ".hidden.jpg"] {
            try Data([1]).write(to: root.appendingPathComponent(name))
        }
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("a/b/loop").path, withDestinationPath: "..")
        let entries = PhotoFinder().entries(for: [ScanPath(root.path)])
        let found = entries.compactMap { entry -> String? in
            if case let .photo(path) = entry { return String(path.display.dropFirst(root.path.count + 1)) }
            return nil
        }
        #expect(found.sorted() == ["a/b/three.webp", "a/two.PNG", "one.jpg"])
    }

    @Test func aMissingPathIsAProblemNotACrash() {
        let entries = PhotoFinder().entries(for: [ScanPath("/nonexistent/photo.jpg")])
        #expect(entries == [.problem(ScanPath("/nonexistent/photo.jpg"), "no such file or directory")])
    }

    @Test func explicitFilesAreTakenWhateverTheirName() {
        let entries = PhotoFinder().entries(for: [ScanPath("/etc/hostname")])
        #expect(entries == [.photo(ScanPath("/etc/hostname"))])
    }
}
