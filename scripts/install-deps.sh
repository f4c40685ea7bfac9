#!/usr/bin/env bash
# Installs what building scbench needs, skipping what is already there.
# Debian/Ubuntu: apt packages; Python: scripts/requirements.txt (report script, schema test).
# On a machine without network (e.g. the H100 box) CLI11 can be unpacked into .deps/ instead:
#   apt-get download libcli11-dev && dpkg -x libcli11-dev_*.deb .deps
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# Tools count wherever they come from (a pip cmake, say); libraries as Debian packages.
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v ninja >/dev/null 2>&1 || need+=(ninja-build)
command -v g++ >/dev/null 2>&1 || need+=(g++)
for pkg in libyaml-cpp-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev zlib1g-dev libeigen3-dev; do
  have_pkg "$pkg" || need+=("$pkg")
done
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-pip)
if ! have_pkg libcli11-dev && [ ! -d .deps/usr/share/cmake/CLI11 ]; then need+=(libcli11-dev); fi

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if ! { $sudo_cmd apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"; }; then
    echo "error: could not install ${need[*]} with apt-get; install them by hand (see README)" >&2
    exit 1
  fi
fi

if ! command -v nvcc >/dev/null 2>&1; then
  if [ -x /usr/local/cuda/bin/nvcc ]; then
    echo "note: add /usr/local/cuda/bin to PATH (nvcc found there)"
  else
    echo "error: nvcc not found; install the CUDA toolkit (12.x or 13.x) with cuDNN" >&2
    exit 1
  fi
fi

# Python packages for scripts/ and the schema test (pinned in scripts/requirements.txt).
if ! python3 -c "import jsonschema, numpy, pandas, matplotlib, onnx, onnxruntime" 2>/dev/null; then
  python3 -m pip install -q -r scripts/requirements.txt ||
    echo "warning: could not install scripts/requirements.txt; the Python tests will fail" >&2
fi
