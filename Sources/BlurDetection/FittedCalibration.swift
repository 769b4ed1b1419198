extension BlurCalibration {
    /// Produced by `eval/fit_calibration.py` — see that script and eval/DATASETS.md.
    /// PROVISIONAL: hand-set until the first fit.
    public static let fitted = BlurCalibration(
        means: [0.5, 0.4, 0.5, 0.5, 2, 0.1, 2],
        scales: [0.1, 0.1, 0.1, 0.3, 2, 0.1, 1],
        weights: [-2, -1, -1, 0, 0, 0, 0],
        bias: 0,
        typeWeight: 10, typeBias: -2,
        mapWeight: 20, mapMidpoint: 0.5)
}
