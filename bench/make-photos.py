#!/usr/bin/env python3
"""Make COUNT 12-megapixel benchmark JPEGs from the real photos of the evaluation set.

Usage: python3 bench/make-photos.py OUTDIR COUNT

Sources are the photos listed in eval/data/manifest.csv whose long side is at least
3000 px, so the files carry a real camera's detail and size (an upscaled small photo
compresses to a quarter of a real 12 MP file and decodes faster than one). They are taken round-robin across the manifest's sources (each source's photos in
path order), so the set mixes cameras and scenes and is the same on every run. Each is
centre-cropped to 4:3 landscape, resized with Lanczos to 4000×3000 and saved as a baseline
JPEG, quality 90, 4:2:0 chroma subsampling: what a phone or compact camera writes.
"""

import csv
import os
import sys
from collections import defaultdict

from PIL import Image, ImageOps

WIDTH, HEIGHT = 4000, 3000
MIN_LONG_SIDE = 3000
EVAL_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval", "data")


def sources():
    """Usable photos, round-robin over the manifest's sources."""
    by_source = defaultdict(list)
    with open(os.path.join(EVAL_DATA, "manifest.csv"), newline="") as handle:
        for row in csv.DictReader(handle):
            path = os.path.join(EVAL_DATA, row["path"])
            try:
                with Image.open(path) as image:
                    width, height = image.size
            except (OSError, ValueError):
                continue
            if max(width, height) >= MIN_LONG_SIDE:
                by_source[row["source"]].append(path)
    queues = [sorted(paths) for _, paths in sorted(by_source.items())]
    ordered = []
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def twelve_megapixels(path):
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    width, height = image.size
    if width * 3 >= height * 4:  # wider than 4:3: crop the sides
        crop_w, crop_h = height * 4 // 3, height
    else:  # taller: crop top and bottom
        crop_w, crop_h = width, width * 3 // 4
    left, top = (width - crop_w) // 2, (height - crop_h) // 2
    image = image.crop((left, top, left + crop_w, top + crop_h))
    return image.resize((WIDTH, HEIGHT), Image.LANCZOS)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-photos.py OUTDIR COUNT")
    outdir, count = sys.argv[1], int(sys.argv[2])
    photos = sources()
    if not photos:
        sys.exit(f"no photo with a long side of {MIN_LONG_SIDE} px or more in {EVAL_DATA}/manifest.csv")
    os.makedirs(outdir, exist_ok=True)
    for index in range(count):
        source = photos[index % len(photos)]
        target = os.path.join(outdir, f"photo-{index + 1:03d}.jpg")
        twelve_megapixels(source).save(target, "JPEG", quality=90, subsampling=2)
        print(f"{target} <- {os.path.relpath(source, EVAL_DATA)}")


if __name__ == "__main__":
    main()
