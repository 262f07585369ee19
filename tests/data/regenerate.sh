#!/usr/bin/env bash
# Regenerates the small trained networks the unit and RTL tests read from
# tests/data/ (tests/support/test_data.hpp), so that those tests no longer
# depend on what the trainer of the day makes of a seed. Run from the
# repository root after a build; commit the result only when a deliberate
# change of training or of the artifact format calls for new networks.
#
# Each network is trained as tests/support/target_training.hpp's
# briefly_trained_network / train_target_network trains it (orthogonal W_rec,
# the long suites' settings, few epochs), then stripped of its optimizer state
# (Adam moments and training position: a test network is never resumed).
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=./build/cli/neurofab
data=tests/data

rate=(--init orthogonal --lr 2e-3 --patience 50 --loss-threshold 5e-4 --extra-epochs 30)
lif=(--model lif --init orthogonal --lr 2e-3 --patience 50 --loss-threshold 5e-4 --loss-on-scored-steps)

train() {  # name, then train options
  local name="$1"
  shift
  "$cli" train "$@" -q --no-report --force -o "$data/$name"
  rm -rf "$data/$name/optimizer"
  /usr/bin/python3 - "$data/$name/model.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    model = json.load(f)
model["optimizer_tensors"] = {}
with open(path, "w") as f:
    json.dump(model, f, indent=2)
    f.write("\n")
PY
  echo "$data/$name"
}

# The lock-step matrices' trained rows (tests/sim/test_lockstep*.cpp) and the virtual board (test_virtual_board.cpp).
train rate-flipflop-n24 --task flipflop --n 24 "${rate[@]}" --epochs 30 --seed 7
train rate-xor-n32 --task xor --n 32 "${rate[@]}" --epochs 30 --seed 7
train lif-flipflop-n32 --task flipflop --n 32 "${lif[@]}" --epochs 30 --seed 7
train lif-xor-n24-zero-reset-refractory-1 --task xor --n 24 "${lif[@]}" --reset zero --refractory 1 --epochs 30 --seed 7
train lif-xor-n24 --task xor --n 24 "${lif[@]}" --epochs 20 --seed 7
# A flip-flop that holds its bit in two stable fixed points (tests/analysis/test_flipflop_fixed_points.cpp).
train rate-flipflop-n50-seed2 --task flipflop --task-param trial_length=410 --n 50 "${rate[@]}" --epochs 400 --seed 2
