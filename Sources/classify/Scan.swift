import ArgumentParser
import BlurDetection
import ClassifyApp
import ClassifyCore

extension ScanFormat: ExpressibleByArgument {}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score photos for camera shake and defocus.",
        discussion: """
            Folders are searched recursively for photos (JPEG, PNG, WebP, HEIC, AVIF, TIFF, GIF).
            Exit status: 0 when every file was analysed, 1 when some could not be, 2 on a usage error.
            """)

    @Argument(help: "Photos or folders to scan.")
    var paths: [String] = []

    @Option(help: "Blur score at and above which a photo counts as blurred (0–1).")
    var threshold: Double = 0.5

    @Option(help: "Output format: table, json (one object per line) or csv.")
    var format: ScanFormat = .table

    @Option(help: "Photos analysed in parallel (default: all cores).")
    var jobs: Int = ScanJob.defaultJobs

    @Option(
        help: ArgumentHelp(
            "Explain one photo: print its sharpness map and write it as a PNG.", valueName: "photo"))
    var explain: String?

    @Option(help: "Where --explain writes its picture (default: ./<photo name>.sharpness.png).")
    var explainOutput: String?

    @Flag(help: .hidden) var features = false

    /// For `make eval`: compare analysis sizes without rebuilding.
    @Option(help: .hidden) var analysisSize: Int = BlurAnalyzer.defaultAnalysisLongSide

    func validate() throws {
        guard BlurThreshold(threshold) != nil else {
            throw ValidationError("--threshold must be between 0 and 1 (got \(threshold))")
        }
        guard jobs >= 1, jobs <= 1024 else { throw ValidationError("--jobs must be between 1 and 1024") }
        guard analysisSize >= 64, analysisSize <= 8192 else {
            throw ValidationError("--analysis-size must be between 64 and 8192")
        }
        if explain == nil && paths.isEmpty { throw ValidationError("give at least one photo or folder to scan") }
    }

    func run() throws {
        let threshold = BlurThreshold(self.threshold)!
        if let explain {
            let photo = RawArguments.path(explain)
            let job = ExplainJob(
                photo: photo, pictureOutput: explainOutput ?? ExplainJob.defaultPictureName(for: photo),
                threshold: threshold)
            let code = job.run(output: FileOutput.standardOutput, writeFile: FileOutput.write)
            throw ExitCode(code)
        }
        let job = ScanJob(
            paths: paths.map(RawArguments.path), format: format, threshold: threshold, jobs: jobs,
            includeFeatures: features, analysisLongSide: analysisSize)
        let code = job.run(output: FileOutput.standardOutput, progressOutput: FileOutput.standardErrorRaw)
        if code != 0 { throw ExitCode(code) }
    }
}
