#if canImport(Glibc)
    import Glibc

    /// glibc's `malloc_trim` and `mallopt` (malloc.h is not in Swift's Glibc module).
    @_silgen_name("malloc_trim")
    private func glibcMallocTrim(_ pad: Int) -> Int32
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// How the server asks glibc's allocator to use memory.
public enum ProcessMemory {
    /// Allocations below this come from the heap, whose freed memory is used again.
    public static let heapAllocationLimit = 4 << 20
    /// Free memory a heap keeps at its top while busy rather than giving it back at once.
    public static let heapKeptFree = 32 << 20

    /// For `classify serve`, before its threads start:
    /// - Few malloc arenas (2): decode buffers of every worker thread otherwise stay in an
    ///   arena each, and the server's memory grows with its thread count.
    /// - Buffers of up to `heapAllocationLimit` (an upload's 1 MB socket reads, a photo's
    ///   decode buffers) come from the heap. By default glibc maps each allocation over
    ///   128 KB from the kernel and unmaps it when freed, so every upload read cost fresh
    ///   zeroed pages: ~1 ms of kernel time per 12 MP photo uploaded.
    /// - Up to `heapKeptFree` of freed memory stays in a heap: glibc otherwise gives back
    ///   whatever passes 128 KB at the top, and the next photo's buffers come back as fresh
    ///   pages again (0.7 s of the 500-photo batch's 14.5 s of CPU). The heap's peak is
    ///   handed back once a batch is done by `returnFreed()`.
    public static func configureForServer() {
        #if canImport(Glibc)
            _ = glibcMallopt(-8, 2)  // M_ARENA_MAX
            _ = glibcMallopt(-3, Int32(heapAllocationLimit))  // M_MMAP_THRESHOLD
            _ = glibcMallopt(-1, Int32(heapKeptFree))  // M_TRIM_THRESHOLD
        #endif
    }

    /// After a batch, hands the decode buffers glibc keeps back to the system, so an idle
    /// server does not sit on the peak of its last batch.
    public static func returnFreed() {
        #if canImport(Glibc)
            _ = glibcMallocTrim(0)
        #endif
    }
}
