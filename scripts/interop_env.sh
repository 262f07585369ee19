#!/usr/bin/env bash
# The Python environment of the NIR/snnTorch interoperability tests (issue #21):
# a venv at build/interop-venv over Debian's /usr/bin/python3 with
# --system-site-packages (torch, numpy and h5py are Debian's python3-torch,
# python3-numpy, python3-h5py; scripts/setup.sh installs them) and the pinned
# packages of tests/interop/requirements.txt, installed with --no-deps so that
# pip leaves Debian's torch and numpy alone. Idempotent and quick when the venv
# is already there; prints the venv's python on stdout, everything else on stderr.
# Usage: bash scripts/interop_env.sh [VENV_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/debian_venv.sh"
nf_debian_venv interop_env "${1:-$root/build/interop-venv}" "$root/tests/interop/requirements.txt" '
import h5py, numpy, torch, nir, nirtorch, snntorch
print(f"interop_env: torch {torch.__version__}, numpy {numpy.__version__}, h5py {h5py.__version__}, "
      f"nir {nir.version}, snntorch {snntorch.__version__}")
'
