import BlurDetection
import ClassifyCore
import ImageDecoding

/// `classify scan --explain PHOTO`: the verdict, the sharpness map as text, and the map
/// painted over the photo as a PNG.
public struct ExplainJob: Sendable {
    public var photo: ScanPath
    public var pictureOutput: String
    public var threshold: BlurThreshold

    public init(photo: ScanPath, pictureOutput: String, threshold: BlurThreshold) {
        self.photo = photo
        self.pictureOutput = pictureOutput
        self.threshold = threshold
    }

    /// Default picture name: the photo's file name + ".sharpness.png", in the current folder.
    public static func defaultPictureName(for photo: ScanPath) -> String {
        String(decoding: photo.lastComponent, as: UTF8.self) + ".sharpness.png"
    }

    public func run(output: (String) -> Void, writeFile: (String, [UInt8]) throws -> Void) -> Int32 {
        let outcome = PhotoScanner(threshold: threshold, keepImage: true).scan(photo)
        output(ScanFormatter(format: .table).header ?? "")
        output(ScanFormatter(format: .table).line(for: outcome))
        guard case let .success(analysed) = outcome.result, let image = analysed.image else { return 1 }
        output("")
        output(Self.textMap(analysed.analysis.map))
        let rgb = SharpnessOverlay.render(
            image, map: analysed.analysis.map,
            directionDegrees: analysed.verdict.blurDirectionDegrees)
        do {
            try writeFile(pictureOutput, PNGEncoder.encodeRGB(rgb, width: image.width, height: image.height))
        } catch {
            output("could not write \(pictureOutput): \(error)")
            return 1
        }
        output("")
        output("sharpness map written to \(pictureOutput) (green sharp, red blurred, plain: no texture)")
        return 0
    }

    /// One character per cell: █ sharp … ░ blurred, · no texture.
    static func textMap(_ map: SharpnessMap) -> String {
        let shades: [Character] = ["░", "▒", "▓", "█"]
        var lines = ["sharpness map (█ sharp … ░ blurred, · too plain to judge):"]
        for row in 0..<map.rows {
            var line = "  "
            for column in 0..<map.columns {
                if let value = map[column, row] {
                    let shade = shades[min(3, Int(value * 4))]
                    line += String(repeating: shade, count: 2)
                } else {
                    line += "··"
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
