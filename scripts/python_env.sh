#!/usr/bin/env bash
# The Python environment of the neurofab package (python/, issue #22): a venv
# at build/python-venv over Debian's /usr/bin/python3 with
# --system-site-packages (numpy, matplotlib, h5py, tqdm, pytest, nbclient and
# ipykernel are Debian's; scripts/setup.sh installs them) and the pinned
# packages of python/requirements-dev.txt (nanobind and scikit-build-core to
# build the module, nir to exchange NIR graphs), installed with --no-deps.
# The main CMake build finds nanobind through this venv's python
# (NEUROFAB_PYTHON); `build/python-venv/bin/pip install .` builds the wheel.
# Idempotent and quick when the venv is already there; prints the venv's
# python on stdout, everything else on stderr.
# Usage: bash scripts/python_env.sh [VENV_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/debian_venv.sh"
nf_debian_venv python_env "${1:-$root/build/python-venv}" "$root/python/requirements-dev.txt" '
import numpy, matplotlib, h5py, tqdm, pytest, nbclient, ipykernel, nanobind, scikit_build_core, nir
print(f"python_env: numpy {numpy.__version__}, matplotlib {matplotlib.__version__}, nanobind {nanobind.__version__}, "
      f"scikit-build-core {scikit_build_core.__version__}, nir {nir.version}, pytest {pytest.__version__}")
'
