"""neurofab → NIR → snnTorch (issue #21, deliverable 4).

Trains small neurofab LIF networks, exports them with `neurofab export-nir`,
reads the file with the `nir` package (type checks on) and builds snnTorch
1.0.0 modules from the graph alone with the corrected mapping of
docs/lif-rnn.md: RSynaptic(alpha, beta, reset_mechanism="none",
all_to_all=True, linear_features=N) with its recurrent Linear = W_rec and a
zero bias, the reset (and refractory period) applied by hand from the graph's
"neurofab" metadata, the readout snnTorch's Leaky(beta=κ, reset "none") on
Linear(W_out, b_out). Run in float64 on `neurofab data` inputs, it must give
exactly neurofab's spikes (`neurofab eval --data --dump`) and its outputs to
1e-9.

Three networks: the default unit (CubaLIF, subtract reset, leaky readout),
the other corner (current-free LIF node, reset to zero, refractory period 2,
no readout), and send-on-delta input events with a sparse W_rec under Dale's
law (snnTorch is given the encoded inputs of neurofab's dump).
"""

import os
import time

import numpy as np
import torch

import interop
from interop import check

import nir

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "lif-rnn.md")

CASES = [
    # name, extra `neurofab train` options
    ("cuba-subtract", []),
    ("lif-zero-refractory", ["--tau-syn", "0", "--tau-out", "0", "--reset", "zero", "--refractory", "2"]),
    # send-on-delta input events (the graph's Input is the encoded train, 2·n_in wide), sparse
    # W_rec and Dale's law: snnTorch runs on the dump's encoded inputs
    ("delta-sparse-dale", ["--encoding", "delta", "--rec-density", "0.5", "--dale-ratio", "0.8"]),
]


def run_case(cli, args, name, options):
    work = os.path.join(args.workdir, name)
    os.makedirs(work, exist_ok=True)
    net, graph_path = os.path.join(work, "net"), os.path.join(work, "net.nir")
    data_path, dump_path = os.path.join(work, "data.npz"), os.path.join(work, "traj.npz")
    cli.run("train", "--model", "lif", "--task", "xor", "--n", 32, "--init", "orthogonal", "--lr", "2e-3",
            "--loss-on-scored-steps", "--epochs", 15, "--seed", args.seed, "--quiet", "--force",
            *options, "-o", net)
    cli.run("export-nir", net, "-o", graph_path)
    cli.run("data", "--task", "xor", "--trials", 256, "--seed", args.seed + 100, "-o", data_path)
    cli.run("eval", net, "--data", data_path, "--dump", dump_path)

    start = time.monotonic()
    graph = nir.read(graph_path)  # type_check=True is nir's default
    meta = graph.metadata["neurofab"]
    dt = float(meta["dt"])
    reset = interop.metadata_str(meta["reset"])
    refractory = int(meta["refractory_steps"])
    check(interop.metadata_str(meta["discretisation"]) == "forward_euler",
          f"{name}: discretisation {meta['discretisation']!r}")
    arrays = interop.nir_to_arrays(graph, dt)
    lif_meta = graph.nodes[arrays["lif_name"]].metadata["neurofab"]
    check(interop.metadata_str(lif_meta["reset"]) == reset and int(lif_meta["refractory_steps"]) == refractory,
          f"{name}: the lif node's metadata ({lif_meta}) disagrees with the graph's (reset {reset}, "
          f"refractory_steps {refractory})")

    # The decays the graph gives (1 − dt/τ, rounded to float32) are neurofab's, bit for bit.
    for decay in ("beta", "alpha_syn"):
        stored = np.load(os.path.join(net, f"{decay}.npy"))
        recovered = arrays["beta" if decay == "beta" else "alpha"]
        check(np.array_equal(recovered, stored),
              f"{name}: 1 − dt/τ rounded to float32 is not the artifact's {decay} "
              f"(largest difference {np.abs(recovered.astype(float) - stored).max():.3g})")

    model = interop.snn_from_nir(graph, dt, reset, refractory)
    data = interop.load_data(data_path)
    with np.load(dump_path) as f:
        dump = {k: f[k] for k in f.files}
    encoding = interop.metadata_str(meta["input_encoding"])
    if encoding == "current":
        check(np.array_equal(dump["encoded_inputs"], data["inputs"]), f"{name}: encoded inputs differ from the data's")
    x = dump["encoded_inputs"]  # X_t, what the graph's Input node receives
    check(x.shape[2] == graph.nodes["input"].input_type["input"][0],
          f"{name}: encoded inputs are {x.shape[2]} wide, the graph's Input {graph.nodes['input'].input_type}")
    with torch.no_grad():
        outputs, trace = model(torch.as_tensor(x), record=True)
    outputs = outputs.numpy()
    snn_seconds = time.monotonic() - start

    spikes_equal = np.mean(trace["spikes"] == dump["spikes"])
    worst = {k: float(np.abs(trace[k] - dump[k]).max()) for k in ("currents", "potentials", "membranes")}
    out_err = float(np.abs(outputs - dump["outputs"]).max())
    n_spikes = int(dump["spikes"].sum())
    print(f"{name}: {encoding} input, reset {reset}, refractory {refractory}, dt {dt:g} s, {data['inputs'].shape[1]} trials x "
          f"{data['inputs'].shape[0]} steps, {n_spikes} spikes; equal spikes {100 * spikes_equal:.4f} %, "
          f"max |Δoutput| {out_err:.3g}, max |Δ| {worst}; snnTorch run {snn_seconds:.1f} s")
    check(n_spikes > 0, f"{name}: the network never spikes, the comparison would be empty")
    check(np.array_equal(trace["spikes"], dump["spikes"]),
          f"{name}: snnTorch's spikes differ from neurofab's ({100 * spikes_equal:.4f} % equal); first at "
          f"(t, trial, unit) = {interop.first_difference(trace['spikes'], dump['spikes'])}")
    check(out_err < 1e-9, f"{name}: outputs differ by up to {out_err:.3g} (limit 1e-9)")
    for k, err in worst.items():
        check(err < 1e-9, f"{name}: {k} differ by up to {err:.3g} (limit 1e-9)")
    ours = interop.success(outputs, data)
    check(np.array_equal(ours, dump["success"].astype(bool)),
          f"{name}: success per trial differs: snnTorch {100 * ours.mean():.1f} %, neurofab "
          f"{100 * dump['success'].mean():.1f} %")
    print(f"{name}: success {100 * ours.mean():.1f} % in both")
    if name == "cuba-subtract":
        check_doc_snippet(work, data, dump)


def check_doc_snippet(work, data, dump):
    """docs/lif-rnn.md's snnTorch snippet, run as printed on this network's net.nir, gives
    neurofab's outputs: the page shows what this test does."""
    with open(DOC) as f:
        text = f.read()
    section = text[text.index("### snnTorch"):]
    snippet = section[section.index("```python\n") + len("```python\n"):]
    snippet = snippet[:snippet.index("```")]
    cwd = os.getcwd()
    os.chdir(work)  # the snippet reads "net.nir"
    try:
        scope = {}
        exec(compile(snippet, DOC + " (snnTorch snippet)", "exec"), scope)
        with torch.no_grad():
            outputs = scope["run"](torch.as_tensor(data["inputs"])).numpy()
    finally:
        os.chdir(cwd)
    err = float(np.abs(outputs - dump["outputs"]).max())
    print(f"docs/lif-rnn.md's snippet: max |Δoutput| {err:.3g}")
    check(err < 1e-9, f"docs/lif-rnn.md's snnTorch snippet gives outputs up to {err:.3g} away from neurofab's")


def body(args):
    """neurofab → NIR → snnTorch: equal spikes, outputs to 1e-9."""
    cli = interop.Cli(args.neurofab)
    print(f"seed {args.seed}")
    for name, options in CASES:
        run_case(cli, args, name, options)
    print("neurofab times: " + ", ".join(f"{k} {v:.1f} s" for k, v in cli.seconds.items()))


if __name__ == "__main__":
    interop.main(body)
