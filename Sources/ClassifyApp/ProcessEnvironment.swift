#if canImport(Glibc)
    import Glibc
#endif

/// The process environment, read where configuration is assembled (DESIGN.md 5.4).
public struct ProcessEnvironment: Sendable {
    public init() {}

    public subscript(name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
