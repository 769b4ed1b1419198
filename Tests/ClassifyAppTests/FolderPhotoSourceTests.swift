import ClassifyCore
import ClassifyServices
import ClassifyStore
import Foundation
import Testing

@testable import ClassifyApp

/// The page's Import reads folders on this machine, but only inside IMPORT_DIR: `..`, absolute
/// paths elsewhere and symlinks that lead out are refused.
@Suite struct FolderPhotoSourceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/photos").standardizedFileURL

    static func withSource(_ body: (FolderPhotoSource, URL, URL) async throws -> Void) async throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("source-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: base) }
        let allowed = base.appendingPathComponent("allowed"), outside = base.appendingPathComponent("outside")
        try fm.createDirectory(at: allowed.appendingPathComponent("trip"), withIntermediateDirectories: true)
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        for (name, folder) in [("sharp-cat.jpg", allowed.appendingPathComponent("trip")), ("motion-cat.jpg", outside)] {
            try fm.copyItem(at: fixtures.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Data("not a photo".utf8).write(to: allowed.appendingPathComponent("trip/notes.jpg"))
        try fm.createSymbolicLink(
            atPath: allowed.appendingPathComponent("trip/escape.jpg").path,
            withDestinationPath: outside.appendingPathComponent("motion-cat.jpg").path)
        try fm.createSymbolicLink(
            atPath: allowed.appendingPathComponent("elsewhere").path, withDestinationPath: outside.path)
        let store = try await StoreConnection.open(url: "sqlite:" + base.appendingPathComponent("photos.sqlite").path)
        try await Migrator.migrate(store, Schema.photos)
        let library = PhotoLibrary(
            photos: PhotoRepository(store: store), directory: base.appendingPathComponent("data"))
        do {
            try await body(FolderPhotoSource(library: library, allowedFolder: allowed.path), allowed, outside)
            try await store.shutdown()
        } catch {
            try? await store.shutdown()
            throw error
        }
    }

    @Test func importsInsideTheFolderAndSaysWhatItRefused() async throws {
        try await Self.withSource { source, allowed, _ in
            let report = try await source.importPhotos(from: allowed.path, userID: "local")
            #expect(report.imported == 1)
            let reasons = Dictionary(report.errors.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.error) })
            {
                a, _ in a
            }
            #expect(reasons["escape.jpg"] == "links outside the import folder")
            #expect(reasons["notes.jpg"] != nil)
            let again = try await source.importPhotos(from: "trip", userID: "local")
            #expect(again.imported == 0 && again.existing == 1)
        }
    }

    @Test func pathsThatLeadOutAreRefused() async throws {
        try await Self.withSource { source, allowed, outside in
            for path in [outside.path, allowed.path + "/../outside", "../outside", "elsewhere", "/etc"] {
                do {
                    _ = try await source.importPhotos(from: path, userID: "local")
                    Issue.record("\(path) was imported")
                } catch {
                    guard case .outsideAllowedFolder? = error as? PhotoSourceError else {
                        Issue.record("\(path): \(error)")
                        continue
                    }
                }
            }
            await #expect(throws: PhotoSourceError.notFound("no-such-folder")) {
                _ = try await source.importPhotos(from: "no-such-folder", userID: "local")
            }
        }
    }
}
