#!/usr/bin/env python3
"""Make COUNT distinct JPEGs (different bytes, so different content hashes) from real photos.

Usage:
  python3 scripts/make-distinct-photos.py OUTDIR COUNT [--source DIR_OR_FILE]... [--size WxH]
      [--min-side N] [--max-side N] [--min-crop F] [--min-source-side N] [--seed N] [--jobs N]

Sources default to the public-domain photos in Tests/Fixtures/photos (JPEG, PNG, WebP).
Photo i is made from source i mod (number of sources): a crop of --min-crop (default 55 %) to
100 % of each side at a seeded random offset, possibly mirrored, resized with Lanczos either to exactly WxH (--size)
or so that its long side is a seeded random length in [--min-side, --max-side], then saved
as a baseline JPEG, quality 82-95, 4:2:0. The same arguments give the same files. Files are
named photo-00001.jpg ...; one already present is kept (a cache), so a rerun only makes what
is missing. The script checks that all COUNT files have distinct SHA-256 digests (varying
the quality of a duplicate until it differs) and prints one summary line.
"""

import argparse
import hashlib
import os
import random
import sys
from multiprocessing import Pool

from PIL import Image, ImageOps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DEFAULT_SOURCE = os.path.join(ROOT, "Tests", "Fixtures", "photos")
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def find_sources(paths, min_source_side):
    found = []
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                found += [os.path.join(folder, n) for n in sorted(names) if n.lower().endswith(EXTENSIONS)]
        else:
            found.append(path)
    usable = []
    for path in found:
        try:
            with Image.open(path) as image:
                if max(image.size) >= min_source_side and min(image.size) >= 32:
                    usable.append(path)
        except (OSError, ValueError):
            continue
    return usable


def parse_size(text):
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def make(task):
    index, source, args = task
    target = os.path.join(args.outdir, f"photo-{index + 1:05d}.jpg")
    if os.path.exists(target) and os.path.getsize(target) > 0:
        return target, False
    rng = random.Random(f"{args.seed}-{index}")
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    width, height = image.size
    if args.size:
        out_w, out_h = parse_size(args.size)
        aspect = out_w / out_h
        # The largest crop of this aspect that fits, scaled by 55-100 %, at a random offset.
        base_w, base_h = (width, round(width / aspect)) if width / height <= aspect else (round(height * aspect), height)
        scale = rng.uniform(args.min_crop, 1.0)
        crop_w, crop_h = max(16, round(base_w * scale)), max(16, round(base_h * scale))
    else:
        crop_w = max(16, round(width * rng.uniform(args.min_crop, 1.0)))
        crop_h = max(16, round(height * rng.uniform(args.min_crop, 1.0)))
        long_side = rng.randint(args.min_side, args.max_side)
        factor = long_side / max(crop_w, crop_h)
        out_w, out_h = max(32, round(crop_w * factor)), max(32, round(crop_h * factor))
    left = rng.randint(0, max(0, width - crop_w))
    top = rng.randint(0, max(0, height - crop_h))
    image = image.crop((left, top, left + crop_w, top + crop_h))
    if rng.random() < 0.5:
        image = ImageOps.mirror(image)
    image = image.resize((out_w, out_h), Image.LANCZOS)
    os.makedirs(args.outdir, exist_ok=True)
    partial = target + ".part"
    image.save(partial, "JPEG", quality=rng.randint(82, 95), subsampling=2)
    os.replace(partial, target)
    return target, True


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("count", type=int)
    parser.add_argument("--source", action="append", help="folder or file (repeatable)")
    parser.add_argument("--size", help="exact output size, e.g. 4000x3000")
    parser.add_argument("--min-side", type=int, default=1600)
    parser.add_argument("--max-side", type=int, default=2400)
    parser.add_argument("--min-crop", type=float, default=0.55, help="smallest crop, as a fraction of a side")
    parser.add_argument("--min-source-side", type=int, default=0, help="ignore smaller sources (long side, px)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.min_side < 32 or args.max_side < args.min_side:
        sys.exit("need 32 <= --min-side <= --max-side")
    if not 0.05 <= args.min_crop <= 1:
        sys.exit("need 0.05 <= --min-crop <= 1")
    sources = find_sources(args.source or [DEFAULT_SOURCE], args.min_source_side)
    if not sources:
        sys.exit("no usable source photo")
    tasks = [(i, sources[i % len(sources)], args) for i in range(args.count)]
    made = 0
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            for _, fresh in pool.imap_unordered(make, tasks, chunksize=8):
                made += fresh
    else:
        for task in tasks:
            made += make(task)[1]
    # Distinct bytes: re-save any duplicate at another quality until it differs.
    seen = {}
    for i in range(args.count):
        path = os.path.join(args.outdir, f"photo-{i + 1:05d}.jpg")
        hash_ = digest(path)
        for quality in range(96, 50, -1):
            if hash_ not in seen:
                break
            with Image.open(path) as image:
                image.load()
                image.save(path, "JPEG", quality=quality, subsampling=2)
            hash_ = digest(path)
        if hash_ in seen:
            sys.exit(f"{path} keeps the bytes of {seen[hash_]}")
        seen[hash_] = path
    print(f"{args.count} distinct photos in {args.outdir} ({made} made now, {len(sources)} sources)")


if __name__ == "__main__":
    main()
