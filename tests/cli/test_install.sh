#!/usr/bin/env bash
# `cmake --install` gives a neurofab that works outside the source tree (issue #26).
#
#   test_install.sh <source dir> <build dir> <project version> quick|hardware
#
# Installs the build into a temporary prefix and then moves the prefix: the
# binary finds share/neurofab from its own place, so nothing may name the
# prefix it was installed to, nor the source or build tree. Asserts that
#   - no path of the source tree (the build tree is inside it) is a string of
#     the installed binary;
#   - --version prints "neurofab <project version>";
#   - quantize, rtl, hls, compare (energy table, plot scripts) and
#     build --list-boards run from the moved prefix on a copy of a trained
#     network, and what they write names the prefix's resources;
#   - hardware: verify (the Verilator harness compiled at run time, a fresh
#     cache) and build --board icebreaker (Yosys, nextpnr, icepack);
#   - a missing resource is one error line naming the path looked for;
#   - under strace (when ptrace is allowed) no command touches a file of the
#     source tree: every open, stat and exec is traced.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 <source dir> <build dir> <version> quick|hardware" >&2; exit 2; }
src=$(cd "$1" && pwd -P)
build=$(cd "$2" && pwd -P)
version=$3
mode=$4

work=$(mktemp -d "${TMPDIR:-/tmp}/neurofab-install-test.XXXXXX")
work=$(cd "$work" && pwd -P)
trap 'rm -rf "$work"' EXIT
case "$work/" in "$src"/*) echo "FAIL: the scratch folder $work is inside the source tree" >&2; exit 1 ;; esac

fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/installed" >/dev/null
mv "$work/installed" "$work/prefix"
prefix=$work/prefix
nf=$prefix/bin/neurofab
share=$prefix/share/neurofab
[ -x "$nf" ] || fail "no executable $nf after cmake --install"
for dir in rtl boards plots energy; do
  [ -n "$(ls -A "$share/$dir" 2>/dev/null)" ] || fail "$share/$dir is missing or empty"
done
[ ! -e "$share/plots/__pycache__" ] || fail "$share/plots/__pycache__ was installed"

# --- No source path compiled in -----------------------------------------------
if strings "$nf" | grep -F "$src" >"$work/strings.txt"; then
  fail "paths of the source tree are compiled into $nf:$(printf '\n'; cat "$work/strings.txt")"
fi
echo "strings: no path under $src in $nf"

# --- Running from the moved prefix ------------------------------------------------
# A clean environment: no override, a scratch HOME and cache, started in $work.
cd "$work"
export HOME=$work/home NEUROFAB_CACHE=$work/cache
unset NEUROFAB_RESOURCE_DIR NEUROFAB_PLOTS_DIR
mkdir -p "$HOME"
cp -r "$src/tests/data/rate-xor-n32" "$work/net"

use_strace=0
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then use_strace=1; fi
if [ "$use_strace" = 1 ]; then echo "strace: tracing file accesses"; else echo "strace: unavailable here, the file-access check is skipped"; fi

# run <name> <neurofab arguments...>: output in $work/<name>.log; fails on a
# non-zero exit or, under strace, on any file access under the source tree.
run() {
  local name=$1
  shift
  local status=0
  if [ "$use_strace" = 1 ]; then
    strace -f -qq -e trace=file,process -o "$work/$name.trace" "$nf" "$@" >"$work/$name.log" 2>&1 || status=$?
  else
    "$nf" "$@" >"$work/$name.log" 2>&1 || status=$?
  fi
  [ "$status" -eq 0 ] || fail "neurofab $* exited $status:$(printf '\n'; tail -20 "$work/$name.log")"
  if [ "$use_strace" = 1 ] && grep -F "$src" "$work/$name.trace" >"$work/$name.hits"; then
    fail "neurofab $* touched the source tree:$(printf '\n'; head -5 "$work/$name.hits")"
  fi
}

run version --version
[ "$(cat "$work/version.log")" = "neurofab $version" ] || fail "--version printed '$(cat "$work/version.log")', not 'neurofab $version'"

run quantize quantize "$work/net" -o "$work/q"
run rtl rtl "$work/q" -o "$work/rtl"
# files.f names the core's sources where they are: in the moved prefix.
while read -r f; do
  [ "$f" = nf_config_pkg.sv ] && continue
  case "$f" in "$share/rtl/"*) ;; *) fail "files.f names $f, not a file of $share/rtl" ;; esac
  [ -f "$f" ] || fail "files.f names $f, which does not exist"
done <"$work/rtl/files.f"

run hls hls "$work/q" -o "$work/hls"
[ -f "$work/hls/run_hls.tcl" ] && [ -d "$work/hls/firmware" ] || fail "hls wrote no run_hls.tcl or firmware/"

run boards build --list-boards
grep -q '^icebreaker ' "$work/boards.log" || fail "build --list-boards lists no icebreaker:$(printf '\n'; cat "$work/boards.log")"
grep -qF "board files in $share/boards" "$work/boards.log" || fail "build --list-boards does not name $share/boards"

# compare reads the shipped energy table and draws its figures with the plot scripts.
run compare compare "$work/net" --levels float,integer --trials 32 -q -o "$work/cmp"
for f in summary.md compare.json accuracy_energy.png latency_vs_n.png; do
  [ -s "$work/cmp/$f" ] || fail "compare wrote no $f"
done
grep -qF "$share/energy/" "$work/cmp/compare.json" || fail "compare.json does not name the energy table of $share/energy"

if [ "$mode" = hardware ]; then
  run verify verify "$work/q" --trials 2
  run bitstream build "$work/q" --board icebreaker -o "$work/bit"
  [ -s "$work/bit/nf_rate_system.bin" ] || fail "build --board icebreaker wrote no bitstream"
  grep -qF "\"generator\": \"neurofab $version\"" "$work/bit/report.json" || fail "report.json's generator is not 'neurofab $version'"
fi

# --- A missing resource: one line naming the path -------------------------------
mv "$share/boards" "$work/boards-away"
status=0
"$nf" build --list-boards >"$work/missing.log" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "build --list-boards without boards/ exited $status, not 1"
[ "$(wc -l <"$work/missing.log")" -eq 1 ] || fail "more than one line for a missing resource:$(printf '\n'; cat "$work/missing.log")"
grep -qF "$share/boards is missing" "$work/missing.log" || fail "the error does not name $share/boards: $(cat "$work/missing.log")"
mv "$work/boards-away" "$share/boards"

echo "install test ($mode) passed: $nf works outside $src"
