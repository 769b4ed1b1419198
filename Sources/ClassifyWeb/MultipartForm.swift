import Foundation

/// A `multipart/form-data` body split into its parts (RFC 7578). Only what uploads need:
/// each part's field name, file name and bytes.
struct MultipartForm {
    struct Part: Equatable {
        var name: String?
        var filename: String?
        var bytes: [UInt8]
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case noBoundary
        case malformed

        var description: String {
            switch self {
            case .noBoundary: "Content-Type must be multipart/form-data with a boundary"
            case .malformed: "the multipart body is malformed"
            }
        }
    }

    let parts: [Part]

    /// The boundary parameter of a `multipart/form-data` content type.
    static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value =
                    pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
                    ? String(pair[1].dropFirst().dropLast()) : pair[1]
                return value.isEmpty || value.count > 70 ? nil : value
            }
        }
        return nil
    }

    init(body: [UInt8], boundary: String) throws(Failure) {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var position = Self.find(delimiter, in: body, from: 0) else { throw .malformed }
        while true {
            position += delimiter.count
            if body.count >= position + 2, body[position] == 0x2D, body[position + 1] == 0x2D { break }  // "--": end
            guard body.count >= position + 2, body[position] == 0x0D, body[position + 1] == 0x0A else {
                throw .malformed
            }
            let headerStart = position + 2
            guard let headerEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: headerStart) else {
                throw .malformed
            }
            let next = Self.find([0x0D, 0x0A] + delimiter, in: body, from: headerEnd + 4)
            guard let next else { throw .malformed }
            var part = Part(name: nil, filename: nil, bytes: Array(body[(headerEnd + 4)..<next]))
            let headers = String(decoding: body[headerStart..<headerEnd], as: UTF8.self)
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                part.name = Self.parameter("name", in: String(line))
                part.filename = Self.parameter("filename", in: String(line))
            }
            parts.append(part)
            position = next + 2
        }
        self.parts = parts
    }

    static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
                ? String(pair[1].dropFirst().dropLast()) : pair[1]
        }
        return nil
    }

    /// The first index of `needle` at or after `start`: memchr for its first byte, memcmp for
    /// the rest (a photo part is megabytes long; this runs at memory speed).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start >= 0, start <= haystack.count - needle.count
        else { return nil }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let base = hay.baseAddress!, last = haystack.count - needle.count
                var index = start
                while index <= last {
                    guard let hit = memchr(base + index, Int32(pin[0]), last - index + 1) else { return nil }
                    let found = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + found, pin.baseAddress!, needle.count) == 0 { return found }
                    index = found + 1
                }
                return nil
            }
        }
    }
}
