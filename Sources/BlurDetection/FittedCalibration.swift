extension BlurCalibration {
    /// Produced by `eval/fit_calibration.py` on the FIT sources of eval/DATASETS.md
    /// (90 sharp, 122 blurred photos from: cuhk_dbd, ebb_vabd, kohler, synthetic_cuhk_dbd, synthetic_ebb_vabd).
    /// Feature order: BlurFeatures.names. Do not edit by hand: refit.
    public static let fitted = BlurCalibration(
        means: [
            0.619096, 0.457222, 0.714045, 0.866375, 0.604538, 0.0965692, 1.86551, 0.412186, 0.50917, 0.529221, 0.346418,
        ],
        scales: [
            0.129518, 0.145976, 0.0928918, 0.126789, 0.503327, 0.0930049, 0.723471, 0.161779, 0.157124, 0.144256,
            0.219434,
        ],
        weights: [-1.54239, 0.766085, 0.72672, 0.568204, 0, 1.53936, -1.73389, -0.0733236, 2.07955, -2.29256, 0],
        bias: 0.568294,
        typeWeight: 7.57912, coherenceWeight: 10.5932, typeBias: -3.4621,
        mapWeight: 17.4755, mapMidpoint: 0.642147)
}
