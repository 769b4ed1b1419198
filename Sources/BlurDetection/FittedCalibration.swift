extension BlurCalibration {
    /// Produced by `eval/fit_calibration.py` on the FIT sources of eval/DATASETS.md
    /// (90 sharp, 122 blurred photos from: cuhk_dbd, ebb_vabd, kohler, synthetic_cuhk_dbd, synthetic_ebb_vabd).
    /// Feature order: BlurFeatures.names. Do not edit by hand: refit.
    public static let fitted = BlurCalibration(
        means: [0.573843, 0.41966, 0.679405, 0.841964, 0.49207, 0.095767, 1.6618, 0.373219],
        scales: [0.138618, 0.14303, 0.110266, 0.148259, 0.331771, 0.0882681, 0.710468, 0.158022],
        weights: [-2.68458, 1.63241, 1.06037, 0, -0.958593, 0, -1.15596, -1.33104],
        bias: 0.217193,
        typeWeight: 20.0647, typeBias: -1.80058,
        mapWeight: 20.0589, mapMidpoint: 0.598886)
}
