#!/usr/bin/env bash
# Benchmark of the web app, `classify serve` (DESIGN targets), on this machine:
#
#   bash bench/web.sh          (or: make bench-web)
#
# (a) 10,000 photos in the database; GET /api/v1/photos?filter=blurred at 200 requests/s
#     for 60 s with wrk (paced by bench/web/paced.lua): p50/p90/p99, requests/s, errors.
#     Targets: p99 < 20 ms, 0 errors.
# (b) 500 distinct 12 MP JPEGs through upload + queue (first upload byte to job done)
#     against `classify scan --jobs N` on the same files, N = WORKERS = cores, alternated
#     REPS times (5) after WARMUP pairs (1) that are printed but not counted.
#     Target: ratio of the medians <= 1.25.
# (c) VmRSS of classify serve right after start and once the load has settled.
#     Target: < 100 MB.
#
# Builds release; installs wrk when missing (as root); makes the photos once
# into bench/data/web-small and bench/data/web-12mp (git-ignored, kept as a cache) with
# scripts/make-distinct-photos.py; sends traffic only to 127.0.0.1; stops the server it
# started. The summary is printed and saved to bench/results-web.txt.
#
# Settings (environment): RATE (200), DURATION (60 s), WORKERS (cores), SMALL_COUNT
# (10000), BIG_COUNT (500), REPS (5), WARMUP (1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RATE="${RATE:-200}"
DURATION="${DURATION:-60}"
WORKERS="${WORKERS:-$(nproc)}"
SMALL_COUNT="${SMALL_COUNT:-10000}"
BIG_COUNT="${BIG_COUNT:-500}"
REPS="${REPS:-5}"
WARMUP="${WARMUP:-1}"
SMALL="$ROOT/bench/data/web-small"
BIG="$ROOT/bench/data/web-12mp"

missing=()
for tool in wrk; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "== installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "bench-web: needs ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi
python3 -c "import PIL" 2>/dev/null || bash scripts/setup.sh

echo "== building release" >&2
swift build -c release --product classify >&2
BIN="$(swift build -c release --show-bin-path)/classify"

count() { find "$1" -maxdepth 1 -name 'photo-*.jpg' 2>/dev/null | wc -l; }

if [ "$(count "$SMALL")" -lt "$SMALL_COUNT" ]; then
    echo "== making $SMALL_COUNT distinct 320x240 JPEGs in bench/data/web-small (once)" >&2
    python3 scripts/make-distinct-photos.py "$SMALL" "$SMALL_COUNT" --size 320x240 --seed 7 >&2
fi
if [ "$(count "$BIG")" -lt "$BIG_COUNT" ]; then
    echo "== making $BIG_COUNT distinct 12 MP JPEGs in bench/data/web-12mp (once; a few minutes)" >&2
    # The real camera photos bench/make-photos.py uses (long side >= 3000 px, from the
    # evaluation set); the fixture photos when the evaluation set is absent.
    mapfile -t sources < <(python3 bench/web/camera-sources.py)
    arguments=()
    for source in "${sources[@]}"; do arguments+=(--source "$source"); done
    if [ ${#arguments[@]} -eq 0 ]; then
        echo "   (no evaluation set: upscaling the fixture photos, which decode faster than camera files)" >&2
    fi
    python3 scripts/make-distinct-photos.py "$BIG" "$BIG_COUNT" --size 4000x3000 --min-crop 0.8 --seed 12 \
        "${arguments[@]}" >&2
fi

python3 bench/web/bench.py --bin "$BIN" --small "$SMALL" --small-count "$SMALL_COUNT" --big "$BIG" \
    --big-count "$BIG_COUNT" --reps "$REPS" --warmup "$WARMUP" --rate "$RATE" --duration "$DURATION" --workers "$WORKERS" --results "$ROOT/bench/results-web.txt"
