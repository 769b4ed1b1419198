# Conveniences over the scripts; the README's two commands need no make.
.PHONY: run test eval eval-set fit bench bench-web format

run:
	bash scripts/run

test:
	bash scripts/test

# Rebuild the labelled set from fetched snapshots (eval/DATASETS.md lists the repositories
# and commits), then the synthetic blur made from FIT photos only.
eval-set:
	python3 eval/build_set.py
	python3 eval/synthesize.py --sources ebb_vabd,cuhk_dbd,immich_assets,exifr_fixtures,kwentar_scaled --n 3

eval:
	python3 -c "import cv2" 2>/dev/null || python3 -m pip install --quiet opencv-python-headless
	python3 eval/evaluate.py

# Refit the calibration on FIT sources after `make eval` (writes the Swift file).
fit:
	python3 eval/fit_calibration.py --cv
	python3 eval/fit_calibration.py > Sources/BlurDetection/FittedCalibration.swift
	swift format -i Sources/BlurDetection/FittedCalibration.swift

bench:
	bash bench/run.sh

# classify serve: gallery latency at 200 requests/s over 10,000 photos (wrk), 500 12 MP
# photos through upload + queue against classify scan, and the server's idle memory.
bench-web:
	bash bench/web.sh
