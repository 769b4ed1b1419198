import ClassifyCore

/// A one-line progress bar with count, rate and ETA, redrawn in place on a terminal.
public struct ProgressBar: Sendable {
    let width = 28
    let start: ContinuousClock.Instant
    var lastDraw: ContinuousClock.Instant?

    public init(start: ContinuousClock.Instant = ContinuousClock().now) {
        self.start = start
    }

    /// The text to draw for `done` of `total` at `now`, or nil when redrawing would be too
    /// soon (at most ten redraws a second, but always the last one).
    public mutating func frame(done: Int, total: Int, now: ContinuousClock.Instant) -> String? {
        if let lastDraw, done < total, now - lastDraw < .milliseconds(100) { return nil }
        lastDraw = now
        return Self.render(done: done, total: total, elapsed: now - start, width: width)
    }

    static func render(done: Int, total: Int, elapsed: Duration, width: Int) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let seconds = elapsed.milliseconds / 1000
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(total - done) / rate : nil
        let rateText = rate >= 10 ? String(Int(rate.rounded())) : String((rate * 10).rounded() / 10)
        return "\(bar) \(done)/\(total)  \(rateText) photos/s  ETA \(eta.map(clock) ?? "–")"
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (minutes, remainder) = total.quotientAndRemainder(dividingBy: 60)
        return "\(minutes):" + (remainder < 10 ? "0" : "") + String(remainder)
    }
}
