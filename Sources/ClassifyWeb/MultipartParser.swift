import Foundation

/// glibc's `memmem` (a GNU extension, not in Swift's Glibc module).
@_silgen_name("memmem")
private func glibcMemmem(
    _ haystack: UnsafeRawPointer, _ haystackLength: Int, _ needle: UnsafeRawPointer, _ needleLength: Int
) -> UnsafeMutableRawPointer?

/// A `multipart/form-data` body (RFC 7578, RFC 2046 §5.1) parsed as it streams in: each
/// chunk is searched for the next boundary and the part bytes before it are handed on at once,
/// straight from the chunk, so a request of many photos is never held or copied in memory.
/// Only an end of a chunk that may begin a boundary is kept back (a boundary may straddle two
/// chunks), and a part's headers until they are complete.
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
    /// Bytes not parsed yet, kept from one chunk to the next: the start of a part's headers,
    /// or the end of a chunk that may be the start of a boundary. Usually empty: then the next
    /// chunk is parsed where it lies, and a photo's bytes are never copied here.
    private var pending: [UInt8] = [0x0D, 0x0A]
    private(set) var phase = Phase.preamble

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
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
        guard phase != .done, !chunk.isEmpty else { return }  // the epilogue is ignored
        if pending.isEmpty {
            let used = try advance(chunk, handle)
            if used < chunk.count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[used...])) }
        } else {
            pending.append(contentsOf: chunk)
            var parsed = pending
            pending = []
            let used = try parsed.withUnsafeBytes { try advance($0, handle) }
            parsed.removeFirst(used)
            pending = parsed
        }
    }

    /// After the last chunk: throws unless the closing boundary was seen.
    func finish() throws(Failure) {
        guard phase == .done else {
            throw .malformed(
                phase == .preamble ? "no boundary in the body" : "the body ended before the closing boundary")
        }
    }

    /// Parses what it can of `buffer`; returns how many of its bytes it used (the rest is kept
    /// for the next chunk).
    private mutating func advance(_ buffer: UnsafeRawBufferPointer, _ handle: (Event) throws -> Void) throws -> Int {
        var start = 0
        while true {
            switch phase {
            case .preamble:
                guard let found = Self.find(delimiter, in: buffer, from: start) else {
                    return max(start, buffer.count - (delimiter.count - 1))
                }
                start = found + delimiter.count
                phase = .afterDelimiter
            case .afterDelimiter:
                // "--" closes the body; else optional spaces (transport padding), then CRLF.
                while start < buffer.count, buffer[start] == 0x20 || buffer[start] == 0x09 { start += 1 }
                guard buffer.count - start >= 2 else { return start }
                if buffer[start] == 0x2D, buffer[start + 1] == 0x2D {
                    phase = .done
                    return buffer.count
                }
                guard buffer[start] == 0x0D, buffer[start + 1] == 0x0A else {
                    throw Failure.malformed("a boundary must be followed by a line break")
                }
                start += 2
                phase = .headers
            case .headers:
                let end: Int
                let next: Int
                if buffer.count - start >= 2, buffer[start] == 0x0D, buffer[start + 1] == 0x0A {
                    (end, next) = (start, start + 2)  // a part without headers
                } else if let found = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: buffer, from: start) {
                    (end, next) = (found, found + 4)
                } else {
                    guard buffer.count - start <= Self.maxHeaderBytes else {
                        throw Failure.malformed("a part's headers are longer than 16 KB")
                    }
                    return start
                }
                guard end - start <= Self.maxHeaderBytes else {
                    throw Failure.malformed("a part's headers are longer than 16 KB")
                }
                let (name, filename) = Self.disposition(
                    String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
                start = next
                phase = .body
                try handle(.partStart(name: name, filename: filename))
            case .body:
                if let found = Self.find(delimiter, in: buffer, from: start) {
                    try Self.emit(buffer, start..<found, handle)
                    start = found + delimiter.count
                    phase = .afterDelimiter
                    try handle(.partEnd)
                } else {
                    // Everything but an end that may begin a boundary (rarely any bytes).
                    let safe = buffer.count - delimiterPrefix(endingAt: buffer, from: start)
                    try Self.emit(buffer, start..<safe, handle)
                    return safe
                }
            case .done:
                return buffer.count
            }
        }
    }

    /// How many bytes at the end of `buffer` (after `from`) are the start of a delimiter.
    private func delimiterPrefix(endingAt buffer: UnsafeRawBufferPointer, from: Int) -> Int {
        var length = min(delimiter.count - 1, buffer.count - from)
        while length > 0 {
            let tail = buffer.count - length
            if buffer[tail] == delimiter[0],
                delimiter.withUnsafeBytes({ memcmp(buffer.baseAddress! + tail, $0.baseAddress!, length) == 0 })
            {
                return length
            }
            length -= 1
        }
        return 0
    }

    private static func emit(
        _ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, _ handle: (Event) throws -> Void
    ) throws {
        guard !range.isEmpty else { return }
        try handle(.bytes(UnsafeRawBufferPointer(rebasing: buffer[range])))
    }

    /// The first index of `needle` in `buffer` at or after `from` (glibc's memmem: a photo
    /// part is megabytes long; this runs at memory speed).
    private static func find(_ needle: [UInt8], in buffer: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard buffer.count - from >= needle.count else { return nil }
        return needle.withUnsafeBytes { pin in
            glibcMemmem(buffer.baseAddress! + from, buffer.count - from, pin.baseAddress!, pin.count).map {
                buffer.baseAddress!.distance(to: UnsafeRawPointer($0))
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
