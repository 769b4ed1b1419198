#!/usr/bin/env python3
"""Generate a deterministic corpus of hostile and unusual inputs for `classify scan`.

Usage: python3 scripts/make-bad-corpus.py OUTDIR

Needs only Python 3, Pillow and numpy (installs nothing). OUTDIR is created if missing;
existing entries of the same names are replaced. Writes OUTDIR/expected.json, a manifest:

    {"entries": [{"path": "<relative path as classify prints it>",
                  "path_hex": "<raw bytes, hex>",          # only for non-UTF-8 names
                  "expect": "score" | "error" | "any",     # any: score or error
                  "error": "<substring expected in the error message>",   # errors only
                  "explicit": true,                        # named on the command line
                  "note": "..."}],
     "skipped": ["<relative paths a folder scan must not report>"],
     "separate": [{"scan_arg": ..., "path": ..., "expect": ..., "error": ...}],  # scan alone
     "scan_args": ["<arguments for classify scan, relative to OUTDIR>"],
     "scan_args_hex": ["<the same, raw bytes as hex>"]}

Run `classify scan --format json` with each of scan_args_hex (decoded to bytes) joined to
OUTDIR; "." is the folder itself. Every entry should produce exactly one JSON line.
"""

import io
import json
import os
import shutil
import struct
import sys
import zlib

import numpy as np
from PIL import Image

GIB = 1 << 30


def photo_like(width=320, height=240, seed=0, mode="RGB"):
    """A deterministic picture with what a photo has: smooth shading, texture, hard edges."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = 90 + 80 * (x / width) + 40 * np.sin(y / height * np.pi * 1.5)
    # Hard-edged shapes: a few rectangles and a disc.
    for _ in range(6):
        x0, y0 = rng.randint(0, width - 40), rng.randint(0, height - 30)
        w, h = rng.randint(20, width // 3), rng.randint(15, height // 3)
        base[y0:y0 + h, x0:x0 + w] += rng.uniform(-70, 70)
    cx, cy, r = width * 0.6, height * 0.45, min(width, height) * 0.2
    base[(x - cx) ** 2 + (y - cy) ** 2 < r * r] -= 60
    # Fine texture (stripes) and sensor noise.
    base += 12 * np.sin(x / 2.3) * np.cos(y / 3.1)
    base += rng.normal(0, 6, size=base.shape)
    channels = [np.clip(base + shift, 0, 255) for shift in (10, 0, -15)]
    rgb = np.stack(channels, axis=-1).astype(np.uint8)
    image = Image.fromarray(rgb)
    return image.convert(mode) if mode != "RGB" else image


def jpeg_bytes(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=options.pop("quality", 90), **options)
    return buffer.getvalue()


def png_bytes(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def crafted_png(width, height, rows=None):
    """A PNG whose IHDR declares width×height (8-bit gray), with a tiny IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = rows if rows is not None else b"\x00" * 16
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def jpeg_segments(data):
    """(marker, start offset, segment length incl. marker) for each segment before SOS."""
    offset, found = 2, []
    while offset + 4 <= len(data):
        assert data[offset] == 0xFF
        marker = data[offset + 1]
        length = struct.unpack(">H", data[offset + 2:offset + 4])[0]
        found.append((marker, offset, 2 + length))
        if marker == 0xDA:
            break
        offset += 2 + length
    return found


def with_sof_size(data, width, height):
    out = bytearray(data)
    for marker, start, _ in jpeg_segments(data):
        if marker in (0xC0, 0xC1, 0xC2):
            out[start + 5:start + 9] = struct.pack(">HH", height, width)
            return bytes(out)
    raise ValueError("no SOF segment")


def with_bad_huffman(data):
    out = bytearray(data)
    for marker, start, _ in jpeg_segments(data):
        if marker == 0xC4:
            # The 16 code-length counts of the first table: all 0xFF sums far past 256,
            # which libjpeg rejects ("Bogus Huffman table definition").
            out[start + 5:start + 21] = b"\xff" * 16
            return bytes(out)
    raise ValueError("no DHT segment")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-bad-corpus.py OUTDIR")
    root = os.path.abspath(sys.argv[1])
    os.makedirs(root, exist_ok=True)
    entries, skipped = [], []

    def path_of(rel):
        return os.path.join(os.fsencode(root), rel if isinstance(rel, bytes) else os.fsencode(rel))

    def remove(rel):
        full = path_of(rel)
        if os.path.islink(full) or os.path.isfile(full):
            os.chmod(full, 0o644) if not os.path.islink(full) else None
            os.unlink(full)
        elif os.path.isdir(full):
            shutil.rmtree(full)

    def write(rel, data):
        remove(rel)
        full = path_of(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as handle:
            handle.write(data)
        return full

    def expect(rel, error=None, note="", explicit=False):
        """error None: a score is expected; "" either a score or an error; else an error
        whose message contains `error`."""
        raw = rel if isinstance(rel, bytes) else os.fsencode(rel)
        entry = {"path": raw.decode("utf-8", "replace"),
                 "expect": "score" if error is None else "error" if error else "any"}
        if error:
            entry["error"] = error
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["path_hex"] = raw.hex()
        if explicit:
            entry["explicit"] = True
        if note:
            entry["note"] = note
        entries.append(entry)

    photo = photo_like(seed=1)
    good_jpeg = jpeg_bytes(photo)

    # --- Not images at all -------------------------------------------------------------
    write("empty.jpg", b"")
    expect("empty.jpg", "empty file")
    random_bytes = np.random.RandomState(2).randint(0, 256, size=64 * 1024, dtype=np.uint8).tobytes()
    write("random.jpg", b"\x00" + random_bytes[1:])  # never starts like a real format
    expect("random.jpg", "not an image")
    write("text.jpg", b"These are not the pixels you are looking for.\n" * 40)
    expect("text.jpg", "not an image")

    # --- Broken images -------------------------------------------------------------------
    big = photo_like(640, 480, seed=3)
    full = jpeg_bytes(big)
    write("truncated.jpg", full[:int(len(full) * 0.4)])
    expect("truncated.jpg", "truncated JPEG", "baseline JPEG cut at 40%")
    full_png = png_bytes(big)
    write("truncated.png", full_png[:int(len(full_png) * 0.4)])
    expect("truncated.png", "truncated PNG", "PNG cut at 40%")
    write("bad-huffman.jpg", with_bad_huffman(good_jpeg))
    expect("bad-huffman.jpg", "corrupt JPEG", "first DHT's code counts overwritten with 0xFF")
    write("zero-size.png", crafted_png(0, 150))
    expect("zero-size.png", "corrupt PNG", "IHDR width 0 (valid CRC)")
    write("one-pixel.png", png_bytes(Image.new("RGB", (1, 1), (120, 130, 140))))
    expect("one-pixel.png", "too small to judge")

    # --- Bombs and huge files ----------------------------------------------------------------
    write("bomb.png", crafted_png(100_000, 100_000))
    expect("bomb.png", "image too large", "IHDR declares 100000×100000 (10 gigapixels)")
    write("bomb.jpg", with_sof_size(good_jpeg, 65_000, 65_000))
    expect("bomb.jpg", "image too large", "SOF declares 65000×65000")
    # Within the pixel limit but a memory amplifier: libjpeg keeps a progressive JPEG's
    # whole coefficient buffer (about 3 bytes per pixel for 4:2:0 colour), so a 0.6 MB file
    # costs ~330 MB while decoding; two at once with --jobs 2 break a 400 MB budget.
    # Either a score or a refusal is fine; memory must stay bounded.
    flat = jpeg_bytes(Image.new("RGB", (10_000, 10_000), (120, 130, 140)), progressive=True)
    for index in (1, 2):
        write(f"progressive-100mp-{index}.jpg", flat)
        expect(f"progressive-100mp-{index}.jpg", "",
               "progressive 10000×10000 JPEG of 0.6 MB: score or refusal, but bounded memory")
    sparse = write("sparse-1gb.jpg", b"\xff\xd8\xff\xe0")
    os.truncate(sparse, GIB)
    expect("sparse-1gb.jpg", "file too large", "1 GiB sparse file starting with a JPEG SOI")

    # --- Unusual but valid ------------------------------------------------------------------
    write("cmyk.jpg", jpeg_bytes(photo_like(seed=4, mode="CMYK")))
    expect("cmyk.jpg", note="CMYK JPEG (TurboJPEG declines, libvips decodes)")
    write("progressive.jpg", jpeg_bytes(photo_like(seed=5), progressive=True))
    expect("progressive.jpg")
    gray = np.asarray(photo_like(seed=6, mode="L"), dtype=np.uint16) * 257
    write("gray16.png", png_bytes(Image.fromarray(gray.astype("<u2"))))
    expect("gray16.png", note="16-bit grayscale PNG")
    write("gray.jpg", jpeg_bytes(photo_like(seed=7, mode="L")))
    expect("gray.jpg")
    rgba = photo_like(seed=8).convert("RGBA")
    alpha = np.full((rgba.height, rgba.width), 255, dtype=np.uint8)
    alpha[:, : rgba.width // 3] = 0
    alpha[:, rgba.width // 3: rgba.width // 2] = 128
    rgba.putalpha(Image.fromarray(alpha))
    write("alpha.png", png_bytes(rgba))
    expect("alpha.png", note="RGBA, left third fully transparent")
    write("palette.png", png_bytes(photo_like(seed=9).convert("P", palette=Image.ADAPTIVE, colors=64)))
    expect("palette.png")
    frames = [photo_like(seed=10 + i).convert("P", palette=Image.ADAPTIVE) for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    write("animated.gif", buffer.getvalue())
    expect("animated.gif", note="3 frames")
    exif = Image.Exif()
    exif[0x0112] = 6
    write("rotated6.jpg", jpeg_bytes(photo_like(seed=13), exif=exif.tobytes()))
    expect("rotated6.jpg", note="EXIF orientation 6")
    buffer = io.BytesIO()
    photo_like(seed=14).save(buffer, "WEBP", quality=90)
    write("webp.webp", buffer.getvalue())
    expect("webp.webp")
    # AVIF goes through libvips' libheif module; Pillow writes it when built with libavif.
    buffer = io.BytesIO()
    try:
        photo_like(seed=16).save(buffer, "AVIF", quality=90)
    except (KeyError, OSError, ValueError):
        buffer = None
    if buffer is not None:
        write("avif.avif", buffer.getvalue())
        expect("avif.avif", note="AVIF (HEIF container)")
    buffer = io.BytesIO()
    photo_like(seed=15).save(buffer, "TIFF")
    write("tiff.tif", buffer.getvalue())
    expect("tiff.tif")

    # --- File-system oddities ----------------------------------------------------------------
    remove("x.jpg")
    write("x.jpg/inside.jpg", jpeg_bytes(photo_like(seed=16)))
    expect("x.jpg/inside.jpg", note="a folder named x.jpg is searched, not read")
    unreadable = write("unreadable.jpg", jpeg_bytes(photo_like(seed=17)))
    os.chmod(unreadable, 0)
    if os.geteuid() == 0:
        expect("unreadable.jpg", note="chmod 000, but root reads it anyway")
    else:
        expect("unreadable.jpg", "permission denied", "chmod 000")
    remove("loop")
    os.makedirs(path_of("loop"))
    os.symlink("..", path_of("loop/self"))
    os.symlink("missing.jpg", path_of("loop/dangling.jpg"))
    expect("loop/dangling.jpg", "no such file", "dangling symlink (loop/self -> .. must not recurse)")
    write(b"caf\xe9.jpg", jpeg_bytes(photo_like(seed=18)))
    expect(b"caf\xe9.jpg", note="Latin-1 file name, not valid UTF-8")

    # --- A FIFO named like a photo: opening it for reading blocks until a writer comes, so
    # it must be refused from stat() alone. In a hidden folder so the main scan does not
    # hang on it; scan it on its own (manifest "separate").
    remove(".fifo")
    os.makedirs(path_of(".fifo"))
    os.mkfifo(path_of(".fifo/fifo.jpg"))
    separate = [{"scan_arg": ".fifo", "path": ".fifo/fifo.jpg", "expect": "error",
                 "error": "not a regular file", "note": "named pipe (would block on open)"}]

    # --- Must not be reported by a folder scan ----------------------------------------------
    write(".hidden.jpg", good_jpeg)
    skipped.append(".hidden.jpg")
    write(".hidden-folder/photo.jpg", good_jpeg)
    skipped.append(".hidden-folder/photo.jpg")
    write("notes.txt", good_jpeg)
    skipped.append("notes.txt")

    # --- Named on the command line (inside a hidden folder, so the folder scan skips them) ---
    write(".explicit/photo.data", jpeg_bytes(photo_like(seed=19)))
    expect(".explicit/photo.data", explicit=True,
           note="named explicitly: content decides, not the extension")
    expect(".explicit/missing.jpg", "no such file", explicit=True)
    write(b".explicit/na\xefve.jpg", jpeg_bytes(photo_like(seed=20)))
    expect(b".explicit/na\xefve.jpg", explicit=True,
           note="non-UTF-8 name given as a command-line argument")

    explicit = [bytes.fromhex(e["path_hex"]) if "path_hex" in e else e["path"].encode()
                for e in entries if e.get("explicit")]
    manifest = {
        "entries": entries,
        "skipped": skipped,
        "separate": separate,
        # Arguments for `classify scan`, relative to OUTDIR ("." is the folder itself);
        # the _hex form keeps the raw bytes of names that are not UTF-8.
        "scan_args": ["."] + [raw.decode("utf-8", "replace") for raw in explicit],
        "scan_args_hex": [b".".hex()] + [raw.hex() for raw in explicit],
    }
    with open(os.path.join(root, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, ensure_ascii=False)
        handle.write("\n")
    print(f"{len(entries)} entries written to {root}")


if __name__ == "__main__":
    main()
