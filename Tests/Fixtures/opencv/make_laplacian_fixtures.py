#!/usr/bin/env python3
"""Writes laplacian_variance.json: OpenCV's own `cv2.Laplacian(img, cv2.CV_64F).var()` on
deterministic gray images that BlurDetectionTests regenerates pixel for pixel.

    pip install opencv-python-headless numpy
    python3 Tests/Fixtures/opencv/make_laplacian_fixtures.py
"""
import json
import os

import cv2
import numpy as np


def pattern(kind, width, height):
    """Keep in step with `LaplacianVarianceTests.pattern`."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    if kind == "ramp":
        return (x * 7 + y * 13) % 256
    if kind == "checker":
        return np.where(((x // 3) + (y // 2)) % 2 == 0, 40, 210)
    if kind == "mixed":
        return (x * x + 3 * y * x + 11 * y) % 256
    if kind == "lcg":
        # 32-bit linear congruential generator, seed 12345, high byte of each state.
        out = np.zeros(width * height, dtype=np.int64)
        state = 12345
        for i in range(width * height):
            state = (1103515245 * state + 12345) % (1 << 31)
            out[i] = state >> 23
        return out.reshape(height, width)
    raise ValueError(kind)


cases = []
for kind, width, height in [("ramp", 64, 48), ("checker", 37, 29), ("mixed", 100, 7),
                            ("lcg", 50, 40), ("lcg", 1, 1), ("lcg", 3, 2), ("checker", 2, 9)]:
    image = pattern(kind, width, height).astype(np.uint8)
    value = float(cv2.Laplacian(image, cv2.CV_64F).var())
    cases.append({"pattern": kind, "width": width, "height": height, "variance": value})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "laplacian_variance.json")
with open(path, "w") as handle:
    json.dump({"opencv": cv2.__version__, "cases": cases}, handle, indent=1)
print(path)
