import RealModule

/// Logistic models that turn `BlurFeatures` into a probability.
///
/// The weights are fitted by `eval/fit_calibration.py` on the FIT sources listed in
/// `eval/DATASETS.md` (features dumped by `classify scan --features`), never on the held-out
/// TEST sources. Refit and paste its output here when the features change.
public struct BlurCalibration: Sendable, Equatable {
    /// Per-feature mean and standard deviation used to standardise `BlurFeatures.vector`.
    public var means: [Double]
    public var scales: [Double]
    /// Logistic weights for P(a person calls the photo blurred).
    public var weights: [Double]
    public var bias: Double
    /// P(motion | blurred) = σ(typeBias + typeWeights · BlurFeatures.typeVector).
    public var typeWeights: [Double]
    public var typeBias: Double
    /// Local map: P(cell sharp) = σ(mapWeight · (sharpness − mapMidpoint)).
    public var mapWeight: Double
    public var mapMidpoint: Double

    public init(
        means: [Double], scales: [Double], weights: [Double], bias: Double,
        typeWeights: [Double], typeBias: Double, mapWeight: Double, mapMidpoint: Double
    ) {
        precondition(
            means.count == BlurFeatures.names.count && scales.count == means.count
                && weights.count == means.count)
        self.means = means
        self.scales = scales
        self.weights = weights
        self.bias = bias
        self.typeWeights = typeWeights
        self.typeBias = typeBias
        self.mapWeight = mapWeight
        self.mapMidpoint = mapMidpoint
    }

    /// P(blurred) for the features.
    public func blurProbability(_ features: BlurFeatures) -> Double {
        var logit = bias
        for (index, value) in features.vector.enumerated() {
            logit += weights[index] * (value - means[index]) / scales[index]
        }
        return Self.sigmoid(logit)
    }

    /// P(motion | blurred).
    public func motionProbability(_ features: BlurFeatures) -> Double {
        Self.sigmoid(typeBias + zip(typeWeights, features.typeVector).reduce(0) { $0 + $1.0 * $1.1 })
    }

    /// P(sharp) for one map cell with re-blur sharpness `sharpness`.
    public func cellSharpness(_ sharpness: Double) -> Double {
        Self.sigmoid(mapWeight * (sharpness - mapMidpoint))
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Double.exp(-x)) }
}
