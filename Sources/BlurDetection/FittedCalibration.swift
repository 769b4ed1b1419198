extension BlurCalibration {
    /// Produced by `eval/fit_calibration.py` on the FIT sources of eval/DATASETS.md
    /// (167 sharp, 254 blurred photos from: cuhk_dbd, digicam_charts, ebb_vabd, exifr_fixtures, immich_assets, kohler, kwentar_scaled, synthetic_cuhk_dbd, synthetic_ebb_vabd, synthetic_exifr_fixtures, synthetic_immich_assets, synthetic_kwentar_scaled).
    /// Feature order: BlurFeatures.names. Do not edit by hand: refit.
    public static let fitted = BlurCalibration(
        means: [
            0.625026, 0.476496, 0.72046, 0.845642, 0.651677, 0.0836731, 1.93474, 0.434593, 0.528024, 0.531547, 0.337128,
            4.60579, 9.06176, 0.965448, 0.476595,
        ],
        scales: [
            0.134221, 0.155488, 0.0978551, 0.14045, 0.893445, 0.0867509, 0.746596, 0.167411, 0.154746, 0.148187,
            0.235352, 2.84111, 5.1367, 0.877142, 0.247484,
        ],
        weights: [
            -0.946622, 1.55232, -0.0132848, 0.809234, 0, 1.47861, -2.21975, -0.619085, 2.12828, -2.31623, 0, 1.57647,
            -0.30584, 0, 0,
        ],
        bias: 0.714565,
        typeWeights: [2.95307, 6.20049, 8.05114], typeBias: -3.78494,
        mapWeight: 18.6382, mapMidpoint: 0.659283)
}
