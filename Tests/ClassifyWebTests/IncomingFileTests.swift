import ClassifyCore
import Crypto
import Foundation
import Testing

@testable import ClassifyServices

/// An upload written piece by piece keeps every byte and hashes exactly them, whatever the
/// size and however the network cut it.
@Suite struct IncomingFileTests {
    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("incoming-\(UUID().uuidString)")
    }

    @Test(arguments: [1, 4095, 4096, 4097, 65_537, 3_000_001])
    func everyByteArrivesAndReadsBack(_ size: Int) throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Random bytes, tiled (a debug build is slow to draw 16 million).
        var generator = SystemRandomNumberGenerator()
        let tile = (0..<65_521).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBufferPointer { buffer in
            tile.withUnsafeBufferPointer { tile in
                for index in 0..<size {
                    buffer[index] = tile[index % tile.count] &+ UInt8(truncatingIfNeeded: index >> 16)
                }
            }
        }
        let file = try IncomingPhotoFile(directory: folder, limit: 100_000_000)
        // Pieces of uneven sizes, as the network delivers them.
        var offset = 0
        var piece = 1
        while offset < size {
            let count = min(piece, size - offset)
            try bytes[offset..<offset + count].withUnsafeBytes { try file.write($0) }
            offset += count
            piece = piece * 3 % 200_003 + 1
        }
        let digest = try file.close()
        #expect(digest == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
        #expect(file.byteCount == size)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.size] as? Int) == size)
        #expect(try PhotoLibrary.read(file.path) == bytes)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)) == Data(bytes))
    }

    @Test func bytesPastTheLimitAreCountedNotWrittenAndAnUnusedFileIsDeleted() throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var path = ""
        do {
            let file = try IncomingPhotoFile(directory: folder, limit: 5000)
            path = file.path
            try [UInt8](repeating: 7, count: 12_000).withUnsafeBytes { try file.write($0) }
            #expect(file.byteCount == 12_000 && file.isOverLimit)
            _ = try file.close()
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 5000)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func anEmptyFileReadsBackEmpty() throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try IncomingPhotoFile(directory: folder, limit: 100)
        _ = try file.close()
        #expect(try PhotoLibrary.read(file.path) == [])
        #expect(throws: (any Error).self) { try PhotoLibrary.read(folder.appendingPathComponent("none").path) }
    }
}
