#!/usr/bin/env bash
# neurofab's training step against the same problem in JAX (and plain PyTorch),
# side by side on the same core (issue #23). Run by hand, never in CI.
#
# For each size N and model it runs ./build/bench/bench_train_step and
# bench/jax_train_step.py alternately (--rounds times, the order swapped every
# round so that a slow drift of the machine hits both), then, if
# bench_train_step has --threads, both again on two cores, then
# bench/torch_train_step.py once. Each run reports the median of --repeats
# timed steps after --warmup untimed ones; the table shows every round's
# median and uses the lowest for ratios and GFLOP/s.
#
# JAX runs from a venv outside the repository with the pins of
# bench/requirements-bench.txt (made on first use); PyTorch is Debian's
# python3-torch with /usr/bin/python3. See `--help`.
set -euo pipefail

readonly BATCH=64 STEPS=100 N_IN=3 N_OUT=3  # bench_train_step's problem (fixed there too)

usage() {
  cat <<'EOF'
Usage: bash bench/side_by_side.sh [options]

neurofab's bench_train_step against the same training step (forward + BPTT +
global-norm clipping + Adam, B=64, T=100, float32, 3-bit flip-flop) in JAX and
PyTorch, pinned to one core, alternating, with ratios and GFLOP/s.

Options:
  --sizes LIST        recurrent sizes N, comma-separated (default 64,100,256,512)
  --models LIST       rate, lif or rate,lif (default rate,lif)
  --rounds K          alternating rounds of neurofab and JAX per size and model (default 2)
  --repeats R         timed steps per run (default 200, as bench_train_step)
  --warmup W          untimed steps first (default 20, as bench_train_step)
  --core C            core of the 1-thread rows (default 0)
  --cores2 C1,C2      cores of the 2-thread rows (default 0,1)
  --no-torch          no PyTorch row
  --torch-sizes LIST  sizes that get a PyTorch row (default: all of --sizes)
  --csv PATH          also write the table as CSV to PATH
  --bench PATH        the bench_train_step binary (default ./build/bench/bench_train_step)
  --build             rebuild bench_train_step first (incremental), even if it exists
  -h, --help          this text

Environment:
  NEUROFAB_BENCH_VENV  the JAX venv (default ~/.cache/neurofab/bench-venv), made
                       with `python3` from PATH and bench/requirements-bench.txt

Rows: neurofab 1 thread (taskset -c CORE); JAX 1 thread (taskset -c CORE,
XLA_FLAGS='--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1');
neurofab 2 threads (taskset -c CORES2, --threads 2; only if bench_train_step has
--threads); JAX 2 threads (taskset -c CORES2, no XLA_FLAGS); PyTorch 1 thread
(taskset -c CORE, torch.set_num_threads(1)).
EOF
}

die() {
  echo "side_by_side.sh: error: $*" >&2
  exit 1
}

# --- Options -------------------------------------------------------------------------
sizes=64,100,256,512
models=rate,lif
rounds=2
repeats=200
warmup=20
core=0
cores2=0,1
torch=1
torch_sizes=
csv=
bench=
rebuild=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --no-torch) torch=0; shift; continue ;;
    --build) rebuild=1; shift; continue ;;
    --sizes | --models | --rounds | --repeats | --warmup | --core | --cores2 | --torch-sizes | --csv | --bench)
      [ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  case "$1" in
    --sizes) sizes=$2 ;;
    --models) models=$2 ;;
    --rounds) rounds=$2 ;;
    --repeats) repeats=$2 ;;
    --warmup) warmup=$2 ;;
    --core) core=$2 ;;
    --cores2) cores2=$2 ;;
    --torch-sizes) torch_sizes=$2 ;;
    --csv) csv=$2 ;;
    --bench) bench=$2 ;;
  esac
  shift 2
done

[[ $sizes =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--sizes must be positive integers separated by commas (got '$sizes')"
[[ $models =~ ^(rate|lif)(,(rate|lif))*$ ]] || die "--models must be rate, lif or rate,lif (got '$models')"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer (got '$rounds')"
[[ $repeats =~ ^[1-9][0-9]*$ ]] || die "--repeats must be a positive integer (got '$repeats')"
[[ $warmup =~ ^[1-9][0-9]*$ ]] || die "--warmup must be a positive integer (got '$warmup'; JAX compiles in the first step)"
[[ $core =~ ^[0-9]+$ ]] || die "--core must be one core number (got '$core')"
[[ $cores2 =~ ^[0-9]+,[0-9]+$ ]] || die "--cores2 must be two core numbers, C1,C2 (got '$cores2')"
[ -z "$torch_sizes" ] || [[ $torch_sizes =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
  die "--torch-sizes must be positive integers separated by commas (got '$torch_sizes')"
[ -n "$torch_sizes" ] || torch_sizes=$sizes
command -v taskset >/dev/null || die "taskset not found (Debian package util-linux)"
taskset -c "$core" true 2>/dev/null || die "cannot pin to core $core (cores here: $(taskset -cp $$ | sed 's/.*: //'))"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
[ -n "$bench" ] || bench=./build/bench/bench_train_step

# --- bench_train_step ----------------------------------------------------------------
if [ "$bench" = ./build/bench/bench_train_step ]; then
  if [ ! -f build/build.ninja ]; then
    echo "build/ is not configured: running scripts/build.sh (configures and builds the whole project once)" >&2
    bash scripts/build.sh || die "scripts/build.sh failed"
  fi
  if [ ! -x "$bench" ] || [ "$rebuild" = 1 ]; then
    echo "building bench_train_step" >&2
    flock /tmp/nf-build.lock cmake --build build --target bench_train_step >&2 || die "building bench_train_step failed"
  fi
fi
[ -x "$bench" ] || die "no bench_train_step at $bench"
peak_probe=$(dirname "$bench")/bench_peak_flops
if [ ! -x "$peak_probe" ] && [ -f build/build.ninja ]; then
  flock /tmp/nf-build.lock cmake --build build --target bench_peak_flops >&2 || die "building bench_peak_flops failed"
fi
[ -x "$peak_probe" ] || die "no bench_peak_flops beside $bench (cmake --build build --target bench_peak_flops)"
two_threads=1
skip_reason=
if ! "$bench" --help 2>&1 | grep -q -- '--threads'; then
  two_threads=0
  skip_reason="bench_train_step has no --threads"
elif ! taskset -c "$cores2" true 2>/dev/null; then
  two_threads=0
  skip_reason="cannot pin to cores $cores2"
fi
[ "$two_threads" = 1 ] || echo "2-thread row skipped: $skip_reason" >&2

# --- JAX venv (outside the repository) -------------------------------------------------
venv=${NEUROFAB_BENCH_VENV:-$HOME/.cache/neurofab/bench-venv}
case "$(realpath -m "$venv")/" in
  "$repo"/*) die "NEUROFAB_BENCH_VENV ($venv) is inside the repository; put it elsewhere" ;;
esac
requirements=bench/requirements-bench.txt
if ! cmp -s "$requirements" "$venv/.neurofab-requirements" 2>/dev/null; then
  command -v python3 >/dev/null || die "python3 not found on PATH (needed to make the JAX venv)"
  echo "making the JAX venv $venv from $requirements (once; takes a while)" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || die "python3 -m venv $venv failed"
  "$venv/bin/python" -m pip install --quiet -r "$requirements" >&2 || die "pip install -r $requirements failed"
  cp "$requirements" "$venv/.neurofab-requirements"
fi
jax_python=$venv/bin/python
jax_versions=$("$jax_python" -c 'import jax, jaxlib, optax; print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}, optax {optax.__version__}")') ||
  die "JAX does not import in $venv (delete the venv to remake it)"

# --- PyTorch (Debian's python3-torch) --------------------------------------------------
torch_version=-
if [ "$torch" = 1 ]; then
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    [ "$(id -u)" = 0 ] || die "PyTorch row needs Debian's python3-torch: apt-get install -y python3-torch (or pass --no-torch)"
    echo "installing Debian's python3-torch" >&2
    apt-get install -y python3-torch >&2 || die "apt-get install -y python3-torch failed (or pass --no-torch)"
  fi
  torch_version=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
  torch_version="$torch_version, BLAS $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?'),"
  torch_version="$torch_version glibc M_TOP_PAD 256 MiB (see bench/torch_train_step.py --help)"
fi

# --- The machine -------------------------------------------------------------------------
cpuinfo_field() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | sed 's/^[^:]*:[[:space:]]*//'; }
cpu_model=$(cpuinfo_field 'model name')
cpu_family=$(cpuinfo_field 'cpu family')
cpu_model_number=$(cpuinfo_field model)
cpu_mhz=$(cpuinfo_field 'cpu MHz')
# The peak is measured on the benchmark's core: an FMA loop (bench/peak_flops_bench.cpp).
peak=$(taskset -c "$core" "$peak_probe" | sed -n 's/^peak \([0-9.]*\) GFLOP.*/\1/p')
[ -n "$peak" ] || die "bench_peak_flops printed no peak"

# --- Runs --------------------------------------------------------------------------------
logs=$(mktemp -d "${TMPDIR:-/tmp}/neurofab-side-by-side.XXXXXX")
results=$logs/results.tsv
: >"$results"

# run LOG CMD...: runs CMD into LOG, sets r_median, r_loss, r_kernels, r_rate (JAX LIF's spike rate).
run() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "failed: $* (output in $log)"
  fi
  r_median=$(sed -n 's/^ *median \([0-9.]*\) ms\/step.*/\1/p' "$log" | head -n 1)
  r_loss=$(sed -n 's/.*final loss \([-0-9.eE+naNinf]*\).*/\1/p' "$log" | head -n 1)
  r_kernels=$(sed -n 's/^ *matrix kernels: *//p' "$log" | head -n 1)
  r_rate=$(sed -n 's/^ *spike rate .*, \([0-9.]*\) (last step).*/\1/p' "$log" | head -n 1)
  [ -n "$r_median" ] || die "no 'median ... ms/step' line from: $* (output in $log)"
}

jax_1t_flags='--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1'
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a model_list <<<"$models"
for n in "${size_list[@]}"; do
  for model in "${model_list[@]}"; do
    nf1='' jax1='' nf2='' jax2='' torch1=- loss_nf=- loss_jax=- loss_torch=- kernels=- rate_jax=-
    for ((r = 1; r <= rounds; r++)); do
      common=(--model "$model" --n "$n" --repeats "$repeats" --warmup "$warmup")
      order=(nf jax)
      [ $((r % 2)) = 1 ] || order=(jax nf)
      for who in "${order[@]}"; do
        if [ "$who" = nf ]; then
          run "$logs/nf1-$model-$n-$r.txt" taskset -c "$core" "$bench" "${common[@]}"
          nf1+=${nf1:+/}$r_median loss_nf=$r_loss
          [ -z "$r_kernels" ] || kernels=$r_kernels
        else
          run "$logs/jax1-$model-$n-$r.txt" env XLA_FLAGS="$jax_1t_flags" taskset -c "$core" \
            "$jax_python" bench/jax_train_step.py "${common[@]}"
          jax1+=${jax1:+/}$r_median loss_jax=$r_loss rate_jax=${r_rate:--}
        fi
      done
      echo "N=$n $model round $r/$rounds, 1 thread: neurofab ${nf1##*/} ms, JAX ${jax1##*/} ms" >&2
      if [ "$two_threads" = 1 ]; then
        for who in "${order[@]}"; do
          if [ "$who" = nf ]; then
            run "$logs/nf2-$model-$n-$r.txt" taskset -c "$cores2" "$bench" "${common[@]}" --threads 2
            nf2+=${nf2:+/}$r_median
          else
            run "$logs/jax2-$model-$n-$r.txt" env -u XLA_FLAGS taskset -c "$cores2" \
              "$jax_python" bench/jax_train_step.py "${common[@]}"
            jax2+=${jax2:+/}$r_median
          fi
        done
        echo "N=$n $model round $r/$rounds, 2 threads: neurofab ${nf2##*/} ms, JAX ${jax2##*/} ms" >&2
      fi
    done
    if [ "$torch" = 1 ] && [[ ,$torch_sizes, == *,$n,* ]]; then
      run "$logs/torch1-$model-$n.txt" taskset -c "$core" /usr/bin/python3 bench/torch_train_step.py \
        --model "$model" --n "$n" --repeats "$repeats" --warmup "$warmup" --threads 1
      torch1=$r_median loss_torch=$r_loss
      echo "N=$n $model, PyTorch 1 thread: $torch1 ms" >&2
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$model" "$nf1" "$jax1" "${nf2:--}" "${jax2:--}" \
      "$torch1" "$loss_nf" "$loss_jax" "$loss_torch" "$kernels" "$rate_jax" >>"$results"
  done
done

# --- Report ------------------------------------------------------------------------------
echo
echo "CPU: $cpu_model (family $cpu_family, model $cpu_model_number), /proc/cpuinfo clock $cpu_mhz MHz"
echo "Peak: $peak GFLOP/s fp32 per core, measured by bench_peak_flops (AVX2 FMA; on Zen 4 AVX-512 has the same rate)"
echo "JAX: $jax_versions (venv $venv); PyTorch: $torch_version"
echo "Pinning: 1 thread on core $core; 2 threads on cores $cores2$([ "$two_threads" = 1 ] || echo " (2-thread row skipped: $skip_reason)")"
echo "Each run: median of $repeats timed steps after $warmup warm-up steps; B=$BATCH, T=$STEPS, float32, 3-bit flip-flop."
echo "FLOP/step = 2*B*T*(3*N^2 + 2*N*n_in + 3*N*n_out), n_in = n_out = 3: the three N x N products"
echo "  (forward W_rec h, backward W_rec^T delta, weight gradient sum delta h^T), the input product and its"
echo "  weight gradient, the readout, its backward product and its weight gradient; element-wise work not counted."
echo
awk -F'\t' -v B="$BATCH" -v T="$STEPS" -v nin="$N_IN" -v nout="$N_OUT" -v peak="$peak" -v csv="$csv" '
  function best(list,   parts, k, m) {
    if (list == "-" || list == "") return "";
    split(list, parts, "/"); m = parts[1] + 0;
    for (k in parts) if (parts[k] + 0 < m) m = parts[k] + 0;
    return m;
  }
  function fmt(x, f) { return x == "" ? "-" : sprintf(f, x); }
  function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b; }
  function gflops(flop, ms) { return ms == "" ? "" : flop / (ms * 1e6); }
  function cell(ms, list) { return ms == "" ? "-" : sprintf("%.2f (%s)", ms, list); }
  function q(s) { gsub(/"/, "\"\"", s); return "\"" s "\""; }
  BEGIN {
    hdr = sprintf("%5s %-5s | %-22s %-22s %7s | %-22s %6s %-22s %7s | %8s", "N", "model", "neurofab 1t ms",
                  "JAX 1t ms", "nf/JAX", "neurofab 2t ms", "1t/2t", "JAX 2t ms", "nf/JAX", "torch ms");
    print "Times, ms/step: lowest round median (every round in parentheses); nf/JAX < 1: neurofab faster";
    print hdr; gsub(/./, "-", hdr); print hdr;
    if (csv != "") print "n,model,neurofab_1t_ms,neurofab_1t_rounds,jax_1t_ms,jax_1t_rounds,ratio_neurofab_jax_1t," \
      "neurofab_2t_ms,neurofab_2t_rounds,scaling_neurofab_1t_2t,jax_2t_ms,jax_2t_rounds,ratio_neurofab_jax_2t," \
      "torch_1t_ms,flop_per_step,gflops_neurofab_1t,gflops_jax_1t,gflops_neurofab_2t,gflops_jax_2t,gflops_torch_1t," \
      "peak_gflops_per_core,final_loss_neurofab,final_loss_jax,final_loss_torch,jax_spike_rate_last_step," \
      "matrix_kernels" > csv;
  }
  {
    n[NR] = $1; model[NR] = $2; nf1[NR] = best($3); jx1[NR] = best($4); nf2[NR] = best($5); jx2[NR] = best($6);
    pt[NR] = best($7); flop[NR] = 2 * B * T * (3 * $1 * $1 + 2 * $1 * nin + 3 * $1 * nout);
    line[NR] = $0;
    printf "%5d %-5s | %-22s %-22s %7s | %-22s %6s %-22s %7s | %8s\n", $1, $2, cell(nf1[NR], $3), cell(jx1[NR], $4),
      fmt(ratio(nf1[NR], jx1[NR]), "%.2f"), cell(nf2[NR], $5), fmt(ratio(nf1[NR], nf2[NR]), "%.2f"),
      cell(jx2[NR], $6), fmt(ratio(nf2[NR], jx2[NR]), "%.2f"), fmt(pt[NR], "%.2f");
    if (csv != "") {
      printf "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.0f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", $1, $2,
        nf1[NR], $3, jx1[NR], $4, ratio(nf1[NR], jx1[NR]), nf2[NR], ($5 == "-" ? "" : $5), ratio(nf1[NR], nf2[NR]),
        jx2[NR], ($6 == "-" ? "" : $6), ratio(nf2[NR], jx2[NR]), pt[NR], flop[NR],
        gflops(flop[NR], nf1[NR]), gflops(flop[NR], jx1[NR]), gflops(flop[NR], nf2[NR]), gflops(flop[NR], jx2[NR]),
        gflops(flop[NR], pt[NR]), peak, ($8 == "-" ? "" : $8), ($9 == "-" ? "" : $9), ($10 == "-" ? "" : $10),
        ($12 == "-" ? "" : $12), q($11 == "-" ? "" : $11) > csv;
    }
  }
  END {
    print "";
    print "Throughput, GFLOP/s (% of the measured peak: " peak " GFLOP/s per core, twice that for 2 threads)";
    hdr = sprintf("%5s %-5s %10s | %-14s %-14s %-14s %-14s %-14s", "N", "model", "MFLOP/step", "neurofab 1t",
                  "JAX 1t", "neurofab 2t", "JAX 2t", "torch 1t");
    print hdr; gsub(/./, "-", hdr); print hdr;
    for (i = 1; i <= NR; i++) {
      printf "%5d %-5s %10.1f | %-14s %-14s %-14s %-14s %-14s\n", n[i], model[i], flop[i] / 1e6,
        gf(flop[i], nf1[i], 1), gf(flop[i], jx1[i], 1), gf(flop[i], nf2[i], 2), gf(flop[i], jx2[i], 2),
        gf(flop[i], pt[i], 1);
    }
    print "";
    print "Final loss (last timed step; same problem, own random data and weights, so close but not equal)";
    print "and, for LIF, JAX'"'"'s spike rate in its last step (spikes per unit and step; a dense step'"'"'s cost";
    print "does not depend on it, an event-driven one'"'"'s does)";
    for (i = 1; i <= NR; i++) {
      split(line[i], f, "\t");
      printf "%5d %-5s  neurofab %s   JAX %s   PyTorch %s%s\n", n[i], model[i], f[8], f[9], f[10],
        (f[12] == "-" ? "" : "   JAX spike rate " f[12]);
    }
    print "";
    print "Matrix kernels (bench_train_step):";
    for (i = 1; i <= NR; i++) {
      split(line[i], f, "\t");
      printf "%5d %-5s  %s\n", n[i], model[i], (f[11] == "-" ? "(bench_train_step prints no matrix kernels line)" : f[11]);
    }
  }
  function gf(flop, ms, cores) {
    return ms == "" ? "-" : sprintf("%.1f (%.0f%%)", flop / (ms * 1e6), 100 * flop / (ms * 1e6) / (peak * cores));
  }
' "$results"
echo
echo "Raw outputs: $logs"
[ -z "$csv" ] || echo "CSV: $csv"
