#!/usr/bin/env bash
# scripts/same_outputs.py, the check behind "the demo's outputs are the same
# before and after": equal trees pass; wall-clock values alone are masked; any
# other byte that changes, and a file only on one side, fail.
set -euo pipefail
script="$1/scripts/same_outputs.py"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test_same_outputs: $*" >&2; exit 1; }

make_tree() {  # <dir> <seconds> <success> <log duration>
  mkdir -p "$1/run"
  printf '{"seconds": %s, "success_rate": %s, "log": [{"seconds": %s}]}\n' "$2" "$3" "$2" > "$1/run/model.json"
  printf 'level,success_rate,cpu_us_per_step\ninteger-cpu,%s,%s\n' "$3" "$2" > "$1/compare.csv"
  printf 'yosys -s synth.ys   # %s s, log logs/yosys.log\n' "$4" > "$1/report.md"
  printf '\x00\x01\x02' > "$1/run/W_rec.npy"
}

make_tree "$work/a" 0.25 0.99 11.8
make_tree "$work/b" 0.31 0.99 12.4
python3 "$script" "$work/a" "$work/b" > "$work/out" || fail "trees differing in wall-clock values only were called different: $(cat "$work/out")"

make_tree "$work/c" 0.25 0.98 11.8  # a success rate changed
if python3 "$script" "$work/a" "$work/c" > "$work/out"; then fail "a changed success rate passed"; fi
grep -q "differs: run/model.json" "$work/out" || fail "model.json not named: $(cat "$work/out")"
grep -q "differs: compare.csv" "$work/out" || fail "compare.csv not named: $(cat "$work/out")"

cp -r "$work/a" "$work/d"
printf '\x00\x01\x03' > "$work/d/run/W_rec.npy"  # one byte of a tensor
touch "$work/d/extra.txt"
if python3 "$script" "$work/a" "$work/d" > "$work/out"; then fail "a changed tensor passed"; fi
grep -q "differs: run/W_rec.npy" "$work/out" || fail "the tensor not named: $(cat "$work/out")"
grep -q "only in $work/d: extra.txt" "$work/out" || fail "the extra file not named: $(cat "$work/out")"
echo "test_same_outputs: passed"
