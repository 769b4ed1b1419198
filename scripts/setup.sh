#!/usr/bin/env bash
# Installs what Classify needs that a fresh Debian machine may lack. Safe to run often:
# it only acts on what is missing. As root it installs with apt/pip; otherwise it names
# what to install and stops.
set -euo pipefail

# chromium + chromium-driver: the page's real-browser tests (Tests/Browser).
debian_packages=(pkg-config libturbojpeg0-dev libvips-dev libjpeg-turbo-progs postgresql chromium chromium-driver)
python_modules=(PIL:pillow numpy:numpy selenium:selenium pytest:pytest openapi_spec_validator:openapi-spec-validator)

missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "       install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: no Swift toolchain on PATH; install Swift 6.x from swift.org (Linux)" >&2
  exit 1
fi

# Python is used by the test corpus generator, the evaluation, the benchmarks and the
# browser tests (selenium + pytest).
if command -v python3 >/dev/null 2>&1; then
  pip_missing=()
  for entry in "${python_modules[@]}"; do
    python3 -c "import ${entry%%:*}" 2>/dev/null || pip_missing+=("${entry##*:}")
  done
  if [ ${#pip_missing[@]} -gt 0 ]; then
    echo "setup: pip installing ${pip_missing[*]}" >&2
    # A Debian-managed Python refuses plain pip installs (PEP 668); then say so explicitly.
    python3 -m pip install --quiet --disable-pip-version-check "${pip_missing[@]}" 2>/dev/null ||
      python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${pip_missing[@]}"
  fi
else
  echo "setup: python3 is needed for the tests' corpus generator" >&2
  exit 1
fi
