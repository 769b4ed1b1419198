extension BlurCalibration {
    /// Produced by `eval/fit_calibration.py` on the FIT sources of eval/DATASETS.md
    /// (167 sharp, 254 blurred photos from: cuhk_dbd, digicam_charts, ebb_vabd, exifr_fixtures, immich_assets, kohler, kwentar_scaled, synthetic_cuhk_dbd, synthetic_ebb_vabd, synthetic_exifr_fixtures, synthetic_immich_assets, synthetic_kwentar_scaled).
    /// Feature order: BlurFeatures.names. Do not edit by hand: refit.
    public static let fitted = BlurCalibration(
        means: [
            0.625029, 0.476485, 0.720452, 0.845642, 0.655514, 0.0836762, 1.93468, 0.434594, 0.528018, 0.531571,
            0.337044, 4.60531, 9.06413, 0.963632, 0.477278,
        ],
        scales: [
            0.134228, 0.155482, 0.0978361, 0.14045, 0.901123, 0.0867527, 0.746574, 0.167404, 0.154734, 0.148156,
            0.23545, 2.84248, 5.13691, 0.881617, 0.256166,
        ],
        weights: [
            -0.950565, 1.54958, -0.00867108, 0.809769, 0, 1.47785, -2.21898, -0.624129, 2.13547, -2.317, 0, 1.55955,
            -0.295613, 0, 0,
        ],
        bias: 0.712506,
        typeWeights: [3.98179, 6.52596, 5.4285], typeBias: -4.20651,
        mapWeight: 18.6489, mapMidpoint: 0.659298)
}
