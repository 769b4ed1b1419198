import BlurDetection
import ClassifyCore
import ImageDecoding

#if canImport(Glibc)
    import Glibc
#endif

/// `classify scan`: everything but argument parsing, so tests can run it in-process.
public struct ScanJob: Sendable {
    public var paths: [ScanPath]
    public var format: ScanFormat
    public var threshold: BlurThreshold
    public var jobs: Int
    public var includeFeatures: Bool
    public var showProgress: Bool
    public var limits: DecodeLimits
    public var analysisLongSide: Int

    public init(
        paths: [ScanPath], format: ScanFormat = .table, threshold: BlurThreshold = .standard,
        jobs: Int = ScanJob.defaultJobs, includeFeatures: Bool = false,
        showProgress: Bool = ScanJob.stderrIsTerminal, limits: DecodeLimits = .standard,
        analysisLongSide: Int = BlurAnalyzer.defaultAnalysisLongSide
    ) {
        self.paths = paths
        self.format = format
        self.threshold = threshold
        self.jobs = jobs
        self.includeFeatures = includeFeatures
        self.showProgress = showProgress
        self.limits = limits
        self.analysisLongSide = analysisLongSide
    }

    public static var defaultJobs: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Runs the scan, writing results to `output` and progress to `progressOutput`.
    /// Returns the process exit code: 0 when every file was analysed, 1 otherwise.
    public func run(output: (String) -> Void, progressOutput: (String) -> Void) -> Int32 {
        let clock = ContinuousClock()
        let start = clock.now
        let entries = PhotoFinder().entries(for: paths)
        let formatter = ScanFormatter(format: format, includeFeatures: includeFeatures)
        var summary = ScanSummary()
        if let header = formatter.header { output(header) }
        var photos: [ScanPath] = []
        for entry in entries {
            switch entry {
            case let .photo(path): photos.append(path)
            case let .problem(path, message):
                let outcome = ScanOutcome(path: path, result: .failure(ScanFailure(message: message)))
                summary.add(outcome)
                output(formatter.line(for: outcome))
            }
        }
        let scanner = PhotoScanner(
            decoder: ImageDecoder(limits: limits),
            analyzer: BlurAnalyzer(analysisLongSide: analysisLongSide), threshold: threshold)
        var bar = ProgressBar(start: start)
        ScanRunner(scanner: scanner, jobs: jobs).run(
            photos,
            emit: { outcome in
                summary.add(outcome)
                output(formatter.line(for: outcome))
            },
            progress: { done, total in
                guard showProgress, let frame = bar.frame(done: done, total: total, now: clock.now) else { return }
                progressOutput("\r\u{1B}[2K" + frame + (done == total ? "\n" : ""))
            })
        if format == .table {
            let elapsed = clock.now - start
            let seconds = elapsed.milliseconds / 1000
            output(summary.line(threshold: threshold.value, seconds: seconds))
        }
        return summary.failed > 0 ? 1 : 0
    }
}
