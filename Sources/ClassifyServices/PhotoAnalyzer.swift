import BlurDetection
import ImageDecoding

/// Photo bytes in, blur analysis out: the one path that `classify scan` and the server's
/// workers both take, so their verdicts cannot drift apart.
public struct PhotoAnalyzer: Sendable {
    public let decoder: ImageDecoder
    public let analyzer: BlurAnalyzer

    public init(decoder: ImageDecoder = ImageDecoder(), analyzer: BlurAnalyzer = BlurAnalyzer()) {
        self.decoder = decoder
        self.analyzer = analyzer
    }

    /// Decodes at the analysis size and analyses. Throws `ImageDecodingError` or
    /// `BlurDetectionError`, each with a message for people.
    public func analyse(_ bytes: [UInt8]) throws -> (analysis: BlurAnalysis, decoded: ImageDecoder.Decoded) {
        let decoded = try decoder.decode(bytes, minimumLongSide: analyzer.analysisLongSide)
        return (try analyzer.analyze(decoded.image), decoded)
    }
}
