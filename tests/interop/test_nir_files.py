"""NIR files both ways with the real `nir` package (issue #21).

1. nir reads every file neurofab writes (type checks on): `neurofab
   export-nir` of float LIF networks (CubaLIF with leaky readout; LIF without
   synapse or readout; τ written for another dt) and of a quantized network
   (the integer profile). The layout, values and metadata are checked against
   the artifact: docs/lif-rnn.md's table.
2. neurofab reads graphs written by nir.write, built with nir's Python API
   without neurofab's metadata: CubaLIF with an LI readout, LIF with an Affine
   recurrence and no readout, other node names. `neurofab eval --dump` of the
   imported network gives exactly the spikes of the graph run in snnTorch
   (interop.snn_from_nir), for NIR's reset to zero and for --reset subtract.
3. neurofab refuses, in one line naming the node, exit 1, a graph it cannot
   run exactly: a Conv2d node, a mismatched shape, v_leak ≠ 0, a spiking LIF
   readout (what an snnTorch Leaky readout exports as); and a graph without
   dt when --dt is not given.
"""

import json
import os

import numpy as np
import torch

import interop
from interop import check

import nir

XOR_IN, XOR_OUT = 2, 1


# ---------------------------------------------------------------- 1. neurofab → nir

EXPECTED_EDGES = {
    True: {("input", "w_in"), ("w_in", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "w_out"),
           ("w_out", "readout"), ("readout", "output")},
    False: {("input", "w_in"), ("w_in", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "w_out"),
            ("w_out", "output")},
}


def check_float_export(path, net, dt_s, name):
    graph = nir.read(path)  # type_check=True
    with open(os.path.join(net, "model.json")) as f:
        model = json.load(f)["model"]
    t = {k: np.load(os.path.join(net, f"{k}.npy")) for k in ("W_in", "W_rec", "b_rec", "W_out", "b_out",
                                                               "beta", "alpha_syn")}
    n, n_out = model["n_rec"], model["n_out"]
    has_readout = model["tau_out_ms"] > 0
    cuba = model["tau_syn_ms"] > 0
    nodes = graph.nodes
    check(set(graph.edges) == EXPECTED_EDGES[has_readout] and len(graph.edges) == len(EXPECTED_EDGES[has_readout]),
          f"{name}: edges {sorted(graph.edges)}")
    types = {k: type(v).__name__ for k, v in nodes.items()}
    want = {"input": "Input", "w_in": "Affine", "lif": "CubaLIF" if cuba else "LIF", "w_rec": "Linear",
            "w_out": "Affine", "output": "Output"}
    if has_readout:
        want["readout"] = "LI"
    check(types == want, f"{name}: node types {types}, expected {want}")
    check(list(nodes["input"].input_type["input"]) == [model["n_in_encoded"]]
          and list(nodes["output"].output_type["output"]) == [n_out],
          f"{name}: input/output shapes {nodes['input'].input_type}, {nodes['output'].output_type}")
    for node, weight, bias in (("w_in", "W_in", "b_rec"), ("w_rec", "W_rec", None), ("w_out", "W_out", "b_out")):
        check(np.array_equal(nodes[node].weight, t[weight]), f"{name}: {node}.weight is not {weight}.npy")
        if bias:
            check(np.array_equal(nodes[node].bias, t[bias]), f"{name}: {node}.bias is not {bias}.npy")
    for node, weight in (("w_in", "W_in"), ("w_rec", "W_rec"), ("w_out", "W_out")):
        # a connectivity mask that is not dense goes in the node's metadata (flat, C order)
        mask_file = os.path.join(net, f"mask_{weight}.npy")
        mask = np.load(mask_file) if os.path.exists(mask_file) else np.ones_like(t[weight], dtype=np.uint8)
        written = nodes[node].metadata.get("neurofab", {}).get("mask")
        if mask.all():
            check(written is None, f"{name}: {node} has a mask in its metadata, but {weight} is dense")
        else:
            check(written is not None and np.array_equal(np.asarray(written).reshape(-1), mask.reshape(-1)),
                  f"{name}: {node}'s metadata mask is not mask_{weight}.npy")
    lif = nodes["lif"]
    tau_mem = lif.tau_mem if cuba else lif.tau
    check(np.array_equal(interop.decay_from_tau(tau_mem, dt_s), t["beta"]),
          f"{name}: 1 − dt/τ_mem (dt = {dt_s:g} s) rounded to float32 is not beta.npy")
    check(np.allclose(lif.r, 1 / (1 - t["beta"].astype(np.float64)), rtol=1e-6), f"{name}: r ≠ 1/(1 − β)")
    if cuba:
        check(np.array_equal(interop.decay_from_tau(lif.tau_syn, dt_s), t["alpha_syn"]),
              f"{name}: 1 − dt/τ_syn rounded to float32 is not alpha_syn.npy")
        check(np.allclose(lif.w_in, 1 / (1 - t["alpha_syn"].astype(np.float64)), rtol=1e-6),
              f"{name}: w_in ≠ 1/(1 − α_s)")
    check(np.all(np.asarray(lif.v_leak) == 0) and np.all(np.asarray(lif.v_reset) == 0),
          f"{name}: v_leak or v_reset is not 0")
    check(np.all(np.asarray(lif.v_threshold) == model["threshold"]), f"{name}: v_threshold is not θ")
    for k in ("tau_mem", "tau_syn", "r", "w_in", "v_threshold") if cuba else ("tau", "r", "v_threshold"):
        check(np.shape(getattr(lif, k)) == (n,), f"{name}: lif.{k} has shape {np.shape(getattr(lif, k))}, not [N]")
    if has_readout:
        kappa = np.exp(-model["dt_ms"] / model["tau_out_ms"])
        got = 1 - dt_s / np.asarray(nodes["readout"].tau, dtype=np.float64)
        check(np.allclose(got, kappa, rtol=0, atol=1e-7), f"{name}: readout 1 − dt/τ = {got}, κ = {kappa}")
        check(np.all(np.asarray(nodes["readout"].v_leak) == 0), f"{name}: readout v_leak ≠ 0")
    meta = graph.metadata.get("neurofab")
    check(isinstance(meta, dict), f"{name}: no 'neurofab' graph metadata (has {sorted(graph.metadata)})")
    s = interop.metadata_str
    expect = {"format": "neurofab-nir", "profile": "float", "family": "lif_rnn", "time_unit": "s",
              "discretisation": "forward_euler", "reset": model["reset"], "input_encoding": model["input_encoding"]}
    for k, v in expect.items():
        check(k in meta and s(meta[k]) == v, f"{name}: metadata {k} = {meta.get(k)!r}, expected {v!r}")
    check(int(meta["format_version"]) == 1, f"{name}: format_version {meta['format_version']}")
    check(abs(float(meta["dt"]) - dt_s) <= 1e-15 * dt_s, f"{name}: metadata dt {meta['dt']}, expected {dt_s}")
    check(int(meta["refractory_steps"]) == model["refractory_steps"], f"{name}: refractory_steps")
    check(float(meta["threshold"]) == model["threshold"], f"{name}: metadata threshold")
    lif_meta = lif.metadata.get("neurofab", {})
    check(s(lif_meta.get("reset")) == model["reset"]
          and int(lif_meta.get("refractory_steps", -1)) == model["refractory_steps"],
          f"{name}: lif node metadata {lif_meta}")
    print(f"{name}: nir.read: {len(nodes)} nodes {types}, metadata {sorted(meta)}")
    return graph


def check_integer_export(path, name):
    graph = nir.read(path)
    meta = graph.metadata["neurofab"]
    check(interop.metadata_str(meta.get("profile")) == "integer",
          f"{name}: metadata profile {meta.get('profile')!r}, expected 'integer'")
    coded = {}
    for node_name in ("w_in", "w_rec", "w_out"):
        node = graph.nodes[node_name]
        found = node.metadata.get("neurofab", {})
        code = found.get("weight_code")
        check(isinstance(code, np.ndarray) and code.dtype == np.int32 and code.shape == node.weight.shape,
              f"{name}: {node_name}'s metadata should hold weight_code, int32 {list(node.weight.shape)}; found "
              + (f"{code.dtype} {list(code.shape)}" if isinstance(code, np.ndarray)
                 else f"{sorted(found)}"))
        # the standard field holds the dequantized value: code · 2^-F, one F per tensor
        nz = code != 0
        check(nz.any(), f"{name}: {node_name}'s codes are all 0")
        scale = np.unique(np.asarray(node.weight, dtype=np.float64)[nz] / code[nz])
        check(len(scale) == 1 and np.log2(scale[0]) == np.round(np.log2(scale[0])),
              f"{name}: {node_name}.weight is not its code times one power of two (ratios {scale[:5]})")
        coded[node_name] = f"2^{int(np.log2(scale[0]))}"
    print(f"{name}: integer profile, weight scales {coded}, graph metadata {sorted(meta)}")


def neurofab_files(cli, args):
    work = os.path.join(args.workdir, "export")
    nets = {
        "cuba": ["--reset", "subtract"],
        "lif-no-readout": ["--tau-syn", "0", "--tau-out", "0", "--reset", "zero", "--refractory", "1"],
        # spike-encoded input (W_in 2·n_in wide), sparse W_rec and Dale's law: masks in the metadata
        "delta-sparse-dale": ["--encoding", "delta", "--rec-density", "0.5", "--dale-ratio", "0.8"],
    }
    for name, options in nets.items():
        net = os.path.join(work, name)
        cli.run("train", "--model", "lif", "--task", "xor", "--n", 16, "--epochs", 3, "--seed", args.seed,
                "--quiet", "--force", *options, "-o", net)
        with open(os.path.join(net, "model.json")) as f:
            dt_s = json.load(f)["model"]["dt_ms"] / 1000
        cli.run("export-nir", net, "-o", net + ".nir")
        check_float_export(net + ".nir", net, dt_s, name)
    # τ written for snnTorch's importer (dt = 1e-4 s): the same decays.
    cuba = os.path.join(work, "cuba")
    cli.run("export-nir", cuba, "--dt", "1e-4", "-o", cuba + "-dt1e-4.nir")
    check_float_export(cuba + "-dt1e-4.nir", cuba, 1e-4, "cuba --dt 1e-4")
    # The integer profile of the quantized network.
    cli.run("quantize", cuba, "--bits", 8, "--force", "-o", cuba + "-q")
    cli.run("export-nir", cuba + "-q", "-o", cuba + "-q.nir")
    check_integer_export(cuba + "-q.nir", "cuba quantized")


# ---------------------------------------------------------------- 2. nir → neurofab

def random_network(rng, n, cuba):
    alpha = np.float32(np.exp(-1 / 5)) if cuba else np.float32(0)
    scale = 1 - alpha
    return dict(
        w_in=(rng.normal(0, 3, (n, XOR_IN)) * scale).astype(np.float32),
        b=(rng.normal(0.02, 0.02, n) * scale).astype(np.float32),
        w_rec=(rng.normal(0, 1.5 / np.sqrt(n), (n, n)) * scale).astype(np.float32),
        w_out=rng.normal(0, 0.2, (XOR_OUT, n)).astype(np.float32),
        b_out=rng.normal(0, 0.1, XOR_OUT).astype(np.float32),
        alpha=np.full(n, alpha, np.float32),
        beta=np.float32(np.exp(-1 / rng.uniform(10, 30, n))),
    )


def nir_graph(p, dt, cuba, readout, names, rec_bias=None, tau_dtype=np.float64, type_check=True,
              lif_overrides=None, extra_nodes=None, edges=None):
    """A graph in docs/lif-rnn.md's layout, built with nir's API, τ for a step of dt seconds."""
    n = p["w_rec"].shape[0]
    tau_mem = (dt / (1 - p["beta"].astype(np.float64))).astype(tau_dtype)
    common = dict(r=1 / (1 - p["beta"].astype(np.float64)), v_leak=np.zeros(n), v_threshold=np.ones(n),
                  v_reset=np.zeros(n))
    common.update(lif_overrides or {})
    if cuba:
        tau_syn = (dt / (1 - p["alpha"].astype(np.float64))).astype(tau_dtype)
        lif = nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, w_in=1 / (1 - p["alpha"].astype(np.float64)), **common)
    else:
        lif = nir.LIF(tau=tau_mem, **common)
    i, a, l, r, o, ro, out = names
    nodes = {
        i: nir.Input(input_type=np.array([XOR_IN])),
        a: nir.Affine(weight=p["w_in"], bias=p["b"]),
        l: lif,
        r: nir.Linear(weight=p["w_rec"]) if rec_bias is None else nir.Affine(weight=p["w_rec"], bias=rec_bias),
        o: nir.Affine(weight=p["w_out"], bias=p["b_out"]),
        out: nir.Output(output_type=np.array([XOR_OUT])),
    }
    graph_edges = [(i, a), (a, l), (l, r), (r, l), (l, o)]
    if readout:
        kappa = np.exp(-1 / 20)
        nodes[ro] = nir.LI(tau=np.full(XOR_OUT, dt / (1 - kappa)), r=np.full(XOR_OUT, 1 / (1 - kappa)),
                           v_leak=np.zeros(XOR_OUT))
        graph_edges += [(o, ro), (ro, out)]
    else:
        graph_edges += [(o, out)]
    nodes.update(extra_nodes or {})
    return nir.NIRGraph(nodes=nodes, edges=edges if edges is not None else graph_edges, type_check=type_check)


NEUROFAB_NAMES = ("input", "w_in", "lif", "w_rec", "w_out", "readout", "output")
OTHER_NAMES = ("in", "fc_in", "neurons", "recurrent", "fc_out", "li", "out")


def nir_written_graphs(cli, args):
    work = os.path.join(args.workdir, "from-nir")
    os.makedirs(work, exist_ok=True)
    data_path = os.path.join(work, "data.npz")
    cli.run("data", "--task", "xor", "--trials", 32, "--seed", args.seed + 7, "-o", data_path)
    data = interop.load_data(data_path)
    rng = np.random.default_rng(args.seed)
    print(f"random graphs: numpy seed {args.seed}")
    dt = 1e-3
    n = 24
    cases = [
        # name, graph, import options, reset the reference runs with
        ("cubalif-li", nir_graph(random_network(rng, n, True), dt, True, True, NEUROFAB_NAMES), [], "zero"),
        ("lif-affine-rec-no-readout",
         nir_graph(random_network(rng, n, False), dt, False, False, OTHER_NAMES,
                   rec_bias=rng.normal(0, 0.01, n).astype(np.float32), tau_dtype=np.float32), [], "zero"),
    ]
    cases.append(("cubalif-li --reset subtract", cases[0][1], ["--reset", "subtract"], "subtract"))
    for name, graph, options, reset in cases:
        stem = os.path.join(work, name.split()[0])
        path = stem + ".nir"
        nir.write(path, graph)
        net = stem + ("-subtract" if options else "")
        dump_path = net + "-traj.npz"
        cli.run("import-nir", path, "-o", net, "--task", "xor", "--dt", dt, *options)
        cli.run("eval", net, "--data", data_path, "--dump", dump_path)
        with np.load(dump_path) as f:
            dump = {k: f[k] for k in f.files}
        model = interop.snn_from_nir(nir.read(path), dt, reset)
        with torch.no_grad():
            outputs, trace = model(torch.as_tensor(data["inputs"]), record=True)
        outputs = outputs.numpy()
        rate = dump["spikes"].mean()
        out_err = float(np.abs(outputs - dump["outputs"]).max())
        print(f"{name}: {100 * np.mean(trace['spikes'] == dump['spikes']):.4f} % equal spikes "
              f"(rate {rate:.3f}), max |Δoutput| {out_err:.3g}")
        check(0 < rate < 0.9, f"{name}: firing rate {rate:.3f}: the random network should spike, not saturate")
        check(np.array_equal(trace["spikes"], dump["spikes"]),
              f"{name}: neurofab's spikes differ from the graph run in snnTorch")
        check(out_err < 1e-9, f"{name}: outputs differ by {out_err:.3g}")


# ---------------------------------------------------------------- 3. refusals

def refusals(cli, args):
    work = os.path.join(args.workdir, "refused")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(args.seed + 1)
    dt, n = 1e-3, 8
    p = random_network(rng, n, True)
    base = dict(p=p, dt=dt, cuba=True, readout=True, names=NEUROFAB_NAMES, type_check=False)
    conv = nir.Conv2d(input_shape=(4, 4), weight=np.ones((1, 1, 3, 3), np.float32), stride=1, padding=1,
                      dilation=1, groups=1, bias=np.zeros(1, np.float32))
    bad_rec = dict(p)
    bad_rec["w_rec"] = rng.normal(0, 0.1, (n, n + 1)).astype(np.float32)
    spiking_readout = nir.LIF(tau=np.full(XOR_OUT, 0.02), r=np.full(XOR_OUT, 20.0), v_leak=np.zeros(XOR_OUT),
                              v_threshold=np.ones(XOR_OUT), v_reset=np.zeros(XOR_OUT))
    edges = sorted(EXPECTED_EDGES[True])
    cases = [
        # name, graph, the word stderr must contain, import options
        ("conv2d", nir_graph(**base, extra_nodes={"conv": conv},
                             edges=[e for e in edges if e[0] != "input"] + [("input", "conv"), ("conv", "w_in")]),
         "conv", []),
        ("shape", nir_graph(**dict(base, p=bad_rec)), "w_rec", []),
        ("v_leak", nir_graph(**base, lif_overrides={"v_leak": np.full(n, 0.1)}), "lif", []),
        ("lif-readout", nir_graph(**dict(base, readout=False), extra_nodes={"spiking_out": spiking_readout},
                                  edges=[e for e in EXPECTED_EDGES[False] if e != ("w_out", "output")]
                                  + [("w_out", "spiking_out"), ("spiking_out", "output")]),
         "spiking_out", []),
    ]
    for name, graph, word, options in cases:
        path = os.path.join(work, name + ".nir")
        nir.write(path, graph)
        out = os.path.join(work, name)
        result = cli.run("import-nir", path, "-o", out, "--task", "xor", "--dt", dt, *options, expect=None)
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        print(f"{name}: exit {result.returncode}: {result.stderr.strip()}")
        check(result.returncode == 1, f"{name}: import-nir exited {result.returncode}, expected 1")
        check(len(lines) == 1, f"{name}: expected one line on stderr, got {len(lines)}:\n{result.stderr}")
        check(word in lines[0], f"{name}: the message does not name '{word}': {lines[0]}")
        check(not os.path.exists(out), f"{name}: a refused import left {out} behind")
    # No neurofab metadata and no --dt: τ cannot be turned into decays.
    path = os.path.join(work, "no-dt.nir")
    nir.write(path, nir_graph(**dict(base, type_check=True)))
    result = cli.run("import-nir", path, "-o", os.path.join(work, "no-dt"), "--task", "xor", expect=None)
    print(f"no --dt: exit {result.returncode}: {result.stderr.strip()}")
    check(result.returncode in (1, 2) and "--dt" in result.stderr,
          f"a graph without dt imported without --dt: exit {result.returncode}, stderr {result.stderr!r}")


def body(args):
    """nir reads neurofab's files; neurofab reads nir's and refuses what it cannot run."""
    cli = interop.Cli(args.neurofab)
    print(f"seed {args.seed}")
    neurofab_files(cli, args)
    nir_written_graphs(cli, args)
    refusals(cli, args)
    print("neurofab times: " + ", ".join(f"{k} {v:.1f} s" for k, v in cli.seconds.items()))


if __name__ == "__main__":
    interop.main(body)
