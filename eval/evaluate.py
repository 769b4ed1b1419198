#!/usr/bin/env python3
"""`make eval`: runs `classify scan` and, in the same run, OpenCV's variance of the Laplacian
over the labelled set, and prints per subset: AUC, balanced accuracy at the default
threshold 0.50, same-scene pair AUC, false-blurred rate (bokeh, night, plain scenes) and
blur-type accuracy. Figures that matter are on TEST sources, never fitted on.

    python3 eval/evaluate.py [--analysis-size N] [--include-fit]
"""
import argparse
import json
import os

import numpy as np

import common
from metrics import auc, balanced_accuracy, pair_auc

THRESHOLD = 0.50


def subsets(rows, include_fit):
    test = [r for r in rows if not common.is_fit(r)]
    fit = [r for r in rows if common.is_fit(r)]
    yield "TEST pooled", test
    for source in sorted({r["source"] for r in test}):
        yield f"  source {source}", [r for r in test if r["source"] == source]
    for tag in ("bokeh", "night", "low_texture", "synthetic"):
        members = [r for r in test if tag in r["tags"]]
        if members:
            yield f"  tag {tag}", members
    paired = [r for r in test if r.get("pair_id")]
    if paired:
        yield "  same-scene groups", paired
    if include_fit:
        yield "FIT pooled (fitted on: not a result)", fit


def vol_threshold(rows, vol):
    """The variance-of-Laplacian threshold with the best balanced accuracy on FIT sources:
    the fairest fixed threshold the peer can have."""
    fit = [r for r in rows if common.is_fit(r) and vol.get(r["abspath"]) is not None]
    labels = np.array([r["label"] == "blurred" for r in fit])
    values = np.array([vol[r["abspath"]] for r in fit])
    best = (100.0, -1)
    for candidate in np.unique(values):
        accuracy = balanced_accuracy(values <= candidate, labels)
        if accuracy is not None and accuracy > best[1]:
            best = (float(candidate), accuracy)
    return best[0]


def report(name, rows, ours, vol, vol_cut):
    rows = [r for r in rows if r["abspath"] in ours and "blur_score" in ours[r["abspath"]]
            and vol.get(r["abspath"]) is not None]
    if not rows:
        return None
    labels = np.array([r["label"] == "blurred" for r in rows])
    score = np.array([ours[r["abspath"]]["blur_score"] for r in rows])
    peer = np.array([-vol[r["abspath"]] for r in rows])  # lower variance = more blurred
    sharp = ~labels
    typed = [r for r in rows if r["label"] == "blurred" and r["blur_type"] in ("motion", "defocus")]
    type_hits = [ours[r["abspath"]]["features"]["likely_type"] == r["blur_type"] for r in typed]
    pair_ours, pairs = pair_auc(rows, lambda r: ours[r["abspath"]]["blur_score"])
    pair_peer, _ = pair_auc(rows, lambda r: -vol[r["abspath"]])
    return {
        "subset": name, "sharp": int(sharp.sum()), "blurred": int(labels.sum()),
        "auc": auc(score, labels), "auc_vol": auc(peer, labels),
        "bacc": balanced_accuracy(score >= THRESHOLD, labels),
        "bacc_vol": balanced_accuracy(-peer <= vol_cut, labels),
        "false_blurred": float((score[sharp] >= THRESHOLD).mean()) if sharp.any() else None,
        "false_blurred_vol": float((-peer[sharp] <= vol_cut).mean()) if sharp.any() else None,
        "pair_auc": pair_ours, "pair_auc_vol": pair_peer, "pairs": pairs,
        "type_acc": float(np.mean(type_hits)) if type_hits else None, "typed": len(typed),
    }


def fmt(value, digits=3):
    return "   –  " if value is None else f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--analysis-size", type=int)
    parser.add_argument("--include-fit", action="store_true")
    args = parser.parse_args()
    rows = common.load_manifest()
    extra = ["--analysis-size", str(args.analysis_size)] if args.analysis_size else []
    ours = common.run_classify(rows, extra)
    vol = common.laplacian_variance(rows)
    os.makedirs(common.RESULTS, exist_ok=True)
    with open(os.path.join(common.RESULTS, "scan.jsonl"), "w") as handle:
        for row in rows:
            record = dict(ours.get(row["abspath"], {}), label=row["label"], blur_type_label=row["blur_type"],
                          source=row["source"], tags=sorted(row["tags"]), pair_id=row["pair_id"],
                          vol=vol.get(row["abspath"]), fit=common.is_fit(row))
            handle.write(json.dumps(record) + "\n")
    failures = [p for p, r in ours.items() if "error" in r]
    vol_cut = vol_threshold(rows, vol)
    print(f"classify scan vs OpenCV variance of the Laplacian (VoL, threshold {vol_cut:.1f} fitted on FIT sources)")
    print(f"{len(rows)} photos, {len(failures)} could not be analysed; our threshold {THRESHOLD}")
    header = (f"{'subset':34} {'sharp':>5} {'blur':>5} | {'AUC':>6} {'VoL':>6} | {'BalAcc':>6} {'VoL':>6} |"
              f" {'FalseBl':>7} {'VoL':>6} | {'PairAUC':>7} {'VoL':>6} {'pairs':>5} | {'Type':>6} {'n':>4}")
    print(header)
    print("-" * len(header))
    for name, members in subsets(rows, args.include_fit):
        r = report(name, members, ours, vol, vol_cut)
        if r is None:
            continue
        print(f"{r['subset']:34} {r['sharp']:5} {r['blurred']:5} | {fmt(r['auc'])}  {fmt(r['auc_vol'])} |"
              f" {fmt(r['bacc'])}  {fmt(r['bacc_vol'])} | {fmt(r['false_blurred'])}   {fmt(r['false_blurred_vol'])} |"
              f" {fmt(r['pair_auc'])}   {fmt(r['pair_auc_vol'])} {r['pairs']:5} | {fmt(r['type_acc'])} {r['typed']:4}")
    for path in failures[:10]:
        print(f"  not analysed: {path}: {ours[path]['error']}")


if __name__ == "__main__":
    main()
