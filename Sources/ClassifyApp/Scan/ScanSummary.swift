import BlurDetection

/// Counts over a scan, for the table's closing line and the exit code.
public struct ScanSummary: Sendable, Equatable {
    public var analysed = 0
    public var blurred = 0
    public var motion = 0
    public var defocus = 0
    public var failed = 0

    public init() {}

    public mutating func add(_ outcome: ScanOutcome) {
        switch outcome.result {
        case let .success(analysed):
            self.analysed += 1
            guard analysed.verdict.isBlurred else { return }
            blurred += 1
            if analysed.verdict.blurType == .motion { motion += 1 } else { defocus += 1 }
        case .failure:
            failed += 1
        }
    }

    /// "12 photos: 3 blurred (2 motion, 1 defocus), 9 sharp, 1 failed — threshold 0.50, 2.1 s".
    public func line(threshold: Double, seconds: Double) -> String {
        let photos = analysed + failed
        var text = "\(photos) photo\(photos == 1 ? "" : "s"): \(blurred) blurred"
        if blurred > 0 { text += " (\(motion) motion, \(defocus) defocus)" }
        text += ", \(analysed - blurred) sharp"
        if failed > 0 { text += ", \(failed) could not be analysed" }
        let formatter = ScanFormatter(format: .table)
        text += " — threshold \(formatter.fixed(threshold, digits: 2)), \(formatter.fixed(seconds, digits: 1)) s"
        if seconds > 0, photos > 0 { text += " (\(formatter.fixed(Double(photos) / seconds, digits: 1)) photos/s)" }
        return text
    }
}
