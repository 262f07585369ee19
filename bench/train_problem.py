"""The problem both Python benchmarks train (bench/jax_train_step.py,
bench/torch_train_step.py): bench_train_step's 3-bit flip-flop, its
initialisation, its command-line options and its result line. numpy only, so
either interpreter imports it.
"""
import os
import sys

import numpy as np


# Per step and channel a +-1 pulse with probability 0.05; the target holds the
# sign of the channel's last pulse (0 before the first); the mask is all ones.
# Layout is time-major, [T, B, channels]; the C++ uses column t*B + b of a
# [channels, T*B] matrix, the same data.
BITS = 3
FLIP_PROB = 0.05


def flipflop_batch(rng, steps, batch):
    pulse = rng.random((steps, batch, BITS)) < FLIP_PROB
    sign = np.where(rng.random((steps, batch, BITS)) < 0.5, 1.0, -1.0)
    inputs = np.where(pulse, sign, 0.0)
    targets = np.zeros_like(inputs)
    state = np.zeros((batch, BITS))
    for t in range(steps):
        state = np.where(pulse[t], sign[t], state)
        targets[t] = state
    mask = np.ones_like(inputs)
    return inputs.astype(np.float32), targets.astype(np.float32), mask.astype(np.float32)


# --- Initialisation (models/src/init.cpp, NetworkInit defaults) -------------------------
# W_in, W_out Glorot-uniform, W_rec normal with sd 1/sqrt(N), biases 0. LIF:
# W_in, W_rec times (1 - alpha_s), W_out times (1 - kappa) (DC-gain compensation).
def init_params(rng, n, model, alpha_syn=0.0, kappa=0.0):
    def glorot(rows, cols):
        limit = np.sqrt(6.0 / (rows + cols))
        return rng.uniform(-limit, limit, (rows, cols))

    w_in = glorot(n, BITS)
    w_rec = rng.normal(0.0, 1.0 / np.sqrt(n), (n, n))
    w_out = glorot(BITS, n)
    if model == "lif":
        w_in, w_rec, w_out = (1 - alpha_syn) * w_in, (1 - alpha_syn) * w_rec, (1 - kappa) * w_out
    params = {"W_in": w_in, "W_rec": w_rec, "b_rec": np.zeros(n), "W_out": w_out, "b_out": np.zeros(BITS)}
    return {k: np.asarray(v, np.float32) for k, v in params.items()}


def add_problem_arguments(p, warmup_help="untimed steps first"):
    """bench_train_step's options, with its defaults."""
    p.add_argument("--model", choices=["rate", "lif"], default="rate")
    p.add_argument("--n", type=int, default=100, help="recurrent units N")
    p.add_argument("--steps", type=int, default=100, help="trial length T")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--alpha", type=float, default=0.1, help="leak of the rate RNN")
    p.add_argument("--repeats", type=int, default=200, help="timed steps")
    p.add_argument("--warmup", type=int, default=20, help=warmup_help)
    p.add_argument("--seed", type=int, default=1)


def print_result(a, tool, times_ms, losses, details=""):
    """The header and the median line in bench_train_step's format (side_by_side.sh parses it)."""
    times = sorted(times_ms)
    median, p10, p90 = times[len(times) // 2], times[len(times) // 10], times[len(times) * 9 // 10]
    what = ("rate RNN, tanh, alpha={:g}".format(a.alpha) if a.model == "rate"
            else "LIF RNN, CUBA, fast sigmoid, subtract reset, LI readout")
    cores = ",".join(map(str, sorted(os.sched_getaffinity(0))))
    print(f"train step ({tool})  {what}  N={a.n} T={a.steps} B={a.batch}, 3-bit flip-flop, {details}cores {cores}")
    print(f"  median {median:.2f} ms/step   (p10 {p10:.2f}, p90 {p90:.2f}; {a.repeats} timed steps)   "
          f"final loss {losses[-1]:.4f}")


def finite_or_error(losses):
    """The exit status: 1, saying so, when a loss was not finite (a broken step is no benchmark)."""
    if not all(np.isfinite(losses)):
        print("error: loss is not finite", file=sys.stderr)
        return 1
    return 0
