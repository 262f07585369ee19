#!/usr/bin/env bash
# Reproduces the sweeps of docs/findings.md into out/studies/ (resumable: run
# it again after an interruption). THREADS=2 uses both cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
neurofab=./build/cli/neurofab
for study in flipflop-bits and-init time-pulse-size time-pulse-delay flipflop-rate flipflop-lif; do
  "$neurofab" sweep "docs/studies/$study.toml" -o "out/studies/$study" --threads "${THREADS:-1}"
done
