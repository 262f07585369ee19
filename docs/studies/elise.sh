#!/usr/bin/env bash
# Reproduces the ELiSe studies of docs/findings.md ("ELiSe") into
# out/studies/ (resumable: run it again after an interruption), then the
# replay, clamp and recovery evaluations and figures of the seed-1 network.
# THREADS=2 uses both cores (about 35 min of one core in all).
set -euo pipefail
cd "$(dirname "$0")/../.."
neurofab=./build/cli/neurofab
for study in elise-latent elise-variants elise-connectivity elise-pq; do
  "$neurofab" sweep "docs/studies/$study.toml" -o "out/studies/$study" --threads "${THREADS:-1}"
done
net=out/studies/elise-latent/runs/latent=50_seed=1
mkdir -p out/studies/elise-figures/replay out/studies/elise-figures/clamp
"$neurofab" eval "$net" --replay-cycles 100 --plot --plot-dir out/studies/elise-figures/replay
for seed in 1 2; do
  net=out/studies/elise-latent/runs/latent=50_seed=$seed
  for clamp in "-70" "-55"; do
    "$neurofab" eval "$net" --replay-cycles 30 --clamp-mv="$clamp" --clamp-cycle 10 --json \
      > "out/studies/elise-figures/clamp/seed${seed}_${clamp}mV_whole.json"
    "$neurofab" eval "$net" --replay-cycles 30 --clamp-mv="$clamp" --clamp-cycle 10 --clamp-from-ms 100 \
      --clamp-to-ms 150 --json > "out/studies/elise-figures/clamp/seed${seed}_${clamp}mV_100-150ms.json"
  done
done
"$neurofab" eval out/studies/elise-latent/runs/latent=50_seed=1 --replay-cycles 30 --clamp-mv=-55 \
  --clamp-cycle 10 --plot --plot-dir out/studies/elise-figures/clamp
