#!/usr/bin/env python3
"""Synthetic camera-shake and defocus blur, for FITTING the calibration only.

Never use this set as the only test: a detector tuned on it can learn the
generator instead of real blur. The held-out real sets in eval/data are the test.

Input:  eval/data/manifest.csv (path,source,label,blur_type,pair_id,tags; paths
        relative to eval/data). Sharp rows (label=sharp) of the sources named
        with --sources are used, plus every image in --extra-dir (if given).
Output: eval/data/synthetic/<source>/<stem>__sharp.jpg      sharp original, re-encoded
        eval/data/synthetic/<source>/<stem>__v<k>_<kind>.jpg blurred variants (k = 1..N)
        eval/data/synthetic_manifest.csv with columns
            path,source,label,blur_type,pair_id,tags,direction_deg,kernel
        source = "synthetic_<origsource>", pair_id = "syn_<origsource>_<stem>" ties the
        variants to their re-encoded original. tags = the original's tags plus
        "synthetic", the kernel kind, "mild" (near the visibility limit) and
        "downscaled" (see below). Rows whose path is rewritten are replaced; all
        other rows of an existing synthetic_manifest.csv are kept.

How an image is made
--------------------
1. Load with EXIF orientation applied, convert to RGB. If the long side is over
   --max-side (2000 px) it is first downscaled (Lanczos) so the long side is
   2000 px; the factor and the original size go into the kernel JSON and the tag
   "downscaled" is added. The sharp original is saved at that same size.
2. sRGB -> linear light (IEC 61966-2-1). Pixels clipped in all channels (min
   channel ramping from 240 to 255) get a random highlight gain (1.5x-4x) so light
   sources smear into bright streaks as in real shake, instead of dim grey ones.
3. FFT convolution (scipy.signal.fftconvolve) with reflect padding, one kernel
   for the whole frame (spatially uniform blur).
4. Mild sensor-like Poisson-Gaussian noise in linear light:
   var = a*x + b^2, a log-uniform in [5e-5, 4e-4], b log-uniform in [3e-4, 1.5e-3].
5. linear -> sRGB, round to 8 bit, save JPEG quality 90 at the same size.

Kernels (all lengths relative to the long side L of the processed image):
- motion: a camera-shake trajectory from an inertial random walk in the spirit
  of Boracchi & Foi (2012): the heading turns with an angular velocity that is
  itself a smoothed random process (inertia), speed varies smoothly (so the kernel
  has brighter slow parts), and a little tremor jitter is added. Styles:
    linear (55 %)  almost straight, total turning ~ 0.1-0.3 rad
    curved (30 %)  smooth arc or S, 0.6-2.5 rad of turning
    shake  (15 %)  jagged walk with a back-and-forth reversal
  The trajectory is scaled so its length = max distance between any two of its
  points (the kernel's extent) equals the target; the target is log-uniform in
  [0.4 %, 3 %] of L. It is rasterised with bilinear splatting at constant time
  steps, centred on its time-centroid (so the blurred image is not shifted
  relative to the sharp one).
- defocus: a pillbox (uniform disc), anti-aliased by 8x8 supersampling, radius
  log-uniform in [0.3 %, 2 %] of L, edge softened by a Gaussian with sigma
  0-0.15 * radius (sigma 0 for 30 % of the kernels).
- mild (15 % of the variants): motion extent in [0.25 %, 0.45 %] of L or defocus
  radius in [0.18 %, 0.33 %] of L, around the visibility limit.

LABEL RULE
----------
  blurred  if  motion extent >= 0.4 % of L   (MOTION_MIN_FRAC)
           or  defocus radius >= 0.3 % of L  (DEFOCUS_MIN_FRAC)
  sharp    otherwise. Such images look sharp at screen size; they get
           label=sharp, blur_type=none, tag "mild" and still record their kernel.

Direction (motion only): the principal axis of the kernel from its second moments
(weighted covariance of the pixel coordinates), as degrees in [0, 180),
counter-clockwise from horizontal as viewed. Image y points down in memory, so
the sign of dy is flipped. The kernel JSON also holds "anisotropy" = 1 -
minor/major eigenvalue (0 = round, 1 = a line); the direction means little
below ~0.5.

Determinism: every image gets its own RNG seeded from (--seed, crc32 of its
path), so its output does not depend on which other images are processed or
on --jobs.

Usage:
  python3 eval/synthesize.py --sources ebb_vabd,cuhk_dbd,dicm_lowlight [--n 2]
         [--extra-dir DIR [--extra-source NAME]] [--seed 0] [--jobs 2]

The functions srgb_to_linear, motion_kernel, defocus_kernel, kernel_direction,
blur_image and label_for are imported by Tests/Fixtures/make_photos.py.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import zlib
from multiprocessing import Pool

import numpy as np
from scipy import ndimage, signal

try:
    from PIL import Image, ImageOps
except ImportError:  # pragma: no cover
    sys.exit("Pillow is missing: pip install pillow")

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

MOTION_MIN_FRAC = 0.004    # motion extent >= 0.4 % of the long side -> blurred
DEFOCUS_MIN_FRAC = 0.003   # defocus radius >= 0.3 % of the long side -> blurred
MOTION_RANGE = (0.004, 0.03)
DEFOCUS_RANGE = (0.003, 0.02)
MILD_MOTION_RANGE = (0.0025, 0.0045)
MILD_DEFOCUS_RANGE = (0.0018, 0.0033)
P_MILD = 0.15
MAX_SIDE = 2000
JPEG_QUALITY = 90
IMG_EXT = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")
FIELDS = ["path", "source", "label", "blur_type", "pair_id", "tags", "direction_deg", "kernel"]


# ----------------------------------------------------------------------------- colour
def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """sRGB in [0,1] -> linear light."""
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(y: np.ndarray) -> np.ndarray:
    y = np.clip(y, 0.0, 1.0)
    return np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.power(y, 1 / 2.4) - 0.055)


# ----------------------------------------------------------------------------- kernels
def _smooth_noise(rng, n, corr, size=None):
    """Zero-mean, unit-std random process of n samples, correlation length ~corr*n."""
    w = rng.standard_normal(n if size is None else (size, n))
    s = max(corr * n, 1.0)
    out = ndimage.gaussian_filter1d(w, s, axis=-1, mode="reflect")
    sd = out.std(axis=-1, keepdims=out.ndim > 1)
    return out / np.maximum(sd, 1e-12)


def _extent(p: np.ndarray) -> float:
    """Max distance between any two points of a complex trajectory."""
    q = p[:: max(1, len(p) // 600)]
    q = np.concatenate([q, p[-1:]])
    d = np.abs(q[:, None] - q[None, :])
    return float(d.max())


def shake_trajectory(rng, style: str, n: int = 2000) -> np.ndarray:
    """Complex positions x+iy (y down) of an inertial random-walk camera trajectory,
    arbitrary scale. style: linear | curved | shake."""
    t = np.linspace(0.0, 1.0, n)
    if style == "linear":
        turn_total = rng.uniform(0.1, 0.3)     # rad of wandering over the exposure
        bend = rng.uniform(-0.15, 0.15)        # rad of systematic bend
        jitter = rng.uniform(0.0, 0.02)
        reversals = 0
    elif style == "curved":
        turn_total = rng.uniform(0.3, 0.9)
        bend = rng.choice([-1, 1]) * rng.uniform(0.6, 2.5)
        jitter = rng.uniform(0.0, 0.03)
        reversals = 0
    elif style == "shake":
        turn_total = rng.uniform(0.8, 2.0)
        bend = rng.uniform(-0.8, 0.8)
        jitter = rng.uniform(0.02, 0.06)
        reversals = 1
    else:
        raise ValueError(style)
    # heading = constant bend + integral of a smoothed random angular velocity
    # (the smoothing is the inertia), scaled to turn_total rad peak-to-peak
    wander = np.cumsum(_smooth_noise(rng, n, rng.uniform(0.08, 0.25)))
    wander = wander / max(np.ptp(wander), 1e-9) * turn_total
    heading = bend * t + wander
    for _ in range(reversals):
        tr = rng.uniform(0.35, 0.75)
        w = rng.uniform(0.02, 0.08)
        heading = heading + (math.pi - rng.uniform(-0.5, 0.5)) / (1 + np.exp(-(t - tr) / w))
    speed = np.exp(rng.uniform(0.15, 0.5) * _smooth_noise(rng, n, rng.uniform(0.05, 0.2)))
    pos = np.concatenate([[0j], np.cumsum(speed * np.exp(1j * heading))[:-1]])
    scale = max(_extent(pos), 1e-9)
    if jitter > 0:
        jx, jy = _smooth_noise(rng, n, 0.025, size=2)
        pos = pos + jitter * scale * (jx + 1j * jy) / 2
    return pos


def rasterize(pos: np.ndarray) -> np.ndarray:
    """Bilinear splat of trajectory samples (equal time steps) into a normalised kernel,
    centred on the time-centroid."""
    pos = pos - pos.mean()
    r = int(math.ceil(np.abs(pos.real).max() + 1)), int(math.ceil(np.abs(pos.imag).max() + 1))
    h, w = 2 * r[1] + 1, 2 * r[0] + 1
    k = np.zeros((h, w))
    x = pos.real + r[0]
    y = pos.imag + r[1]
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    for dx, dy, wt in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)),
                       (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        np.add.at(k, (y0 + dy, x0 + dx), wt)
    return k / k.sum()


def kernel_direction(k: np.ndarray) -> tuple[float, float]:
    """(direction_deg in [0,180) CCW from horizontal as viewed, anisotropy 0..1)
    from the kernel's second moments."""
    h, w = k.shape
    yy, xx = np.mgrid[0:h, 0:w]
    s = k.sum()
    mx, my = (k * xx).sum() / s, (k * yy).sum() / s
    cxx = (k * (xx - mx) ** 2).sum() / s
    cyy = (k * (yy - my) ** 2).sum() / s
    cxy = (k * (xx - mx) * (yy - my)).sum() / s
    evals, evecs = np.linalg.eigh(np.array([[cxx, cxy], [cxy, cyy]]))
    vx, vy = evecs[:, 1]                      # major axis, y down in memory
    ang = math.degrees(math.atan2(-vy, vx)) % 180.0
    aniso = 1.0 - evals[0] / evals[1] if evals[1] > 0 else 0.0
    return round(ang, 2) % 180.0, round(float(aniso), 3)


def motion_kernel(length_px: float, rng, style: str | None = None,
                  direction_deg: float | None = None) -> tuple[np.ndarray, dict]:
    """Camera-shake kernel whose extent is length_px. style None = random
    (linear 55 %, curved 30 %, shake 15 %). direction_deg None = random; otherwise the
    trajectory is rotated so its principal axis points that way (CCW, as viewed)."""
    if style is None:
        style = str(rng.choice(["linear", "curved", "shake"], p=[0.55, 0.30, 0.15]))
    n = int(max(400, min(6000, 12 * length_px)))
    pos = shake_trajectory(rng, style, n)
    pos = pos / _extent(pos) * length_px
    path_len = float(np.abs(np.diff(pos)).sum())
    # principal axis of the samples (y down): rotate to the wanted direction
    c = pos - pos.mean()
    cov = np.cov(np.stack([c.real, c.imag]))
    _, ev = np.linalg.eigh(cov)
    cur = math.atan2(-ev[1, 1], ev[0, 1])          # CCW as viewed
    want = math.radians(direction_deg if direction_deg is not None else rng.uniform(0, 180))
    # rotating CCW as viewed by a = multiplying (x + i*y_down) by exp(-i a)
    pos = pos * np.exp(-1j * (want - cur))
    k = rasterize(pos)
    ang, aniso = kernel_direction(k)
    return k, dict(type="motion", style=style, length_px=round(length_px, 2),
                   path_px=round(path_len, 2), kernel_size=list(k.shape),
                   direction_deg=ang, anisotropy=aniso)


def defocus_kernel(radius_px: float, edge_sigma_px: float = 0.0) -> tuple[np.ndarray, dict]:
    """Anti-aliased pillbox of the given radius, optionally Gaussian-softened edge."""
    ss = 8
    pad = int(math.ceil(3 * edge_sigma_px)) + 1
    r = int(math.ceil(radius_px)) + pad
    size = 2 * r + 1
    c = (np.arange(size * ss) + 0.5) / ss - (r + 0.5)
    yy, xx = np.meshgrid(c, c, indexing="ij")
    disc = (xx ** 2 + yy ** 2 <= radius_px ** 2).astype(float)
    k = disc.reshape(size, ss, size, ss).mean(axis=(1, 3))
    if edge_sigma_px > 0:
        k = ndimage.gaussian_filter(k, edge_sigma_px, mode="constant")
    k /= k.sum()
    return k, dict(type="defocus", radius_px=round(radius_px, 2),
                   edge_sigma_px=round(edge_sigma_px, 2), kernel_size=list(k.shape))


def label_for(info: dict, long_side: int) -> str:
    """The label rule (see module docstring)."""
    if info["type"] == "motion":
        return "blurred" if info["length_px"] >= MOTION_MIN_FRAC * long_side - 1e-9 else "sharp"
    if info["type"] == "defocus":
        return "blurred" if info["radius_px"] >= DEFOCUS_MIN_FRAC * long_side - 1e-9 else "sharp"
    return "sharp"


# ----------------------------------------------------------------------------- image ops
def blur_image(rgb8: np.ndarray, kernel: np.ndarray, rng, noise: bool = True,
               highlight_gain: float | None = None) -> tuple[np.ndarray, dict]:
    """Blur an 8-bit sRGB image (H,W,3 or H,W) in linear light; returns 8-bit sRGB
    of the same shape and the parameters used."""
    gray = rgb8.ndim == 2
    img = rgb8[..., None] if gray else rgb8
    lin = srgb_to_linear(img.astype(np.float64) / 255.0)
    if highlight_gain is None:
        highlight_gain = float(rng.uniform(1.5, 4.0))
    # light sources: only pixels clipped in every channel, with a smooth ramp
    # (min channel 240 -> 255) so no hard-edged boosted regions appear
    w = np.clip((img.min(axis=2, keepdims=True).astype(np.float64) - 240.0) / 15.0, 0, 1)
    w = w * w * (3 - 2 * w)
    lin = lin * (1.0 + (highlight_gain - 1.0) * w)
    ph, pw = kernel.shape[0] // 2, kernel.shape[1] // 2
    padded = np.pad(lin, ((ph, ph), (pw, pw), (0, 0)), mode="reflect")
    out = signal.fftconvolve(padded, kernel[:, :, None], mode="valid", axes=(0, 1))
    params = dict(highlight_gain=round(highlight_gain, 2))
    if noise:
        a = float(math.exp(rng.uniform(math.log(5e-5), math.log(4e-4))))
        b = float(math.exp(rng.uniform(math.log(3e-4), math.log(1.5e-3))))
        out = np.clip(out, 0, 1)
        if gray:
            sd = np.sqrt(a * out + b * b)
            out = out + sd * rng.standard_normal(out.shape)
        else:  # noise mostly per channel, a bit shared (demosaicing correlates it)
            sd = np.sqrt(a * out + b * b)
            out = out + sd * (0.8 * rng.standard_normal(out.shape)
                              + 0.6 * rng.standard_normal(out.shape[:2] + (1,)))
        params["noise"] = dict(a=float(f"{a:.3g}"), b=float(f"{b:.3g}"))
    res = np.round(linear_to_srgb(out) * 255.0).astype(np.uint8)
    return (res[..., 0] if gray else res), params


def load_rgb(path: str, max_side: int = MAX_SIDE) -> tuple[Image.Image, dict]:
    im = Image.open(path)
    im = ImageOps.exif_transpose(im)
    im = im.convert("RGB")
    info = dict(src_size=list(im.size), scale=1.0)
    long = max(im.size)
    if long > max_side:
        f = max_side / long
        new = (max(1, round(im.size[0] * f)), max(1, round(im.size[1] * f)))
        im = im.resize(new, Image.LANCZOS)
        info["scale"] = round(f, 5)
    return im, info


def save_jpeg(arr_or_img, path: str, quality: int = JPEG_QUALITY) -> None:
    im = arr_or_img if isinstance(arr_or_img, Image.Image) else Image.fromarray(arr_or_img)
    im.save(path, "JPEG", quality=quality, optimize=True)


# ----------------------------------------------------------------------------- driver
def _log_uniform(rng, lo, hi):
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def plan_variant(rng, kind: str, long_side: int, mild: bool):
    if kind == "motion":
        lo, hi = MILD_MOTION_RANGE if mild else MOTION_RANGE
        frac = rng.uniform(lo, hi) if mild else _log_uniform(rng, lo, hi)
        k, info = motion_kernel(frac * long_side, rng)
        info["length_frac"] = round(frac, 5)
    else:
        lo, hi = MILD_DEFOCUS_RANGE if mild else DEFOCUS_RANGE
        frac = rng.uniform(lo, hi) if mild else _log_uniform(rng, lo, hi)
        r = frac * long_side
        sigma = 0.0 if rng.random() < 0.3 else rng.uniform(0.0, 0.15) * r
        k, info = defocus_kernel(r, sigma)
        info["radius_frac"] = round(frac, 5)
    return k, info


def process(job: dict) -> list[dict]:
    src_path, source, stem, tags, n, seed, out_dir, max_side = (
        job["abs"], job["source"], job["stem"], job["tags"], job["n"], job["seed"],
        job["out_dir"], job["max_side"])
    rng = np.random.default_rng([seed, zlib.crc32(job["key"].encode())])
    im, scale_info = load_rgb(src_path, max_side)
    arr = np.asarray(im)
    long_side = max(im.size)
    base_tags = [t for t in tags.split(";") if t] + ["synthetic"]
    if scale_info["scale"] != 1.0:
        base_tags.append("downscaled")
    pair_id = f"syn_{source}_{stem}"
    rows = []
    os.makedirs(out_dir, exist_ok=True)
    rel_dir = os.path.relpath(out_dir, job["data"]).replace(os.sep, "/")
    sharp_name = f"{stem}__sharp.jpg"
    save_jpeg(im, os.path.join(out_dir, sharp_name))
    rows.append(dict(path=f"{rel_dir}/{sharp_name}", source=f"synthetic_{source}", label="sharp",
                     blur_type="none", pair_id=pair_id, tags=";".join(base_tags), direction_deg="",
                     kernel=json.dumps(dict(type="none", orig=job["rel"], **scale_info),
                                       separators=(",", ":"))))
    first = int(rng.integers(2))  # motion/defocus alternate, random start
    for v in range(n):
        kind = ("motion", "defocus")[(first + v) % 2]
        mild = bool(rng.random() < P_MILD)
        k, info = plan_variant(rng, kind, long_side, mild)
        out, params = blur_image(arr, k, rng)
        label = label_for(info, long_side)
        info.update(params)
        info.update(orig=job["rel"], **scale_info)
        name = f"{stem}__v{v + 1}_{kind}{'_mild' if mild else ''}.jpg"
        save_jpeg(out, os.path.join(out_dir, name))
        t = base_tags + [kind] + (["mild"] if mild else [])
        rows.append(dict(path=f"{rel_dir}/{name}", source=f"synthetic_{source}", label=label,
                         blur_type=kind if label == "blurred" else "none", pair_id=pair_id,
                         tags=";".join(t),
                         direction_deg=info["direction_deg"] if kind == "motion" else "",
                         kernel=json.dumps(info, separators=(",", ":"))))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", default="", help="comma-separated manifest source names")
    ap.add_argument("--extra-dir", help="folder of extra sharp images")
    ap.add_argument("--extra-source", help="source name for --extra-dir (default: folder name)")
    ap.add_argument("--n", type=int, default=2, help="blurred variants per sharp image")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-side", type=int, default=MAX_SIDE)
    ap.add_argument("--data", default=DATA, help="eval data folder (manifest.csv inside)")
    a = ap.parse_args(argv)

    data = os.path.abspath(a.data)
    manifest = os.path.join(data, "manifest.csv")
    out_root = os.path.join(data, "synthetic")
    wanted = [s for s in a.sources.split(",") if s]
    jobs = []
    if wanted:
        with open(manifest, newline="") as f:
            rows = list(csv.DictReader(f))
        known = {r["source"] for r in rows}
        missing = [s for s in wanted if s not in known]
        if missing:
            print(f"unknown source(s): {', '.join(missing)}", file=sys.stderr)
            return 2
        for r in rows:
            if r["source"] in wanted and r["label"] == "sharp":
                rel = r["path"]
                sub = os.path.splitext(os.path.relpath(rel, r["source"]))[0]
                jobs.append(dict(abs=os.path.join(data, rel), rel=rel, key=rel, source=r["source"],
                                 stem=sub.replace(os.sep, "_").replace("/", "_"), tags=r["tags"]))
    if a.extra_dir:
        src = a.extra_source or os.path.basename(os.path.normpath(a.extra_dir))
        for fn in sorted(os.listdir(a.extra_dir)):
            if fn.lower().endswith(IMG_EXT):
                p = os.path.join(a.extra_dir, fn)
                jobs.append(dict(abs=p, rel=os.path.abspath(p), key=f"{src}/{fn}", source=src,
                                 stem=os.path.splitext(fn)[0], tags=""))
    if not jobs:
        print("nothing to do: give --sources and/or --extra-dir", file=sys.stderr)
        return 2
    for j in jobs:
        j.update(n=a.n, seed=a.seed, max_side=a.max_side, data=data,
                 out_dir=os.path.join(out_root, j["source"]))

    if a.jobs > 1:
        with Pool(a.jobs) as pool:
            results = pool.map(process, jobs, chunksize=1)
    else:
        results = [process(j) for j in jobs]
    new_rows = [r for rs in results for r in rs]

    out_manifest = os.path.join(data, "synthetic_manifest.csv")
    old = []
    if os.path.exists(out_manifest):
        with open(out_manifest, newline="") as f:
            old = list(csv.DictReader(f))
    new_paths = {r["path"] for r in new_rows}
    merged = [r for r in old if r["path"] not in new_paths] + new_rows
    with open(out_manifest, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(merged)

    from collections import Counter
    c = Counter((r["source"], r["label"], r["blur_type"]) for r in new_rows)
    print(f"{len(jobs)} originals -> {len(new_rows)} images; {out_manifest} has {len(merged)} rows")
    for k in sorted(c):
        print(f"  {k[0]:28s} {k[1]:8s} {k[2]:8s} {c[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
