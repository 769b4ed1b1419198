import Foundation

/// Bounds the memory that decodes running at once may take. Most photos need little (a
/// JPEG decoded at 1/8 scale), but a progressive JPEG keeps every DCT coefficient of the full
/// image — a 0.6 MB file declaring 100 MP needs ~330 MB — and formats libvips cannot stream
/// need the whole bitmap. Decodes wait until their estimate fits; one larger than the whole
/// budget runs alone.
public final class DecodeMemoryBudget: @unchecked Sendable {
    public let bytes: Int
    private let condition = NSCondition()
    private var inUse = 0

    public init(bytes: Int = 384 * 1_048_576) {
        self.bytes = bytes
    }

    /// Runs `body` once `estimate` bytes fit in the budget (or nothing else is running).
    public func withReservation<T>(_ estimate: Int, _ body: () throws -> T) rethrows -> T {
        let reserved = min(max(0, estimate), bytes)
        condition.lock()
        while inUse > 0 && inUse + reserved > bytes { condition.wait() }
        inUse += reserved
        condition.unlock()
        defer {
            condition.lock()
            inUse -= reserved
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}
