"""Shared by eval/evaluate.py and eval/fit_calibration.py: the labelled set, the split by
source, and running `classify scan --features` and OpenCV's variance of the Laplacian."""
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "eval", "data")
RESULTS = os.path.join(ROOT, "eval", "results")

# Split by source, never by image: the calibration is fitted on FIT sources only, and the
# figures are reported on TEST sources it has never seen (eval/DATASETS.md says why each is
# where it is). Synthetic blur (eval/synthesize.py) is for fitting only.
FIT_SOURCES = {"ebb_vabd", "cuhk_dbd", "kohler", "immich_assets", "exifr_fixtures", "digicam_charts",
               "kwentar_scaled"}


def is_fit(row):
    return row["source"] in FIT_SOURCES or row["source"].startswith("synthetic_")


def leaks_test_scenes(row):
    """Synthetic blur made from a TEST source's photos would show the fit those scenes."""
    origin = row["source"][len("synthetic_"):] if row["source"].startswith("synthetic_") else None
    return origin is not None and origin not in FIT_SOURCES and origin != "extra"


def load_manifest(include_synthetic=True):
    rows = []
    names = ["manifest.csv"] + (["synthetic_manifest.csv"] if include_synthetic else [])
    for name in names:
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            if name == "manifest.csv":
                sys.exit("eval/data/manifest.csv is missing: run python3 eval/build_set.py first")
            continue
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                row["abspath"] = os.path.join(DATA, row["path"])
                row["tags"] = set(t for t in (row.get("tags") or "").split(";") if t)
                if os.path.exists(row["abspath"]) and not leaks_test_scenes(row):
                    rows.append(row)
    return rows


def classify_binary():
    binary = os.environ.get("CLASSIFY_BIN")
    if binary:
        return binary
    subprocess.run(["swift", "build", "-c", "release", "--product", "classify"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "classify")


def run_classify(rows, extra_args=(), jobs=2):
    """Runs `classify scan --format json --features` over the rows; returns {abspath: record}."""
    binary = classify_binary()
    results = {}
    paths = [r["abspath"] for r in rows]
    for start in range(0, len(paths), 200):
        chunk = paths[start:start + 200]
        proc = subprocess.run([binary, "scan", "--format", "json", "--features", "--jobs", str(jobs),
                               *extra_args, *chunk], capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            sys.exit(f"classify scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
        for line in proc.stdout.splitlines():
            record = json.loads(line)
            results[record["path"]] = record
    return results


def laplacian_variance(rows):
    """OpenCV's variance of the Laplacian on the full-size gray photo (the seed's method)."""
    import cv2
    cv2.setNumThreads(1)
    values = {}
    for row in rows:
        image = cv2.imread(row["abspath"], cv2.IMREAD_GRAYSCALE)
        values[row["abspath"]] = None if image is None else float(cv2.Laplacian(image, cv2.CV_64F).var())
    return values
