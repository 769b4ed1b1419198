import Foundation

/// The committed real photos (Tests/Fixtures/photos, see SOURCES.md there).
enum Fixtures {
    static let photos = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/photos").standardizedFileURL

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: photos.appendingPathComponent(name)))
    }
}
