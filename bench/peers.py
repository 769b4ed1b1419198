#!/usr/bin/env python3
"""Time what others do to score blur, single-threaded, over the JPEGs in DIR.

Usage: python3 bench/peers.py DIR [PASSES]

  opencv_seed_ms      the seed's path: cv2.imread (full-size colour) → cvtColor to gray →
                      Laplacian (CV_64F) variance
  opencv_reduced4_ms  OpenCV's fastest load: cv2.imread(IMREAD_REDUCED_GRAYSCALE_4)
                      (libjpeg DCT scaling to 1/4, gray) → Laplacian variance

Each method is warmed up once over all files, then every file is timed PASSES times
(default 3, at least 2); the figure is the median over all timings, in ms per photo.
Prints one JSON object.
"""

import glob
import json
import os
import statistics
import sys
import time

import cv2


def seed(path):
    image = cv2.imread(path)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return cv2.Laplacian(gray, cv2.CV_64F).var()


def reduced4(path):
    gray = cv2.imread(path, cv2.IMREAD_REDUCED_GRAYSCALE_4)
    return cv2.Laplacian(gray, cv2.CV_64F).var()


def time_method(method, files, passes):
    for path in files:  # warm-up: page cache, library initialisation
        method(path)
    timings = []
    for _ in range(passes):
        for path in files:
            start = time.perf_counter()
            method(path)
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: peers.py DIR [PASSES]")
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.jpg")))
    if not files:
        sys.exit(f"no .jpg files in {sys.argv[1]}")
    passes = max(2, int(sys.argv[2]) if len(sys.argv) == 3 else 3)
    cv2.setNumThreads(1)
    result = {
        "photos": len(files),
        "passes": passes,
        "opencv_version": cv2.__version__,
        "opencv_seed_ms": round(time_method(seed, files, passes), 2),
        "opencv_reduced4_ms": round(time_method(reduced4, files, passes), 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
