#!/usr/bin/env bash
# Are the demo's outputs the same before and after a change? Runs the demo of
# REV (a git worktree beside the repository, with its own build) and of this
# working tree, then compares out/demo file by file with same_outputs.py
# (wall-clock values masked, nothing else). By hand: two demo runs and a
# second build, about 45 minutes on 2 cores.
#
#   bash scripts/same_demo_outputs.sh REV            e.g. the commit before a refactoring
#   bash scripts/same_demo_outputs.sh --outputs DIR  compare DIR (a saved out/demo) with this tree's demo
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $# -ne 2 && $# -ne 1 ]]; then
  echo "usage: bash scripts/same_demo_outputs.sh REV | --outputs DIR" >&2
  exit 2
fi
if [[ "$1" == "--outputs" ]]; then
  before="${2:?--outputs needs a folder}"
else
  base="${TMPDIR:-/tmp}/neurofab-before-$(git -C "$root" rev-parse --short "$1")"
  [[ -d "$base" ]] || git -C "$root" worktree add --detach "$base" "$1"
  (cd "$base" && bash scripts/demo.sh)
  before="$base/out/demo"
fi
(cd "$root" && bash scripts/demo.sh)
python3 "$root/scripts/same_outputs.py" "$before" "$root/out/demo"
