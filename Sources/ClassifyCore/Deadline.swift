/// `operation`'s value, or `timeout()` thrown once `limit` has passed (the operation is then
/// cancelled). A limit of zero or less throws at once.
public func withDeadline<T: Sendable>(
    _ limit: Duration, orThrow timeout: @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard limit > .zero else { throw timeout() }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw timeout() }
        return value
    }
}
