extension BlurCalibration {
    /// Produced by `eval/fit_calibration.py` on the FIT sources of eval/DATASETS.md
    /// (167 sharp, 254 blurred photos from: cuhk_dbd, digicam_charts, ebb_vabd, exifr_fixtures, immich_assets, kohler, kwentar_scaled, synthetic_cuhk_dbd, synthetic_ebb_vabd, synthetic_exifr_fixtures, synthetic_immich_assets, synthetic_kwentar_scaled).
    /// Feature order: BlurFeatures.names. Do not edit by hand: refit.
    public static let fitted = BlurCalibration(
        means: [
            0.625029, 0.476485, 0.720452, 0.845642, 0.655514, 0.0836762, 1.93468, 0.434594, 0.528018, 0.531571,
            0.337044, 4.64499, 9.63658,
        ],
        scales: [
            0.134228, 0.155482, 0.0978361, 0.14045, 0.901123, 0.0867527, 0.746574, 0.167404, 0.154734, 0.148156,
            0.23545, 2.9154, 6.41728,
        ],
        weights: [
            -1.44012, 1.67519, -0.0184164, 0.604121, 0, 1.46125, -1.84802, -0.54569, 2.24372, -2.1135, 0, 1.24189,
            -0.384784,
        ],
        bias: 0.947113,
        typeWeight: 6.75386, coherenceWeight: 7.95682, typeBias: -3.03042,
        mapWeight: 18.6489, mapMidpoint: 0.659298)
}
