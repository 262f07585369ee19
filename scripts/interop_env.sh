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
venv="${1:-$root/build/interop-venv}"
requirements="$root/tests/interop/requirements.txt"
python="$venv/bin/python"
stamp="$venv/.requirements"

# Quick path: the venv exists and was filled from this very requirements file.
if [ -x "$python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
  echo "$python"
  exit 0
fi

# A lock, so that two tests (ctest -j2) never build the venv at the same time.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ -x "$python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
  echo "$python"
  exit 0
fi

if [ ! -x "$python" ]; then
  echo "interop_env: creating $venv" >&2
  /usr/bin/python3 -m venv --system-site-packages "$venv" >&2
fi
echo "interop_env: installing $(grep -v '^#' "$requirements" | xargs)" >&2
"$python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$requirements" >&2
# Fail here, not in a test, when Debian's part is missing or a pin does not import.
"$python" - >&2 <<'PY'
import h5py, numpy, torch, nir, nirtorch, snntorch
print(f"interop_env: torch {torch.__version__}, numpy {numpy.__version__}, h5py {h5py.__version__}, "
      f"nir {nir.version}, snntorch {snntorch.__version__}")
PY
cp "$requirements" "$stamp"
echo "$python"
