/// A coarse grid of local sharpness that explains a verdict: which parts of the photo are
/// sharp, which are blurred, and which have too little texture to tell.
public struct SharpnessMap: Sendable, Equatable, Codable {
    public let columns: Int
    public let rows: Int
    /// Row-major; each value in [0, 1] (1 = sharp), `nil` where the cell has no texture.
    public let values: [Double?]

    public init(columns: Int, rows: Int, values: [Double?]) {
        precondition(values.count == columns * rows)
        self.columns = columns
        self.rows = rows
        self.values = values
    }

    public subscript(column: Int, row: Int) -> Double? { values[row * columns + column] }
}
