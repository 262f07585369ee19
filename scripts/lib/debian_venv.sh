#!/usr/bin/env bash
# A venv over Debian's /usr/bin/python3 with --system-site-packages, filled
# with `pip install --no-deps -r REQUIREMENTS` (Debian supplies the
# dependencies: numpy, h5py, torch, matplotlib, ...; --no-deps keeps pip from
# replacing them with PyPI's). Shared by scripts/interop_env.sh and
# scripts/python_env.sh; sourced, not run.
#
#   nf_debian_venv LABEL VENV REQUIREMENTS CHECK_PYTHON
#
# Idempotent and quick when VENV was already filled from this very
# requirements file (a stamp beside it); a lock keeps two callers (ctest -j2)
# from building it at the same time. CHECK_PYTHON is a Python snippet run in
# the venv after installing: it fails here, not in a test, when Debian's part
# is missing or a pin does not import. Prints the venv's python on stdout,
# everything else on stderr.
nf_debian_venv() {
  local label="$1" venv="$2" requirements="$3" check="$4"
  local python="$venv/bin/python"
  local stamp="$venv/.requirements"

  if [ -x "$python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
    echo "$python"
    return 0
  fi
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if [ -x "$python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
    flock -u 9
    echo "$python"
    return 0
  fi
  if [ ! -x "$python" ]; then
    echo "$label: creating $venv" >&2
    /usr/bin/python3 -m venv --system-site-packages "$venv" >&2
  fi
  echo "$label: installing $(grep -v '^#' "$requirements" | xargs)" >&2
  "$python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$requirements" >&2
  "$python" - >&2 <<<"$check"
  cp "$requirements" "$stamp"
  flock -u 9
  echo "$python"
}
