#!/usr/bin/env python3
"""Rebuild Tests/Fixtures/photos/: a small committed corpus of real photos.

Only photos shipped inside PyPI packages whose licences allow redistribution are
used (scikit-image's skimage/data, matplotlib's mpl-data/sample_data). The wheels
are fetched with `pip download --no-deps` into a temporary folder and read with
zipfile; nothing is installed. The blurred copies use the generator in
eval/synthesize.py (imported), so the tests and the calibration see the same blur
model. Needs numpy, scipy and Pillow (with WebP support).

    python3 Tests/Fixtures/make_photos.py            # rewrites photos/ and SOURCES.md

Deterministic for fixed package versions (pinned below), seed and Pillow version.
"""
from __future__ import annotations

import glob
import hashlib
import io
import math
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(HERE, "photos")
sys.path.insert(0, os.path.join(ROOT, "eval"))
import synthesize as syn  # noqa: E402

SKIMAGE = ("scikit-image", "0.26.0")
MPL = ("matplotlib", "3.11.2")
SEED = 20240611
QUALITY = 90
MAX_LONG = 1600          # never upscale; downscale only above this
MOTION_FRAC = 0.025      # motion kernel extent, fraction of long side
MOTION_DIR = 30.0        # degrees CCW from horizontal, as viewed
DEFOCUS_FRAC = 0.015     # defocus radius, fraction of long side
DEFOCUS_EDGE = 0.05      # Gaussian edge softening, fraction of radius

PD_NASA = "public domain (NASA photo; skimage.data.astronaut docstring: \"No known copyright restrictions, released into the public domain\")"
# name -> (package, file in wheel, licence, content)
PHOTOS = {
    "astronaut": (SKIMAGE, "skimage/data/astronaut.png", PD_NASA,
                  "person, portrait with flag and shuttle model"),
    "cat": (SKIMAGE, "skimage/data/chelsea.png",
            "CC0 (photographer Stefan van der Walt; skimage.data.chelsea docstring)",
            "animal, cat face, fur texture"),
    "coffee": (SKIMAGE, "skimage/data/coffee.png",
               "CC0 (photographer Rachel Michetti; skimage.data.coffee docstring)",
               "object, cup on wooden table"),
    "rocket": (SKIMAGE, "skimage/data/rocket.jpg",
               "public domain (SpaceX photo released into the public domain; skimage.data.rocket docstring)",
               "outdoor, launch pad, sky"),
    "cameraman": (SKIMAGE, "skimage/data/camera.png",
                  "CC0 (photographer Lav Varshney; skimage.data.camera docstring)",
                  "outdoor, person with camera, GRAYSCALE"),
    "grace-hopper": (MPL, "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
                     "public domain (US Navy official portrait; added to matplotlib as a public-domain image in matplotlib PR #1599; the wheel itself carries no notice)",
                     "person, formal portrait, plain background"),
    "retina": (SKIMAGE, "skimage/data/retina.jpg",
               "CC0 1.0 (Mikael Häggström, Wikimedia Commons; skimage.data.retina docstring)",
               "low texture, fundus photo, large smooth areas and black surround"),
    "hubble": (SKIMAGE, "skimage/data/hubble_deep_field.jpg",
               "public domain (NASA/HubbleSite; skimage.data.hubble_deep_field docstring)",
               "low texture / night-like, mostly black sky with small points"),
}
REAL_BLUR = {
    "clock": (SKIMAGE, "skimage/data/clock_motion.png",
              "public domain (photographer Stefan van der Walt; skimage.data.clock docstring)",
              "REAL camera-motion blur: wall clock shot while moving the camera roughly horizontally, GRAYSCALE"),
}
BLURRED = ["astronaut", "cat", "coffee"]   # get motion-*.jpg and defocus-*.jpg
FORMATS = "coffee"                          # gets .png, .webp and rotated6-*.jpg (not square)


def download(tmp: str) -> dict:
    wheels = {}
    for name, ver in (SKIMAGE, MPL):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        "-q", "-d", tmp, f"{name}=={ver}"], check=True)
        pat = name.replace("-", "_") + f"-{ver}-*.whl"
        found = glob.glob(os.path.join(tmp, pat))
        if not found:
            sys.exit(f"wheel {pat} not found in {tmp}")
        wheels[(name, ver)] = found[0]
    return wheels


def read_member(wheels: dict, pkg, member: str) -> bytes:
    with zipfile.ZipFile(wheels[pkg]) as z:
        return z.read(member)


def limit(im: Image.Image) -> tuple[Image.Image, str]:
    if max(im.size) <= MAX_LONG:
        return im, "kept at original size"
    f = MAX_LONG / max(im.size)
    new = (round(im.width * f), round(im.height * f))
    return im.resize(new, Image.LANCZOS), f"downscaled (Lanczos) from {im.width}x{im.height}"


def save_jpeg(im: Image.Image, name: str, **kw) -> str:
    path = os.path.join(OUT, name)
    im.save(path, "JPEG", quality=QUALITY, optimize=True, **kw)
    return path


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):          # the folder is entirely generated
        os.remove(os.path.join(OUT, f))
    rows = []  # (file, origin, licence, derivation)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = download(tmp)
        sharp = {}
        for name, (pkg, member, lic, content) in {**PHOTOS, **REAL_BLUR}.items():
            raw = read_member(wheels, pkg, member)
            sha = hashlib.sha256(raw).hexdigest()[:16]
            im = ImageOps.exif_transpose(Image.open(io.BytesIO(raw)))
            im = im.convert("L" if im.mode in ("L", "I;16", "I") else "RGB")
            orig_size = f"{im.width}x{im.height}"
            im, how = limit(im)
            prefix = "realmotion" if name in REAL_BLUR else "sharp"
            fn = f"{prefix}-{name}.jpg"
            save_jpeg(im, fn)
            origin = f"{pkg[0]} {pkg[1]} wheel, `{member}` ({orig_size}, sha256 {sha}…)"
            rows.append((fn, origin, lic, f"{content}. {how}; {im.mode}; JPEG q{QUALITY}"))
            sharp[name] = (im, origin, lic)

        for name in BLURRED:
            im, origin, lic = sharp[name]
            arr = np.asarray(im)
            L = max(im.size)
            rng = np.random.default_rng([SEED, sum(map(ord, name))])
            k, info = syn.motion_kernel(MOTION_FRAC * L, rng, style="linear", direction_deg=MOTION_DIR)
            out, p = syn.blur_image(arr, k, rng)
            fn = f"motion-{name}.jpg"
            save_jpeg(Image.fromarray(out), fn)
            rows.append((fn, origin, lic,
                         f"from the source pixels of sharp-{name}.jpg (before its JPEG encoding) with "
                         f"eval/synthesize.py: motion_kernel(length_px={info['length_px']} = "
                         f"{MOTION_FRAC:.1%} of {L}, style=linear, direction_deg={MOTION_DIR:g}) -> "
                         f"path {info['path_px']} px, kernel {info['kernel_size'][1]}x{info['kernel_size'][0]}, "
                         f"measured direction {info['direction_deg']}°, anisotropy {info['anisotropy']}; "
                         f"blur_image in linear light, highlight_gain {p['highlight_gain']}, "
                         f"noise a={p['noise']['a']} b={p['noise']['b']}; seed [{SEED}, {sum(map(ord, name))}]; "
                         f"label blurred/motion"))
            r = DEFOCUS_FRAC * L
            k, info = syn.defocus_kernel(r, DEFOCUS_EDGE * r)
            out, p = syn.blur_image(arr, k, rng)
            fn = f"defocus-{name}.jpg"
            save_jpeg(Image.fromarray(out), fn)
            rows.append((fn, origin, lic,
                         f"from the source pixels of sharp-{name}.jpg with eval/synthesize.py: "
                         f"defocus_kernel(radius_px={info['radius_px']} = {DEFOCUS_FRAC:.1%} of {L}, "
                         f"edge_sigma_px={info['edge_sigma_px']}); blur_image in linear light, "
                         f"highlight_gain {p['highlight_gain']}, noise a={p['noise']['a']} "
                         f"b={p['noise']['b']}; label blurred/defocus"))

        # cross-format copies: the decoded pixels of sharp-<name>.jpg, stored losslessly
        im, origin, lic = sharp[FORMATS]
        dec = Image.open(os.path.join(OUT, f"sharp-{FORMATS}.jpg"))
        dec.load()
        dec = dec.convert("RGB")
        dec.save(os.path.join(OUT, f"sharp-{FORMATS}.png"), "PNG", optimize=True)
        rows.append((f"sharp-{FORMATS}.png", origin, lic,
                     f"the decoded pixels of sharp-{FORMATS}.jpg (Pillow/libjpeg), PNG lossless"))
        dec.save(os.path.join(OUT, f"sharp-{FORMATS}.webp"), "WEBP", lossless=True, quality=100, method=6)
        rows.append((f"sharp-{FORMATS}.webp", origin, lic,
                     f"the decoded pixels of sharp-{FORMATS}.jpg (Pillow/libjpeg), WebP lossless"))

        # EXIF Orientation 6 = "0th row is the visual right side": a viewer rotates the
        # stored pixels 90° clockwise to display them. So the stored pixels are the
        # upright photo rotated 90° counter-clockwise.
        stored = im.transpose(Image.ROTATE_90)      # PIL: ROTATE_90 = 90° CCW
        exif = Image.Exif()
        exif[274] = 6
        fn = f"rotated6-{FORMATS}.jpg"
        save_jpeg(stored, fn, exif=exif.tobytes())
        chk = Image.open(os.path.join(OUT, fn))
        assert chk.getexif().get(274) == 6
        up = ImageOps.exif_transpose(chk)
        assert up.size == im.size, (up.size, im.size)
        diff = np.abs(np.asarray(up, dtype=int) - np.asarray(im, dtype=int)).mean()
        assert diff < 4, diff
        rows.append((fn, origin, lic,
                     f"the source pixels of sharp-{FORMATS}.jpg rotated 90° counter-clockwise "
                     f"(stored {stored.width}x{stored.height}) with EXIF Orientation=6, so a viewer that "
                     f"honours EXIF rotates it 90° clockwise and shows it upright "
                     f"({im.width}x{im.height}) like sharp-{FORMATS}.jpg (mean abs diff after "
                     f"exif_transpose {diff:.2f}/255); JPEG q{QUALITY}"))

    write_sources(rows)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total / 1e6:.2f} MB in {OUT}")
    assert total <= 8 * 1024 * 1024
    return 0


def write_sources(rows) -> None:
    lines = [
        "# Test photos: where they come from",
        "",
        "Generated by `Tests/Fixtures/make_photos.py` (rerunnable; it `pip download`s the",
        f"wheels {SKIMAGE[0]}=={SKIMAGE[1]} and {MPL[0]}=={MPL[1]} into a temporary folder and reads",
        "the images from them). Nothing here comes from a GitHub snapshot. Blurred copies use",
        "the same generator as the calibration set, `eval/synthesize.py`.",
        "",
        "- `sharp-*` are real, in-focus photos (label sharp). `realmotion-clock.jpg` is a",
        "  real camera-motion-blurred photo (label blurred, motion roughly horizontal).",
        f"- `motion-*`: synthetic camera shake, extent {MOTION_FRAC:.1%} of the long side,",
        f"  near-linear trajectory with principal direction {MOTION_DIR:g}° counter-clockwise from",
        "  horizontal as viewed (so the streaks run from lower-left to upper-right).",
        f"- `defocus-*`: synthetic defocus, pillbox radius {DEFOCUS_FRAC:.1%} of the long side.",
        "- `sharp-coffee.png` / `.webp` hold exactly the pixels that decoding",
        "  `sharp-coffee.jpg` with Pillow gives, so scores across the three formats should",
        "  match closely (other JPEG decoders may differ by ±1-2 levels).",
        "- `rotated6-coffee.jpg` must be read with EXIF orientation applied: it then has",
        "  the size and content of `sharp-coffee.jpg` (600x400).",
        "",
        "Licences: every source image is public domain or CC0, as stated in the",
        "docstrings of `skimage/data/_fetchers.py` in the same wheel (scikit-image's own",
        "code is BSD-3-Clause) or, for Grace Hopper, in matplotlib PR #1599.",
        "",
        "| file | px | bytes | origin | licence | derivation |",
        "|---|---|---|---|---|---|",
    ]
    for fn, origin, lic, how in rows:
        p = os.path.join(OUT, fn)
        im = Image.open(p)
        lines.append(f"| `{fn}` | {im.width}x{im.height} | {os.path.getsize(p)} | {origin} | {lic} | {how} |")
    lines.append("")
    with open(os.path.join(OUT, "SOURCES.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
