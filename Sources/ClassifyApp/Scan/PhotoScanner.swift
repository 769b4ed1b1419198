import BlurDetection
import ClassifyCore
import ClassifyServices
import ImageDecoding

/// The outcome of scanning one file.
public struct ScanOutcome: Sendable {
    public let path: ScanPath
    public let result: Result<Analysed, ScanFailure>

    public struct Analysed: Sendable {
        public let verdict: BlurResult
        public let analysis: BlurAnalysis
        public let decodePath: ImageDecoder.Path
        /// The upright gray image the analysis saw (kept only when asked, for `--explain`).
        public let image: GrayImage?
    }
}

/// A file that could not be analysed, with a reason a person understands.
public struct ScanFailure: Error, Sendable {
    public let message: String
}

/// Reads, decodes and analyses one photo. Safe to call from many threads at once.
public struct PhotoScanner: Sendable {
    public var decoder: ImageDecoder
    public var analyzer: BlurAnalyzer
    public var threshold: BlurThreshold
    public var keepImage: Bool

    public init(
        decoder: ImageDecoder = ImageDecoder(), analyzer: BlurAnalyzer = BlurAnalyzer(),
        threshold: BlurThreshold = .standard, keepImage: Bool = false
    ) {
        self.decoder = decoder
        self.analyzer = analyzer
        self.threshold = threshold
        self.keepImage = keepImage
    }

    public func scan(_ path: ScanPath) -> ScanOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let bytes = try PhotoFileReader(maxBytes: decoder.limits.maxFileBytes).read(path)
            let (analysis, decoded) = try PhotoAnalyzer(decoder: decoder, analyzer: analyzer).analyse(bytes)
            let verdict = BlurResult(analysis, threshold: threshold, processingTimeMs: (clock.now - start).milliseconds)
            return ScanOutcome(
                path: path,
                result: .success(
                    .init(
                        verdict: verdict, analysis: analysis, decodePath: decoded.path,
                        image: keepImage ? decoded.image : nil)))
        } catch let error as ImageDecodingError {
            return ScanOutcome(path: path, result: .failure(ScanFailure(message: error.description)))
        } catch let error as BlurDetectionError {
            return ScanOutcome(path: path, result: .failure(ScanFailure(message: error.description)))
        } catch {
            return ScanOutcome(path: path, result: .failure(ScanFailure(message: "\(error)")))
        }
    }
}
