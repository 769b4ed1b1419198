import BlurDetection
import ClassifyCore

/// Output formats of `classify scan` (DESIGN.md 5.3: other tools parse these).
public enum ScanFormat: String, Sendable, CaseIterable {
    case table, json, csv
}

/// Renders outcomes as lines of the chosen format.
public struct ScanFormatter: Sendable {
    public let format: ScanFormat
    /// Adds the calibration cues to JSON lines (for `eval/fit_calibration.py`).
    public let includeFeatures: Bool

    public init(format: ScanFormat, includeFeatures: Bool = false) {
        self.format = format
        self.includeFeatures = includeFeatures
    }

    public var header: String? {
        switch format {
        case .json: nil
        case .csv: "path,blur_score,is_blurred,blur_type,blur_direction_deg,processing_time_ms,error"
        case .table: "SCORE   VERDICT  TYPE     DIR   TIME ms  PATH"
        }
    }

    public func line(for outcome: ScanOutcome) -> String {
        switch (format, outcome.result) {
        case let (.json, .success(analysed)): json(outcome.path, analysed)
        case let (.json, .failure(failure)):
            "{\"path\": \(JSONText.quote(outcome.path.display)), \"error\": \(JSONText.quote(failure.message))}"
        case let (.csv, .success(analysed)):
            [
                CSVText.quote(outcome.path.display), score(analysed.verdict.blurScore),
                String(analysed.verdict.isBlurred), analysed.verdict.blurType.rawValue,
                analysed.verdict.blurDirectionDegrees.map { String(Int($0)) } ?? "",
                milliseconds(analysed.verdict.processingTimeMs), "",
            ].joined(separator: ",")
        case let (.csv, .failure(failure)):
            [CSVText.quote(outcome.path.display), "", "", "", "", "", CSVText.quote(failure.message)]
                .joined(separator: ",")
        case let (.table, .success(analysed)): tableRow(outcome.path, analysed.verdict)
        case let (.table, .failure(failure)):
            "–       ERROR    –        –     –        \(outcome.path.display): \(failure.message)"
        }
    }

    private func json(_ path: ScanPath, _ analysed: ScanOutcome.Analysed) -> String {
        let verdict = analysed.verdict
        var fields = [
            ("path", JSONText.quote(path.display)),
            ("blur_score", score(verdict.blurScore)),
            ("is_blurred", String(verdict.isBlurred)),
            ("blur_type", JSONText.quote(verdict.blurType.rawValue)),
        ]
        if let direction = verdict.blurDirectionDegrees {
            fields.append(("blur_direction_deg", String(Int(direction))))
        }
        fields.append(("processing_time_ms", milliseconds(verdict.processingTimeMs)))
        if includeFeatures {
            let features = analysed.analysis.features
            let values = zip(BlurFeatures.names, features.vector).map { "\(JSONText.quote($0)): \($1)" }
            let extra =
                values + [
                    "\"weakest_direction_deg\": \(features.weakestDirectionDegrees)",
                    "\"likely_type\": \(JSONText.quote(analysed.analysis.likelyType.rawValue))",
                    "\"analysis_width\": \(analysed.analysis.analysisWidth)",
                    "\"analysis_height\": \(analysed.analysis.analysisHeight)",
                ]
            fields.append(("features", "{" + extra.joined(separator: ", ") + "}"))
        }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    private func tableRow(_ path: ScanPath, _ verdict: BlurResult) -> String {
        let verdictText = verdict.isBlurred ? "BLURRED" : "sharp"
        let direction = verdict.blurDirectionDegrees.map { "\(Int($0))°" } ?? "–"
        return [
            pad(score(verdict.blurScore), 8), pad(verdictText, 9), pad(verdict.blurType.rawValue, 9),
            pad(direction, 6), pad(milliseconds(verdict.processingTimeMs), 9),
        ].joined() + path.display
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    func score(_ value: Double) -> String { fixed(value, digits: 4) }
    func milliseconds(_ value: Double) -> String { fixed(value, digits: 1) }

    /// Fixed-point text without Foundation's locale-dependent formatting.
    func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale), fraction = abs(scaled % Int(scale))
        let fractionText = String(fraction)
        let padded = String(repeating: "0", count: digits - fractionText.count) + fractionText
        return "\(scaled < 0 && whole == 0 ? "-" : "")\(whole).\(padded)"
    }
}

enum JSONText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

enum CSVText {
    static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
