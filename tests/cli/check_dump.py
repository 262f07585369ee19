"""Checks of `neurofab eval --dump` archives from numpy's side (tests/cli/test_eval_dump.cpp).

    check_dump.py lif ARTIFACT DUMP.npz        the LIF update equations, step by step
    check_dump.py rate ARTIFACT DUMP.npz       the rate RNN's update equations, step by step
    check_dump.py data-success DUMP.npz        success = masked MSE per trial < success_mse (argument 3)
    check_dump.py golden DUMP.npz VECTORS      the integer arrays equal the golden vectors' .bin files
    check_dump.py success-rate DUMP.npz        prints the mean of `success`

Each check recomputes step t from the dumped step t-1 and the artifact's float32
tensors cast to float64 (exactly), as docs/lif-rnn.md and docs/rate-rnn.md write
the equations. Products are compared within 1e-12 (numpy sums in another order).
The element-wise updates are compared exactly: s_t and v_t from the dumped u_t,
and u_t = beta v_{t-1} + I_t rounded once (a fused multiply-add, as the x86-64-v3
build computes it) or twice (as numpy does); nothing else is accepted. Prints
one line of counts; exits 1 with the first difference.
"""
import json
import sys
from fractions import Fraction

import numpy as np


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def artifact(path):
    with open(path + "/model.json") as f:
        model = json.load(f)
    tensors = {name: np.load(f"{path}/{entry['file']}").astype(np.float64)
               for name, entry in model["tensors"].items() if not name.startswith("mask_")}
    return model["model"], tensors


def per_step(dump, name, width, dtype):
    a = dump[name]
    if a.dtype != np.dtype(dtype):
        fail(f"{name}: dtype {a.dtype}, expected {dtype}")
    if a.ndim != 3 or a.shape[2] != width:
        fail(f"{name}: shape {a.shape}, expected [T, B, {width}]")
    return a


def close(name, t, expected, actual):
    if not np.allclose(actual, expected, rtol=1e-12, atol=1e-12):
        k = np.unravel_index(np.argmax(np.abs(actual - expected)), actual.shape)
        fail(f"{name} at step {t + 1}, [trial, unit] {k}: {actual[k]!r} against {expected[k]!r} recomputed")


def equal(name, t, expected, actual):
    if not np.array_equal(actual, expected):
        k = np.argwhere(actual != expected)[0]
        fail(f"{name} at step {t + 1}, [trial, unit] {tuple(k)}: {actual[tuple(k)]!r} against "
             f"{expected[tuple(k)]!r} recomputed")


def potentials(t, beta, v_prev, i_t, q, actual):
    """u_t = v_{t-1} while refractory, else beta v_{t-1} + I_t rounded once or twice; returns the fused count."""
    rounded_twice = np.where(q, v_prev, beta * v_prev + i_t)
    fused = 0
    for k in map(tuple, np.argwhere(rounded_twice != actual)):
        exact = Fraction(beta[k[1]]) * Fraction(v_prev[k]) + Fraction(i_t[k])
        if q[k] or actual[k] != float(exact):
            fail(f"potentials at step {t + 1}, [trial, unit] {k}: {actual[k]!r} against {rounded_twice[k]!r} "
                 f"recomputed ({float(exact)!r} with one rounding)")
        fused += 1
    return fused


def check_trials(dump, n_in, n_out):
    inputs = per_step(dump, "inputs", n_in, "float64")
    steps, trials = inputs.shape[:2]
    for name in ("targets", "mask", "outputs"):
        if per_step(dump, name, n_out, "float64").shape[:2] != (steps, trials):
            fail(f"{name}: [T, B] differ from the inputs'")
    if dump["success"].dtype != np.uint8 or dump["success"].shape != (trials,):
        fail(f"success: {dump['success'].dtype} {dump['success'].shape}, expected uint8 ({trials},)")
    return steps, trials


def check_lif(path, dump_path):
    m, w = artifact(path)
    d = np.load(dump_path)
    n, n_in, n_out, n_enc = m["n_rec"], m["n_in"], m["n_out"], m["n_in_encoded"]
    steps, trials = check_trials(d, n_in, n_out)
    x = per_step(d, "encoded_inputs", n_enc, "float64")
    current, u_dump, v_dump = (per_step(d, k, n, "float64") for k in ("currents", "potentials", "membranes"))
    spikes = per_step(d, "spikes", n, "uint8")
    y_dump = d["outputs"]
    refractory_steps = m["refractory_steps"]
    if ("refractory" in d.files) != (refractory_steps > 0):
        fail("a refractory array without a refractory period, or none with one")
    if m["input_encoding"] == "current" and not np.array_equal(x, d["inputs"]):
        fail("encoded_inputs differ from inputs under current encoding")
    theta, kappa, subtract = m["threshold"], m["kappa"], m["reset"] == "subtract"
    alpha, beta = w["alpha_syn"], w["beta"]
    zero = np.zeros((trials, n))
    s_all = spikes.astype(np.float64)
    i_prev, v_prev, s_prev, y_prev = zero, zero, zero, np.zeros((trials, n_out))
    fused = 0
    for t in range(steps):
        i_t = alpha * i_prev + x[t] @ w["W_in"].T + s_prev @ w["W_rec"].T + w["b_rec"]
        close("currents", t, i_t, current[t])
        i_t = current[t]
        q = np.zeros((trials, n), dtype=bool)
        for r in range(1, refractory_steps + 1):
            if t - r >= 0:
                q |= spikes[t - r] != 0
        if refractory_steps > 0:
            equal("refractory", t, q.astype(np.uint8), d["refractory"][t])
        fused += potentials(t, beta, v_prev, i_t, q, u_dump[t])
        u = u_dump[t]
        s = ((u >= theta) & ~q).astype(np.float64)
        equal("spikes", t, s, s_all[t])
        v = u - theta * s if subtract else u * (1 - s)
        equal("membranes", t, v, v_dump[t])
        y = kappa * y_prev + s @ w["W_out"].T + w["b_out"]
        close("outputs", t, y, y_dump[t])
        i_prev, v_prev, s_prev, y_prev = i_t, v_dump[t], s, y_dump[t]
    print(f"lif: {steps} steps x {trials} trials x {n} units, {int(spikes.sum())} spikes, "
          f"{int((u_dump >= 2 * theta).sum())} potentials >= 2 theta, {fused} potentials rounded once "
          f"(fused multiply-add), all equations hold")


def check_rate(path, dump_path):
    m, w = artifact(path)
    d = np.load(dump_path)
    n, n_in, n_out = m["n_rec"], m["n_in"], m["n_out"]
    steps, trials = check_trials(d, n_in, n_out)
    a_dump, h_dump = per_step(d, "preactivations", n, "float64"), per_step(d, "rates", n, "float64")
    noise = per_step(d, "noise", n, "float64") if m["noise_sd"] > 0 else np.zeros_like(a_dump)
    phi = np.tanh if m["activation"] == "tanh" else (lambda z: np.maximum(z, 0))
    alpha = m["dt_ms"] / m["tau_ms"]
    h_prev = np.zeros((trials, n))
    for t in range(steps):
        a = h_prev @ w["W_rec"].T + d["inputs"][t] @ w["W_in"].T + w["b_rec"] + m["noise_sd"] * noise[t]
        close("preactivations", t, a, a_dump[t])
        close("rates", t, (1 - alpha) * h_prev + alpha * phi(a_dump[t]), h_dump[t])
        close("outputs", t, h_dump[t] @ w["W_out"].T + w["b_out"], d["outputs"][t])
        h_prev = h_dump[t]
    print(f"rate: {steps} steps x {trials} trials x {n} units, all equations hold")


def check_data_success(dump_path, success_mse):
    d = np.load(dump_path)
    y, z, mask = d["outputs"], d["targets"], d["mask"]
    mse = (mask * (y - z) ** 2).sum(axis=(0, 2)) / mask.sum(axis=(0, 2))
    expected = (mse < success_mse).astype(np.uint8)
    if not np.array_equal(expected, d["success"]):
        fail(f"success {d['success'].tolist()} against masked MSE < {success_mse}: {expected.tolist()}")
    print(f"data success: {int(expected.sum())} of {len(expected)} trials, as the masked MSE gives")


def check_golden(dump_path, vectors):
    d = np.load(dump_path)
    with open(vectors + "/vectors.json") as f:
        header = json.load(f)
    renamed = {"input": "encoded_inputs", "accumulator": "preactivations", "state": "rates",
               "current": "currents", "membrane": "membranes", "output": "outputs",
               "refractory": "refractory_counters"}
    for s in header["signals"]:
        name = renamed.get(s["name"], s["name"])
        dtype = "<i4" if s["dtype"] == "int32" else "<i8"
        golden = np.fromfile(f"{vectors}/{s['file']}", dtype=dtype).reshape(
            header["trials"], header["steps"], s["width"])
        if d[name].dtype != np.dtype(dtype) or not np.array_equal(golden.transpose(1, 0, 2), d[name]):
            fail(f"{name} differs from the golden signal {s['name']}")
        frac = s["format"]["frac_bits"] if s["format"] else 0
        if d[name + "_frac_bits"].shape != () or int(d[name + "_frac_bits"]) != frac:
            fail(f"{name}_frac_bits is {d[name + '_frac_bits']!r}, the golden format says {frac}")
    print(f"golden: {len(header['signals'])} signals of {header['trials']} trials x {header['steps']} steps equal")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "lif":
        check_lif(sys.argv[2], sys.argv[3])
    elif command == "rate":
        check_rate(sys.argv[2], sys.argv[3])
    elif command == "data-success":
        check_data_success(sys.argv[2], float(sys.argv[3]))
    elif command == "golden":
        check_golden(sys.argv[2], sys.argv[3])
    elif command == "success-rate":
        print(np.load(sys.argv[2])["success"].mean())
    else:
        fail(f"unknown check {command}")
