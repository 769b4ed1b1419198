import BlurDetection
import ClassifyCore
import Foundation
import Testing

@testable import ClassifyApp

@Suite struct ScanFormatterTests {
    static let photos = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/photos").standardizedFileURL.path

    func outcome(_ name: String) -> ScanOutcome {
        PhotoScanner().scan(ScanPath(Self.photos + "/" + name))
    }

    @Test func jsonLinesFollowTheContract() throws {
        let formatter = ScanFormatter(format: .json)
        let line = formatter.line(for: outcome("motion-cat.jpg"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["path"] as? String == Self.photos + "/motion-cat.jpg")
        let score = try #require(object["blur_score"] as? Double)
        #expect((0...1).contains(score))
        #expect(object["is_blurred"] as? Bool == (score >= 0.5))
        #expect(["none", "motion", "defocus"].contains(object["blur_type"] as? String ?? ""))
        #expect(object["processing_time_ms"] is Double)
        #expect((object["blur_direction_deg"] != nil) == (object["blur_type"] as? String == "motion"))
        #expect(object["features"] == nil)
        // Keys in the documented order.
        #expect(line.hasPrefix("{\"path\": "))
    }

    @Test func errorsAreOneLineWithAReason() throws {
        let failed = ScanOutcome(
            path: ScanPath("a \"quoted\"\nname.jpg"),
            result: .failure(ScanFailure(message: "truncated JPEG")))
        let line = ScanFormatter(format: .json).line(for: failed)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object == ["path": "a \"quoted\"\nname.jpg", "error": "truncated JPEG"])
    }

    @Test func csvQuotesWhatNeedsQuoting() {
        let formatter = ScanFormatter(format: .csv)
        #expect(formatter.header == "path,blur_score,is_blurred,blur_type,blur_direction_deg,processing_time_ms,error")
        let failed = ScanOutcome(path: ScanPath("x,y.jpg"), result: .failure(ScanFailure(message: "not an image")))
        #expect(formatter.line(for: failed) == "\"x,y.jpg\",,,,,,not an image")
        let line = formatter.line(for: outcome("sharp-cat.jpg"))
        #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 7)
    }

    @Test func fixedPointHasNoLocale() {
        let formatter = ScanFormatter(format: .table)
        #expect(formatter.fixed(0.81234, digits: 4) == "0.8123")
        #expect(formatter.fixed(7.0, digits: 1) == "7.0")
        #expect(formatter.fixed(0.00004, digits: 4) == "0.0000")
        #expect(formatter.fixed(12.96, digits: 1) == "13.0")
    }

    @Test func summaryCountsEveryOutcome() {
        var summary = ScanSummary()
        for name in ["motion-cat.jpg", "defocus-cat.jpg", "sharp-cat.jpg"] { summary.add(outcome(name)) }
        summary.add(ScanOutcome(path: ScanPath("bad.jpg"), result: .failure(ScanFailure(message: "empty file"))))
        #expect(summary.analysed == 3 && summary.failed == 1 && summary.blurred == 2)
        #expect(
            summary.line(threshold: 0.5, seconds: 2).hasPrefix(
                "4 photos: 2 blurred (1 motion, 1 defocus), 1 sharp, 1 could not be analysed — threshold 0.50, 2.0 s"))
    }

    @Test func progressBarShowsCountRateAndETA() {
        let text = ProgressBar.render(done: 50, total: 200, elapsed: .seconds(5), width: 20)
        #expect(text.hasPrefix("█████░░░░░░░░░░░░░░░ 50/200"))
        #expect(text.contains("10 photos/s"))
        #expect(text.hasSuffix("ETA 0:15"))
    }
}
