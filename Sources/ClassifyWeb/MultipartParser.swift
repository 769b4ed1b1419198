import Foundation

/// glibc's `memmem` (a GNU extension, not in Swift's Glibc module).
@_silgen_name("memmem")
private func glibcMemmem(
    _ haystack: UnsafeRawPointer, _ haystackLength: Int, _ needle: UnsafeRawPointer, _ needleLength: Int
) -> UnsafeMutableRawPointer?

/// A `multipart/form-data` body (RFC 7578, RFC 2046 §5.1) parsed as it streams in: each
/// chunk is searched for the next boundary and the part bytes before it are handed on at once,
/// so a request of many photos is never held in memory. Only a boundary's length of bytes is
/// kept back between chunks (the boundary may straddle two of them).
struct MultipartParser {
    enum Event {
        /// A part begins (its Content-Disposition's `name` and `filename`).
        case partStart(name: String?, filename: String?)
        /// The next bytes of the current part; valid only during the call.
        case bytes(UnsafeRawBufferPointer)
        /// The current part is complete.
        case partEnd
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case noBoundary
        case malformed(String)

        var description: String {
            switch self {
            case .noBoundary: "Content-Type must be multipart/form-data with a boundary"
            case let .malformed(why): "the multipart body is malformed: \(why)"
            }
        }
    }

    enum Phase {
        case preamble, afterDelimiter, headers, body, done
    }

    /// Longest header block of one part.
    static let maxHeaderBytes = 16 * 1024

    /// CRLF "--" boundary: every delimiter, the first one included (the parser starts as if
    /// a line break came before the body).
    let delimiter: [UInt8]
    private var pending: [UInt8] = [0x0D, 0x0A]
    private var start = 0
    private(set) var phase = Phase.preamble

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        pending.reserveCapacity(128 * 1024)
    }

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

    /// Parses the next chunk of the body, calling `handle` for what it completes.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (Event) throws -> Void) throws {
        guard phase != .done else { return }  // the epilogue is ignored
        pending.append(contentsOf: chunk)
        try advance(handle)
        if start > 0 {
            pending.removeFirst(start)
            start = 0
        }
    }

    /// After the last chunk: throws unless the closing boundary was seen.
    func finish() throws(Failure) {
        guard phase == .done else {
            throw .malformed(
                phase == .preamble ? "no boundary in the body" : "the body ended before the closing boundary")
        }
    }

    private mutating func advance(_ handle: (Event) throws -> Void) throws {
        while true {
            switch phase {
            case .preamble:
                guard let found = find(delimiter, from: start) else {
                    start = max(start, pending.count - (delimiter.count - 1))
                    return
                }
                start = found + delimiter.count
                phase = .afterDelimiter
            case .afterDelimiter:
                // "--" closes the body; else optional spaces (transport padding), then CRLF.
                while start < pending.count, pending[start] == 0x20 || pending[start] == 0x09 { start += 1 }
                guard pending.count - start >= 2 else { return }
                if pending[start] == 0x2D, pending[start + 1] == 0x2D {
                    phase = .done
                    start = pending.count
                    return
                }
                guard pending[start] == 0x0D, pending[start + 1] == 0x0A else {
                    throw Failure.malformed("a boundary must be followed by a line break")
                }
                start += 2
                phase = .headers
            case .headers:
                let end: Int
                let next: Int
                if pending.count - start >= 2, pending[start] == 0x0D, pending[start + 1] == 0x0A {
                    (end, next) = (start, start + 2)  // a part without headers
                } else if let found = find([0x0D, 0x0A, 0x0D, 0x0A], from: start) {
                    (end, next) = (found, found + 4)
                } else {
                    guard pending.count - start <= Self.maxHeaderBytes else {
                        throw Failure.malformed("a part's headers are longer than 16 KB")
                    }
                    return
                }
                guard end - start <= Self.maxHeaderBytes else {
                    throw Failure.malformed("a part's headers are longer than 16 KB")
                }
                let (name, filename) = Self.disposition(String(decoding: pending[start..<end], as: UTF8.self))
                start = next
                phase = .body
                try handle(.partStart(name: name, filename: filename))
            case .body:
                if let found = find(delimiter, from: start) {
                    try emit(start..<found, handle)
                    start = found + delimiter.count
                    phase = .afterDelimiter
                    try handle(.partEnd)
                } else {
                    let safe = pending.count - (delimiter.count - 1)
                    if safe > start {
                        try emit(start..<safe, handle)
                        start = safe
                    }
                    return
                }
            case .done:
                return
            }
        }
    }

    private func emit(_ range: Range<Int>, _ handle: (Event) throws -> Void) throws {
        guard !range.isEmpty else { return }
        try pending.withUnsafeBytes { bytes in
            try handle(.bytes(UnsafeRawBufferPointer(rebasing: bytes[range])))
        }
    }

    /// The first index of `needle` in `pending` at or after `from` (glibc's memmem: a photo
    /// part is megabytes long; this runs at memory speed).
    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard pending.count - from >= needle.count else { return nil }
        return pending.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                glibcMemmem(hay.baseAddress! + from, hay.count - from, pin.baseAddress!, pin.count).map {
                    hay.baseAddress!.distance(to: UnsafeRawPointer($0))
                }
            }
        }
    }

    /// `name` and `filename` from a part's header block.
    static func disposition(_ headers: String) -> (name: String?, filename: String?) {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            return (parameter("name", in: String(line)), parameter("filename", in: String(line)))
        }
        return (nil, nil)
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
}
