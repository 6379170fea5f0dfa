#!/usr/bin/env bash
# Quick start on a fresh Debian/Ubuntu: install what is missing, build, run the default M/M/1
# scenario, and plot it.  Usage: tools/quickstart.sh   (from any directory)
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

packages=(meson ninja-build pkg-config gcc libgsl-dev libyaml-dev libhdf5-dev hdf5-tools check libopenblas-dev
          python3-h5py python3-numpy python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "quickstart: installing ${missing[*]}"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

if [ -d build/meson-private ]; then
    meson compile -C build
else
    meson setup build
    meson compile -C build
fi

mkdir -p runs
./build/splitsim run scenarios/default.yaml -o runs/default.h5
/usr/bin/python3 tools/plot_results.py runs/default.h5

echo
echo "results file: $PWD/runs/default.h5  (h5dump -A runs/default.h5 shows its attributes)"
echo "plot:         $PWD/runs/default.png"
