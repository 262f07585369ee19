#!/usr/bin/env bash
# Reproduces the ELiSe studies of docs/findings.md ("ELiSe") into
# out/studies/ (resumable: run it again after an interruption), then the
# replay, clamp and recovery evaluations and the figures (out/studies/elise-figures/,
# copied to docs/findings/elise_*.png). THREADS=2 uses both cores; about
# 40-65 min of one core in all (the latent sweep alone 17 min).
set -euo pipefail
cd "$(dirname "$0")/../.."
neurofab=./build/cli/neurofab
python=/usr/bin/python3
for study in elise-latent elise-seeds elise-variants elise-connectivity elise-limited elise-sparse elise-pq elise-repeated; do
  "$neurofab" sweep "docs/studies/$study.toml" -o "out/studies/$study" --threads "${THREADS:-1}"
done
figures=out/studies/elise-figures
mkdir -p "$figures/replay" "$figures/clamp"
"$python" docs/studies/elise_curves.py out/studies/elise-latent "$figures/elise_latent_curves.png" \
  "ELiSe on the melody: free-run corr_sum during training, by latent neurons (seed 1 solid, 2 dashed)"
"$python" docs/studies/elise_curves.py out/studies/elise-variants "$figures/elise_variant_curves.png" \
  "ELiSe, soma-only, reservoir (50 latent): free-run corr_sum during training (seed 1 solid, 2 dashed)"
# The 100-cycle replay and the learning curve of the seed-1 network.
"$neurofab" eval out/studies/elise-latent/runs/latent=50_seed=1 --replay-cycles 100 --plot --plot-dir "$figures/replay"
# Clamps in replay cycle 10 of 30: E_l or E_l + 15 mV, the whole cycle or 100-150 ms, plasticity off or on.
for seed in 1 2 3 4 5 6; do
  net=out/studies/elise-latent/runs/latent=50_seed=$seed
  [ "$seed" -le 2 ] || net=out/studies/elise-seeds/runs/seed=$seed
  for clamp in -70 -55; do
    for window in whole 100-150; do
      range=(); [ "$window" = whole ] || range=(--clamp-from-ms 100 --clamp-to-ms 150)
      for plastic in off on; do
        flag=(); [ "$plastic" = off ] || flag=(--replay-plasticity)
        "$neurofab" eval "$net" --replay-cycles 30 --clamp-mv="$clamp" --clamp-cycle 10 "${range[@]}" "${flag[@]}" \
          --json > "$figures/clamp/seed${seed}_${clamp}mV_${window}_plasticity-${plastic}.json"
      done
    done
  done
done
"$neurofab" eval out/studies/elise-latent/runs/latent=50_seed=1 --replay-cycles 30 --clamp-mv=-70 \
  --clamp-cycle 10 --plot --plot-dir "$figures/clamp"
"$python" - "$figures/clamp" <<'PY'
import glob, json, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    j = json.load(open(path))
    r = j["recovery"]
    print(f"{os.path.basename(path)[:-5]:40s} baseline {r['baseline_corr_sum']:6.2f} during {r['corr_sum_during']:6.2f} "
          f"recovered in cycle {r['recovered_cycle']} stays {r['stays_recovered']} last {j['cycles'][-1]['corr_sum']:.2f}")
PY
