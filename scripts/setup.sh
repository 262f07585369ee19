#!/usr/bin/env bash
# Installs what neurofab needs from Debian's packages, and nothing when all is
# present. Idempotent: safe to run before every build (both README commands do).
set -euo pipefail

# Build tools and libraries for the C++ stages (libgmp-dev: exact rational
# arithmetic, the reference the fixed-point tests check against); /usr/bin/python3 with numpy is
# Debian's Python, used by the tests that read our .npy files back with numpy
# (the pyenv python3 on PATH is deliberately not used).
packages=(
  g++ cmake ninja-build
  libeigen3-dev libblis-serial-dev libfmt-dev catch2 libcli11-dev nlohmann-json3-dev
  libgmp-dev
  # zlib: .npz archives written by np.savez_compressed (common/npz).
  zlib1g-dev
  python3 python3-numpy python3-matplotlib
  # pip (Debian's, for /usr/bin/python3): the HLS tests fetch Xilinx's ap_types
  # headers from the hls4ml wheel on PyPI (pip download; nothing is installed).
  python3-pip
  # RTL: Verilator (lock-step simulation), Yosys (synthesis checks), the open
  # iCE40 flow, and SystemC for the system-level harness.
  verilator yosys nextpnr-ice40 fpga-icestorm libsystemc-dev pkg-config
  # Analysis (issue #8): sweep files are TOML (toml++), sweeps spread over
  # machines with OpenMPI (mpirun; the tests run 2 ranks over loopback).
  libtomlplusplus-dev libopenmpi-dev openmpi-bin
  # HLS (issue #31): the tests run the generated run_hls.tcl in tclsh with
  # Vitis HLS's commands stubbed, to check which steps it runs and when it resets.
  tcl
  # NIR/snnTorch interoperability (issue #21): the tests run in a venv over
  # /usr/bin/python3 (scripts/interop_env.sh) with Debian's torch and h5py and
  # the pinned nir, nirtorch, snntorch from PyPI; libhdf5-dev for the C++ NIR
  # reader and writer.
  python3-torch python3-h5py python3-venv libhdf5-dev
  # The Python package (python/, issue #22): headers to build the module for
  # /usr/bin/python3, tqdm (progress bars), pytest and nbclient + ipykernel (its
  # tests and the executed notebook); nanobind, scikit-build-core and nir come
  # pinned from PyPI (scripts/python_env.sh, build/python-venv).
  python3-dev python3-tqdm python3-pytest python3-nbclient python3-ipykernel
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
