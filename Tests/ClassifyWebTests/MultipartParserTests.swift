import Foundation
import Testing

@testable import ClassifyWeb

@Suite struct MultipartParserTests {
    struct Part: Equatable {
        var name: String?
        var filename: String?
        var bytes: [UInt8] = []
    }

    /// Feeds `body` cut at `cuts` and collects the parts, as the upload route sees them.
    static func parse(_ body: [UInt8], boundary: String = "XyZ-b0undary", cuts: [Int]) throws -> [Part] {
        var parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var open = false
        var from = 0
        for cut in cuts + [body.count] where cut >= from {
            try body[from..<cut].withUnsafeBytes { chunk in
                try parser.feed(chunk) { event in
                    switch event {
                    case let .partStart(name, filename):
                        #expect(!open, "a part began inside another")
                        parts.append(Part(name: name, filename: filename))
                        open = true
                    case let .bytes(bytes):
                        #expect(open, "bytes outside a part")
                        #expect(!bytes.isEmpty)
                        parts[parts.count - 1].bytes += bytes
                    case .partEnd:
                        #expect(open)
                        open = false
                    }
                }
            }
            from = cut
        }
        try parser.finish()
        #expect(!open)
        return parts
    }

    /// Bytes that look like the boundary's start but are not it, and CR/LF everywhere.
    static let tricky: [UInt8] =
        Array("\r\n--XyZ-b0undar\r\n\r\n--XyZ\r--XyZ-b0undary".utf8).dropLast() + [0, 13, 10, 255]

    static let body: [UInt8] = {
        var body = Array("preamble, ignored\r\n".utf8)
        body += Array("--XyZ-b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n".utf8)
        body += Array("Content-Type: image/jpeg\r\n\r\n".utf8) + tricky + Array("\r\n".utf8)
        body += Array("--XyZ-b0undary  \r\ncontent-disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
        body += Array(
            "--XyZ-b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"empty.png\"\r\n\r\n".utf8)
        body += Array("\r\n--XyZ-b0undary\r\n\r\nno headers\r\n--XyZ-b0undary--\r\nepilogue, ignored".utf8)
        return body
    }()

    static let expected = [
        Part(name: "file", filename: "a.jpg", bytes: tricky),
        Part(name: "note", filename: nil, bytes: Array("hello".utf8)),
        Part(name: "file", filename: "empty.png", bytes: []),
        Part(name: nil, filename: nil, bytes: Array("no headers".utf8)),
    ]

    @Test func partsAreTheSameWhereverTheChunksAreCut() throws {
        #expect(try Self.parse(Self.body, cuts: []) == Self.expected)
        for cut in 0...Self.body.count {
            #expect(try Self.parse(Self.body, cuts: [cut]) == Self.expected, "cut at \(cut)")
        }
        for first in stride(from: 0, to: Self.body.count, by: 7) {
            for second in first...Self.body.count {
                #expect(try Self.parse(Self.body, cuts: [first, second]) == Self.expected, "cuts \(first), \(second)")
            }
        }
        #expect(try Self.parse(Self.body, cuts: Array(1..<Self.body.count)) == Self.expected, "one byte at a time")
    }

    @Test func megabytePartsKeepEveryByte() throws {
        var generator = SystemRandomNumberGenerator()
        let photo = (0..<3_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var body = Array("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n\r\n".utf8)
        body += photo + Array("\r\n--b--\r\n".utf8)
        let cuts = Array(stride(from: 65_536, to: body.count, by: 65_536))
        #expect(
            try Self.parse(body, boundary: "b", cuts: cuts) == [Part(name: "file", filename: "big.jpg", bytes: photo)])
    }

    /// A photo's bytes are handed on from the chunk they came in, not from a copy: only the
    /// first chunk of a body (after the parser's opening line break) and chunk ends that may
    /// begin a boundary go through the parser's own buffer.
    @Test func partBytesComeStraightFromTheChunk() throws {
        let photo =
            [UInt8](repeating: 0xAB, count: 1_000_000) + [0x0D, 0x0A, 0x2D] + [UInt8](repeating: 7, count: 99_997)
        var body = Array("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n\r\n".utf8)
        body += photo + Array("\r\n--b--\r\n".utf8)
        var parser = MultipartParser(boundary: "b")
        var received: [UInt8] = []
        var inPlace = 0
        for start in stride(from: 0, to: body.count, by: 65_536) {
            try body[start..<min(body.count, start + 65_536)].withUnsafeBytes { chunk in
                try parser.feed(chunk) { event in
                    guard case let .bytes(bytes) = event else { return }
                    received += bytes
                    let address = bytes.baseAddress!
                    if address >= chunk.baseAddress!, address + bytes.count <= chunk.baseAddress! + chunk.count {
                        inPlace += bytes.count
                    }
                }
            }
        }
        try parser.finish()
        #expect(received == photo)
        #expect(inPlace >= photo.count - 65_536, "\(photo.count - inPlace) bytes were copied first")
    }

    @Test func malformedBodiesSayWhy() {
        func failure(_ body: String, boundary: String = "b") -> MultipartParser.Failure? {
            do {
                _ = try Self.parse(Array(body.utf8), boundary: boundary, cuts: [])
                return nil
            } catch {
                return error as? MultipartParser.Failure
            }
        }
        #expect(failure("") == .malformed("no boundary in the body"))
        #expect(failure("just text, no boundary") == .malformed("no boundary in the body"))
        #expect(failure("--b\r\n\r\nhalf a photo") == .malformed("the body ended before the closing boundary"))
        #expect(failure("--b\r\nContent-Disposition: form-data; name=\"file\"") != nil)
        #expect(failure("--bx\r\n\r\nx\r\n--b--") == .malformed("a boundary must be followed by a line break"))
        #expect(
            failure("--b\r\nX: " + String(repeating: "a", count: 17_000) + "\r\n\r\nx\r\n--b--")
                == .malformed("a part's headers are longer than 16 KB"))
        #expect(failure("--b--") == nil)
        #expect(
            MultipartParser.Failure.malformed("x").description == "the multipart body is malformed: x")
    }

    @Test func boundaryFromTheContentType() {
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartParser.boundary(contentType: "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b\"") == "a b")
        #expect(MultipartParser.boundary(contentType: "application/json") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=") == nil)
        #expect(
            MultipartParser.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71))
                == nil)
    }
}
