#!/usr/bin/env bash
# Configures and builds neurofab in ./build (Release). Incremental after the first run.
# Under CI (CI=true) the project's own targets are built with -Werror, so that a
# new warning fails the run; elsewhere a warning is printed and the build goes on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# build/python-venv (pinned nanobind): the build then includes the Python module (NEUROFAB_PYTHON, python/).
bash scripts/python_env.sh >/dev/null
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEUROFAB_WERROR="$werror" >/dev/null
cmake --build build --parallel "$(nproc)"
