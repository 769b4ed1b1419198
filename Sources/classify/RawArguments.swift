import ClassifyApp

/// ArgumentParser hands arguments over as `String`, replacing bytes that are not UTF-8 with
/// U+FFFD; a file named that way could then not be opened. The raw bytes are still in argv.
enum RawArguments {
    static func path(_ argument: String) -> ScanPath {
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let length = strlen(pointer)
            let bytes = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                Array(UnsafeBufferPointer(start: $0, count: length))
            }
            if String(decoding: bytes, as: UTF8.self) == argument { return ScanPath(bytes: bytes) }
        }
        return ScanPath(argument)
    }

    private static func strlen(_ pointer: UnsafeMutablePointer<CChar>) -> Int {
        var length = 0
        while pointer[length] != 0 { length += 1 }
        return length
    }
}
