#!/usr/bin/env python3
"""Fits the blur-score calibration on FIT sources and prints it as Swift
(Sources/BlurDetection/FittedCalibration.swift).

    python3 eval/evaluate.py            # writes eval/results/scan.jsonl (features of every photo)
    python3 eval/fit_calibration.py > Sources/BlurDetection/FittedCalibration.swift

Model: L2-regularised logistic regression on standardised features, so the score reads
as P(a person calls the photo blurred). Labels are the datasets' (eval/DATASETS.md);
synthetic blur uses the visibility rule in eval/synthesize.py. Classes are weighted to
equal total weight so the 0.5 point is unbiased by how many blurred photos a set holds.
Type: logistic on TYPE_CUES over blurred FIT photos with a known type.
Feature set, L2 and the synthetic share were chosen by leave-one-source-out cross-validation
scored on held-out REAL FIT photos (`--cv`), never on TEST figures.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

NAMES = ["best_sharpness", "median_sharpness", "best_sharpness_coarse", "textured_fraction",
         "noise_sigma", "anisotropy", "log_laplacian_variance", "weakest_sharpness",
         "weakest_sharpness_coarse", "best_tile_weakest_sharpness", "direction_coherence",
         "best_edge_width", "median_edge_width", "correlation_length", "correlation_anisotropy"]
# Cues that carry the verdict; the rest stay at weight 0. noise_sigma is left out on purpose:
# synthetic blur adds fresh noise its sharp originals lack, a shortcut real photos don't share.
# The set and L2 were chosen by leave-one-source-out cross-validation on FIT sources only
# (`--cv`), never by looking at TEST figures.
USED = ["best_sharpness", "median_sharpness", "best_sharpness_coarse", "weakest_sharpness",
        "log_laplacian_variance", "weakest_sharpness_coarse", "best_tile_weakest_sharpness",
        "anisotropy", "textured_fraction", "best_edge_width", "median_edge_width"]
L2 = 1.0
SYNTHETIC_SHARE = 0.3
# Motion-or-defocus cues, in the order of BlurFeatures.typeVector.
TYPE_CUES = ["anisotropy", "direction_coherence", "correlation_anisotropy"]


def logistic_fit(x, y, weights, l2=1.0, iterations=100):
    """Newton–Raphson (IRLS) for weighted logistic regression with an L2 penalty (no penalty
    on the bias)."""
    n, d = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(d + 1)
    penalty = np.eye(d + 1) * l2
    penalty[0, 0] = 0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (weights * (y - p)) - penalty @ beta
        hessian = design.T @ (design * (weights * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-9:
            break
    return beta


def balanced_weights(y):
    w = np.where(y == 1, 0.5 / max(1, y.sum()), 0.5 / max(1, (1 - y).sum()))
    return w * len(y)


def sample_weights(y, synthetic, synthetic_share=SYNTHETIC_SHARE):
    """Each class weighs the same in total, and within each class synthetic blur weighs
    `synthetic_share` of the total: it fills the gaps of the real photos without letting its
    own look (clean kernels, fresh noise) set the boundary."""
    w = np.zeros(len(y))
    for label in (0, 1):
        for is_synthetic, share in ((True, synthetic_share), (False, 1 - synthetic_share)):
            members = (y == label) & (synthetic == is_synthetic)
            if members.any():
                w[members] = share / members.sum()
        in_class = y == label
        w[in_class] *= 0.5 / w[in_class].sum()
    return w * len(y)


def load():
    path = os.path.join(common.RESULTS, "scan.jsonl")
    if not os.path.exists(path):
        sys.exit("run python3 eval/evaluate.py first (it writes eval/results/scan.jsonl)")
    return [json.loads(line) for line in open(path) if '"features"' in line]


def cross_validate(records):
    """Leave one FIT source out (its synthetic copies with it) and score the held-out REAL
    photos only: synthetic blur helps fit but is not what the product meets."""
    from metrics import auc, balanced_accuracy
    group = [r["source"].replace("synthetic_", "") for r in records]
    synthetic = np.array(["synthetic" in r["tags"] or r["source"].startswith("synthetic_") for r in records])
    x = np.array([[r["features"][n] for n in USED] for r in records])
    y = np.array([1.0 if r["label"] == "blurred" else 0.0 for r in records])
    for share in (0.0, 0.3, 0.5):
        for l2 in (0.3, 1, 3):
            predicted = np.zeros(len(y))
            for held in sorted(set(group)):
                train = np.array([g != held for g in group])
                mu, sd = x[train].mean(axis=0), x[train].std(axis=0) + 1e-9
                weights = sample_weights(y[train], synthetic[train], share)
                beta = logistic_fit((x[train] - mu) / sd, y[train], weights, l2=l2)
                predicted[~train] = 1 / (1 + np.exp(-(beta[0] + ((x[~train] - mu) / sd) @ beta[1:])))
            real = ~synthetic
            print(f"synthetic share {share:.1f}, L2 {l2:3}: held-out real photos AUC "
                  f"{auc(predicted[real], y[real] > 0):.3f}, balanced accuracy "
                  f"{balanced_accuracy(predicted[real] >= 0.5, y[real] > 0):.3f}", file=sys.stderr)


def main():
    records = [r for r in load() if r["fit"]]
    if "--cv" in sys.argv:
        cross_validate(records)
        return
    x_all = np.array([[r["features"][n] for n in NAMES] for r in records])
    y = np.array([1.0 if r["label"] == "blurred" else 0.0 for r in records])
    means, scales = x_all.mean(axis=0), x_all.std(axis=0) + 1e-9
    used = [NAMES.index(n) for n in USED]
    z = (x_all - means) / scales
    synthetic = np.array(["synthetic" in r["tags"] or r["source"].startswith("synthetic_") for r in records])
    beta = logistic_fit(z[:, used], y, sample_weights(y, synthetic), l2=L2)
    weights = np.zeros(len(NAMES))
    weights[used] = beta[1:]

    typed = [r for r in records if r["label"] == "blurred" and r["blur_type_label"] in ("motion", "defocus")]
    a = np.array([[r["features"][n] for n in TYPE_CUES] for r in typed])
    t = np.array([1.0 if r["blur_type_label"] == "motion" else 0.0 for r in typed])
    # As for the score, synthetic blur weighs SYNTHETIC_SHARE of the whole; within the real
    # photos the FIT set's own mix (mostly shake) stands for the product's prior that camera
    # shake is the commoner cause of a blurred photo.
    typed_synthetic = np.array(["synthetic" in r["tags"] or r["source"].startswith("synthetic_") for r in typed])
    type_weights = np.where(typed_synthetic, SYNTHETIC_SHARE / max(1, typed_synthetic.sum()),
                            (1 - SYNTHETIC_SHARE) / max(1, (~typed_synthetic).sum())) * len(t)
    type_beta = logistic_fit(a, t, type_weights, l2=0.01)

    # Map cells: a 1-D fit of the label on best_sharpness gives the local midpoint and slope.
    s = x_all[:, NAMES.index("best_sharpness")][:, None]
    map_beta = logistic_fit(s, 1 - y, balanced_weights(1 - y), l2=0.01)
    midpoint = -map_beta[0] / map_beta[1]

    def array(values):
        return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"

    sharp_n, blur_n = int((y == 0).sum()), int(y.sum())
    sources = sorted({r["source"] for r in records})
    print(f"""extension BlurCalibration {{
    /// Produced by `eval/fit_calibration.py` on the FIT sources of eval/DATASETS.md
    /// ({sharp_n} sharp, {blur_n} blurred photos from: {", ".join(sources)}).
    /// Feature order: BlurFeatures.names. Do not edit by hand: refit.
    public static let fitted = BlurCalibration(
        means: {array(means)},
        scales: {array(scales)},
        weights: {array(weights)},
        bias: {beta[0]:.6g},
        typeWeights: {array(type_beta[1:])}, typeBias: {type_beta[0]:.6g},
        mapWeight: {map_beta[1]:.6g}, mapMidpoint: {midpoint:.6g})
}}""")


if __name__ == "__main__":
    main()
