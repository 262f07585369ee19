"""Shared helpers of the NIR / snnTorch interoperability tests (issue #21).

The tests are plain scripts run by CTest in the venv of scripts/interop_env.sh
(Debian's torch 1.13, numpy, h5py; the pinned nir, nirtorch, snntorch). Each
exits non-zero on the first failed check, with a message saying what was
expected and what was found. Every check is `check(...)`, not `assert`, so
that `python -O` cannot remove it.

What lives here:
- running the neurofab CLI (`Cli`), timing and echoing each command;
- neurofab's data files (`neurofab data`) and its success criterion;
- `SnnLifRnn`: neurofab's LIF RNN built from snnTorch modules, with the
  corrected mapping (docs/lif-rnn.md, "Mapping to NIR and snnTorch"):
  Linear(W_in, b) -> RSynaptic(alpha, beta, reset_mechanism="none",
  all_to_all=True) -> Linear(W_out, b_out) [-> Leaky(kappa, reset "none")],
  with the reset and the refractory period applied by hand between steps;
- `snn_from_nir`: the same model from a NIR graph (neurofab's layout, or
  snnTorch's export with its "<name>.lif" / "<name>.w_rec" nodes).
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time

import numpy as np
import torch


class CheckFailed(Exception):
    pass


def check(condition, message):
    """Fails the test with `message` when `condition` is false."""
    if not condition:
        raise CheckFailed(message)


def main(body, extra=()):
    """Runs body(args) and turns a failed check into exit code 1 with its message.
    `extra`: further required options as (flag, help) pairs."""
    parser = argparse.ArgumentParser(description=body.__doc__)
    parser.add_argument("--neurofab", required=True, help="path of the neurofab binary")
    parser.add_argument("--workdir", required=True, help="folder for this test's files")
    parser.add_argument("--seed", type=int, default=1)
    for flag, text in extra:
        parser.add_argument(flag, required=True, help=text)
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)  # every run starts from nothing
    os.makedirs(args.workdir)
    torch.set_num_threads(1)  # ctest -j2 runs two tests on two cores
    start = time.monotonic()
    try:
        body(args)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"passed in {time.monotonic() - start:.1f} s")


class Cli:
    """The neurofab binary; every call is echoed with its wall time."""

    def __init__(self, path):
        self.path = path
        self.seconds = {}

    def run(self, *args, expect=0):
        cmd = [self.path, *[str(a) for a in args]]
        print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        start = time.monotonic()
        result = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.monotonic() - start
        self.seconds[args[0]] = self.seconds.get(args[0], 0.0) + elapsed
        print(f"  ({elapsed:.2f} s, exit {result.returncode})", flush=True)
        if expect is not None and result.returncode != expect:
            raise CheckFailed(
                f"`neurofab {' '.join(str(a) for a in args)}` exited {result.returncode}, expected {expect}\n"
                f"--- stdout ---\n{result.stdout}--- stderr ---\n{result.stderr}")
        return result


# ---------------------------------------------------------------- data files

def load_data(path):
    """A `neurofab data` file: inputs, targets, mask [T, B, C] float64, success_mse (0-d)."""
    with np.load(path) as f:
        data = {k: f[k] for k in f.files}
    for name in ("inputs", "targets", "mask", "success_mse"):
        check(name in data, f"{path}: no array '{name}' (has {sorted(data)})")
    for name in ("inputs", "targets", "mask"):
        check(data[name].ndim == 3 and data[name].dtype == np.float64,
              f"{path}: {name} is {data[name].dtype} {data[name].shape}, expected float64 [T, B, C]")
    check(data["success_mse"].shape == (), f"{path}: success_mse has shape {data['success_mse'].shape}, expected 0-d")
    return data


def masked_mse(outputs, targets, mask):
    """Per trial: sum over steps and channels of mask·(y − target)² over the sum of the mask."""
    err = (mask * (outputs - targets) ** 2).sum(axis=(0, 2))
    return err / np.maximum(mask.sum(axis=(0, 2)), 1e-300)


def success(outputs, data):
    """The data file's criterion: a trial succeeds when its masked MSE is below success_mse."""
    return masked_mse(outputs, data["targets"], data["mask"]) < float(data["success_mse"])


# ---------------------------------------------------------------- snnTorch

class SpikeFn(torch.autograd.Function):
    """s = H(u − θ) with H(0) = 1, as neurofab (snnTorch's surrogates use > and
    return float32 even in float64 runs); backward: the fast sigmoid
    1/(1 + k|z|)², neurofab's default surrogate with k = 5."""

    slope = 5.0

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return (z >= 0).to(z.dtype)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad / (1.0 + SpikeFn.slope * z.abs()) ** 2


def spike_fn(z):
    return SpikeFn.apply(z)


class SnnLifRnn(torch.nn.Module):
    """neurofab's LIF RNN (models/include/neurofab/models/lif_rnn.hpp) in snnTorch 1.0.0 modules.

    snnTorch's own resets are not used (reset_mechanism="none"): in 1.0.0 its
    subtract reset is computed one step late from the stored post-reset
    potential, so it misses spikes once u ≥ 2θ, and reset_delay=False has no
    effect when the states are passed in. The loop below applies neurofab's
    reset to the potential RSynaptic returns, and the refractory period too.
    """

    def __init__(self, w_in, lif, w_out, readout, threshold, reset, refractory_steps=0):
        super().__init__()
        self.w_in, self.lif, self.w_out, self.readout = w_in, lif, w_out, readout
        self.threshold = threshold
        self.reset = reset
        self.refractory_steps = refractory_steps
        check(reset in ("subtract", "zero"), f"unknown reset {reset!r}")

    def forward(self, x, record=False):
        """x: [T, B, n_in]. Returns outputs [T, B, n_out] (and, with record, every state)."""
        n_steps, batch = x.shape[0], x.shape[1]
        n = self.lif.recurrent.weight.shape[0]
        zeros = torch.zeros(batch, n, dtype=x.dtype)
        spk, syn, v = zeros, zeros, zeros
        count = torch.zeros(batch, n, dtype=torch.long)
        y = None
        outputs, trace = [], {k: [] for k in ("currents", "potentials", "membranes", "spikes")}
        for t in range(n_steps):
            # I_t = α I_{t-1} + W_in x_t + b + W_rec s_{t-1}; u_t = β v_{t-1} + I_t; s_t = H(u_t − θ)
            spk, syn, u = self.lif(self.w_in(x[t]), spk, syn, v)
            if self.refractory_steps > 0:
                # refractory at t+1..t+R after a spike at t: u_t = v_{t-1}, s_t = 0
                q = count > 0
                u = torch.where(q, v, u)
                spk = torch.where(q, torch.zeros_like(spk), spk)
                count = torch.where(spk > 0, torch.full_like(count, self.refractory_steps),
                                    (count - 1).clamp(min=0))
            v = u - self.threshold * spk if self.reset == "subtract" else u * (1 - spk)
            out = self.w_out(spk)
            if self.readout is not None:  # y_t = κ y_{t-1} + W_out s_t + b_out
                _, y = self.readout(out, y if y is not None else torch.zeros_like(out))
                out = y
            outputs.append(out)
            if record:
                for k, val in zip(trace, (syn, u, v, spk)):
                    trace[k].append(val.detach())
        outputs = torch.stack(outputs)
        if not record:
            return outputs
        return outputs, {k: torch.stack(val).numpy() for k, val in trace.items()}


def make_snn(w_in, b, alpha, beta, threshold, w_rec, w_rec_bias, w_out, b_out, kappa, reset,
             refractory_steps=0, dtype=torch.float64):
    """SnnLifRnn from arrays (per-unit alpha, beta; kappa a scalar, 0 for no readout)."""
    import snntorch as snn

    n, n_in = w_in.shape
    n_out = w_out.shape[0]

    def linear(weight, bias):
        layer = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
        with torch.no_grad():
            layer.weight.copy_(torch.as_tensor(np.asarray(weight, dtype=np.float64)))
            if bias is not None:
                layer.bias.copy_(torch.as_tensor(np.asarray(bias, dtype=np.float64)))
        return layer

    lif = snn.RSynaptic(alpha=torch.as_tensor(np.asarray(alpha, dtype=np.float64)),
                        beta=torch.as_tensor(np.asarray(beta, dtype=np.float64)),
                        threshold=torch.tensor(float(threshold), dtype=torch.float64),  # not float32
                        spike_grad=spike_fn, all_to_all=True,
                        linear_features=n, reset_mechanism="none")
    lif.recurrent = linear(w_rec, w_rec_bias if w_rec_bias is not None else np.zeros(n))
    readout = None
    if kappa > 0:
        readout = snn.Leaky(beta=torch.as_tensor(float(kappa), dtype=torch.float64), spike_grad=spike_fn,
                            reset_mechanism="none")
    model = SnnLifRnn(linear(w_in, b), lif, linear(w_out, b_out), readout, float(threshold), reset,
                      refractory_steps)
    return model.to(dtype)


# ---------------------------------------------------------------- NIR graphs

def decay_from_tau(tau, dt):
    """Forward Euler: d = 1 − dt/τ, rounded to float32 (neurofab's decays are float32)."""
    return np.float32(1.0 - dt / np.asarray(tau, dtype=np.float64))


def nir_to_arrays(graph, dt):
    """The layout of docs/lif-rnn.md from a NIR graph: input → Affine/Linear → CubaLIF/LIF ⇄
    Linear/Affine, → Affine/Linear [→ LI] → output. Node names are found from the edges,
    so neurofab's names and snnTorch's ("0", "1.lif", "1.w_rec", "2") both work."""
    import nir

    nodes, edges = graph.nodes, graph.edges
    succ = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    lif_names = [k for k, v in nodes.items() if isinstance(v, (nir.CubaLIF, nir.LIF))]
    check(len(lif_names) == 1, f"expected one CubaLIF/LIF node, found {lif_names}")
    lif_name = lif_names[0]
    lif = nodes[lif_name]
    (input_name,) = [k for k, v in nodes.items() if isinstance(v, nir.Input)]
    (w_in_name,) = succ[input_name]
    rec_names = [k for k in succ[lif_name] if lif_name in succ.get(k, [])]
    check(len(rec_names) == 1, f"expected one recurrent node of {lif_name}, found {rec_names}")
    (out_names,) = [[k for k in succ[lif_name] if k != rec_names[0]]]
    (w_out_name,) = out_names
    after_out = succ[w_out_name][0]
    readout = nodes[after_out] if isinstance(nodes[after_out], nir.LI) else None

    def wb(node):
        weight = np.asarray(node.weight, dtype=np.float64)
        bias = np.asarray(node.bias, dtype=np.float64) if isinstance(node, nir.Affine) else None
        return weight, bias

    w_in, b = wb(nodes[w_in_name])
    w_rec, w_rec_bias = wb(nodes[rec_names[0]])
    w_out, b_out = wb(nodes[w_out_name])
    n = w_rec.shape[0]
    if isinstance(lif, nir.CubaLIF):
        beta = decay_from_tau(lif.tau_mem, dt)
        alpha = decay_from_tau(lif.tau_syn, dt)
        check(np.allclose(np.asarray(lif.w_in, dtype=np.float64), 1.0 / (1.0 - alpha.astype(np.float64)), rtol=1e-5),
              f"{lif_name}: w_in is not 1/(1 − α_s)")
    else:
        beta = decay_from_tau(lif.tau, dt)
        alpha = np.zeros(n, dtype=np.float32)
    check(np.allclose(np.asarray(lif.r, dtype=np.float64), 1.0 / (1.0 - beta.astype(np.float64)), rtol=1e-5),
          f"{lif_name}: r is not 1/(1 − β)")
    check(np.all(np.asarray(lif.v_leak) == 0), f"{lif_name}: v_leak is not 0")
    threshold = np.broadcast_to(np.asarray(lif.v_threshold, dtype=np.float64), (n,))
    check(np.all(threshold == threshold[0]), f"{lif_name}: thresholds differ between units")
    kappa = 0.0
    if readout is not None:
        kappa = float(1.0 - dt / np.asarray(readout.tau, dtype=np.float64).reshape(-1)[0])
    return dict(w_in=w_in, b=b, alpha=alpha, beta=beta, threshold=float(threshold[0]), w_rec=w_rec,
                w_rec_bias=w_rec_bias, w_out=w_out, b_out=b_out, kappa=kappa, lif_name=lif_name)


def snn_from_nir(graph, dt, reset, refractory_steps=0, dtype=torch.float64):
    """snnTorch modules of a NIR graph, with the reset given (NIR's CubaLIF can only say v_reset)."""
    a = nir_to_arrays(graph, dt)
    b = a["b"] if a["b"] is not None else np.zeros(a["w_rec"].shape[0])
    if a["w_rec_bias"] is not None:
        # A recurrent Affine's bias is a constant current like b; neurofab adds it to b in
        # float32 (its tensors' type), and so does this reference.
        b = (b.astype(np.float32) + a["w_rec_bias"].astype(np.float32)).astype(np.float64)
    return make_snn(a["w_in"], b, a["alpha"], a["beta"], a["threshold"], a["w_rec"], None,
                    a["w_out"], a["b_out"], a["kappa"], reset, refractory_steps, dtype)


def first_difference(a, b):
    """The index of the first element where a and b differ, in C order (None if none)."""
    where = np.argwhere(a != b)
    return tuple(int(i) for i in where[0]) if len(where) else None


def metadata_str(value):
    return value.decode() if isinstance(value, bytes) else str(value)
