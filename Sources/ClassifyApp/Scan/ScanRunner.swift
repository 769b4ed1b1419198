import Foundation

/// Scans many files on `jobs` threads and hands outcomes to `emit` in input order.
///
/// Decoding and analysis are blocking C and CPU work, so they run on plain threads rather
/// than Swift's cooperative pool. Results wait in a small reorder buffer until every earlier
/// file is done, so output order is stable run to run.
public final class ScanRunner: @unchecked Sendable {
    private let scanner: PhotoScanner
    private let jobs: Int
    private let lock = NSCondition()
    private var nextIndex = 0
    private var finished = 0
    private var pending: [Int: ScanOutcome] = [:]

    public init(scanner: PhotoScanner, jobs: Int) {
        self.scanner = scanner
        self.jobs = max(1, jobs)
    }

    /// Runs to completion. `emit` is called on the calling thread, in input order;
    /// `progress(done, total)` after each outcome.
    public func run(
        _ paths: [ScanPath], emit: (ScanOutcome) -> Void, progress: (Int, Int) -> Void
    ) {
        let total = paths.count
        let workers = (0..<min(jobs, max(1, total))).map { _ in
            Thread { [self] in work(paths) }
        }
        for worker in workers {
            worker.stackSize = 8 << 20
            worker.start()
        }
        var emitted = 0
        while emitted < total {
            lock.lock()
            while pending[emitted] == nil { lock.wait() }
            var ready: [ScanOutcome] = []
            while let outcome = pending.removeValue(forKey: emitted + ready.count) {
                ready.append(outcome)
            }
            let done = finished
            lock.unlock()
            for outcome in ready {
                emit(outcome)
                emitted += 1
            }
            progress(done, total)
        }
    }

    private func work(_ paths: [ScanPath]) {
        while true {
            lock.lock()
            let index = nextIndex
            nextIndex += 1
            lock.unlock()
            guard index < paths.count else { return }
            let outcome = scanner.scan(paths[index])
            lock.lock()
            pending[index] = outcome
            finished += 1
            lock.signal()
            lock.unlock()
        }
    }
}
