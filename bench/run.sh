#!/usr/bin/env bash
# Speed and memory benchmark of `classify scan` against its peers (DESIGN targets).
#
#   bash bench/run.sh          (or: make bench)
#
# Builds release, makes 20 12-megapixel JPEGs in bench/data (git-ignored) if absent, then
# measures, in one run:
#   classify  `classify scan --jobs 1 --format json DIR`, whole-process wall time / photos
#             (hyperfine --warmup 1 --runs 3, min; or perf_counter, min of 3), and the
#             mean processing_time_ms it reports
#   OpenCV    bench/peers.py: the seed's full-size colour path and IMREAD_REDUCED_GRAYSCALE_4
#   djpeg     `djpeg -scale 1/8 -grayscale` per file: one process per file timed alone, and
#             all files in one shell loop (both include process start-up)
#   jobs      `--jobs 2` throughput against `--jobs 1`
#   memory    peak RSS (/usr/bin/time -v) scanning 1,000 12 MP photos (hard links) with --jobs 2
# and prints a table with each target met or not. Needs python3 + Pillow, opencv-python-headless
# (pip install opencv-python-headless), libjpeg-turbo-progs (djpeg); hyperfine if installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="$ROOT/bench/data"
COUNT=20

echo "== building release" >&2
swift build -c release >&2
BIN="$(swift build -c release --show-bin-path)/classify"

if [ "$(ls "$DATA"/*.jpg 2>/dev/null | wc -l)" -lt "$COUNT" ]; then
    echo "== making $COUNT 12 MP photos in bench/data" >&2
    python3 bench/make-photos.py "$DATA" "$COUNT" >&2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/classify-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== 1,000-photo folder (hard links)" >&2
mkdir -p "$WORK/thousand"
files=("$DATA"/*.jpg)
for i in $(seq 1 1000); do
    ln "${files[$(( (i - 1) % ${#files[@]} ))]}" "$WORK/thousand/$(printf 'photo-%04d.jpg' "$i")"
done

BIN="$BIN" DATA="$DATA" WORK="$WORK" python3 - <<'PY'
import glob, json, os, re, shutil, statistics, subprocess, sys, time

BIN, DATA, WORK = os.environ["BIN"], os.environ["DATA"], os.environ["WORK"]
files = sorted(glob.glob(os.path.join(DATA, "*.jpg")))
count = len(files)
hyperfine = shutil.which("hyperfine")


def log(text):
    print(f"== {text}", file=sys.stderr, flush=True)


def wall_seconds(command, runs=3, shell=False):
    """Minimum wall time of `command` over `runs` runs after one warm-up run."""
    if hyperfine:
        out = os.path.join(WORK, "hyperfine.json")
        # -N: no intermediate shell, so hyperfine subtracts no shell start-up; a shell
        # command runs as `bash -c '...'` and its own bash start-up counts.
        parts = ["bash", "-c", command] if shell else command
        text = " ".join(f"'{part}'" for part in parts)
        subprocess.run([hyperfine, "-N", "--warmup", "1", "--runs", str(runs), "--export-json", out,
                        "--style", "none", "--output", "null", text],
                       check=True, stdout=subprocess.DEVNULL)
        with open(out) as handle:
            return min(json.load(handle)["results"][0]["times"])
    best = None
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, shell=shell, check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, executable="/bin/bash" if shell else None)
        elapsed = time.perf_counter() - start
        if run > 0:
            best = elapsed if best is None else min(best, elapsed)
    return best


scan = [BIN, "scan", "--format", "json"]

log("classify --jobs 1")
classify_ms = wall_seconds(scan + ["--jobs", "1", DATA]) * 1000 / count
lines = subprocess.run(scan + ["--jobs", "1", DATA], capture_output=True, text=True).stdout.splitlines()
records = [json.loads(line) for line in lines if line.strip()]
failed = [r for r in records if "error" in r]
processing_ms = statistics.mean(r["processing_time_ms"] for r in records if "processing_time_ms" in r)

log("classify --jobs 2")
classify2_ms = wall_seconds(scan + ["--jobs", "2", DATA]) * 1000 / count

log("OpenCV (bench/peers.py)")
peers = json.loads(subprocess.run([sys.executable, os.path.join(os.path.dirname(DATA), "peers.py"), DATA],
                                  capture_output=True, text=True, check=True).stdout)

log("djpeg -scale 1/8 -grayscale")
djpeg = ["djpeg", "-scale", "1/8", "-grayscale", "-outfile", "/dev/null"]
per_file = []
for path in files:  # one process per file, each timed alone (min of 3 after a warm-up)
    best = None
    for run in range(4):
        start = time.perf_counter()
        subprocess.run(djpeg + [path], check=True)
        elapsed = time.perf_counter() - start
        if run > 0:
            best = elapsed if best is None else min(best, elapsed)
    per_file.append(best * 1000)
djpeg_file_ms = statistics.mean(per_file)
loop = f"for f in {DATA}/*.jpg; do djpeg -scale 1/8 -grayscale -outfile /dev/null \"$f\"; done"
djpeg_loop_ms = wall_seconds(loop, shell=True) * 1000 / count
# Start-up cost of one process, for reading the djpeg figures.
true_ms = wall_seconds(["/bin/true"], runs=10) * 1000

log("peak RSS over 1,000 photos, --jobs 2")
thousand = os.path.join(WORK, "thousand")
start = time.perf_counter()
timed = subprocess.run(["/usr/bin/time", "-v"] + scan + ["--jobs", "2", thousand],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
thousand_s = time.perf_counter() - start
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timed.stderr).group(1))
rss_mb = rss_kb / 1024

seed_ms, reduced_ms = peers["opencv_seed_ms"], peers["opencv_reduced4_ms"]
rows = [
    ("classify scan --jobs 1 (whole process)", f"{classify_ms:8.1f} ms/photo"),
    ("  mean processing_time_ms it reports", f"{processing_ms:8.1f} ms/photo"),
    ("OpenCV seed path (imread colour+cvtColor+Laplacian)", f"{seed_ms:8.1f} ms/photo"),
    ("OpenCV IMREAD_REDUCED_GRAYSCALE_4 + Laplacian", f"{reduced_ms:8.1f} ms/photo"),
    ("djpeg -scale 1/8 -grayscale, shell loop", f"{djpeg_loop_ms:8.1f} ms/photo"),
    ("djpeg -scale 1/8 -grayscale, one process timed alone", f"{djpeg_file_ms:8.1f} ms/photo"),
    ("  (process start-up alone: /bin/true)", f"{true_ms:8.1f} ms"),
    ("classify scan --jobs 2 (whole process)", f"{classify2_ms:8.1f} ms/photo"),
    ("1,000 photos, --jobs 2: wall time", f"{thousand_s:8.1f} s"),
]


def target(name, value, text, met):
    return (name, f"{value:8.2f}", text, "met" if met else "NOT MET")


ratios = [
    target("seed / classify", seed_ms / classify_ms, ">= 5", seed_ms / classify_ms >= 5),
    target("reduced4 / classify", reduced_ms / classify_ms, "> 1", reduced_ms / classify_ms > 1),
    target("classify / djpeg 1/8 (loop)", classify_ms / djpeg_loop_ms, "<= 1.3", classify_ms / djpeg_loop_ms <= 1.3),
    target("jobs-2 speed-up", classify_ms / classify2_ms, "(2 cores)", True),
    target("peak RSS, 1,000 photos (MB)", rss_mb, "< 200", rss_mb < 200),
]
print()
print(f"classify benchmark: {count} photos, 4000x3000 JPEG q90 4:2:0 (bench/data), "
      f"{os.cpu_count()} cores, OpenCV {peers['opencv_version']}, "
      f"timing {'hyperfine (min of 3)' if hyperfine else 'perf_counter (min of 3)'}")
if failed:
    print(f"WARNING: {len(failed)} photo(s) failed: {failed[:3]}")
print()
for name, value in rows:
    print(f"  {name:<55} {value}")
print()
print(f"  {'ratio':<32} {'value':>8}  {'target':<10} status")
for name, value, text, status in ratios:
    print(f"  {name:<32} {value}  {text:<10} {status if text != '(2 cores)' else '-'}")
if timed.returncode != 0:
    print(f"WARNING: the 1,000-photo scan exited {timed.returncode}")
PY
