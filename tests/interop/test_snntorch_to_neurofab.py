"""snnTorch → NIR → neurofab (issue #21, deliverable 3; the FPGA half is
test_snntorch_fpga.py, which runs on this test's output).

1. `neurofab data` writes XOR trials (training and test sets, seeds printed).
2. snnTorch 1.0.0 trains Linear(2 → N) → RSynaptic(all_to_all, linear_features
   = N) → Linear(N → 1) on them, in float32, for a few epochs. The network
   ends in its Linear layer: an snnTorch Leaky readout would export as a
   spiking LIF node, which neurofab refuses. The reset is neurofab's
   subtraction applied by hand (reset_mechanism="none"; interop.SnnLifRnn
   says why), the spike H(u − θ) with H(0) = 1, the surrogate a fast sigmoid.
   The recurrent Linear keeps snnTorch's own bias: the importer adds it to b.
3. snntorch.export_nir.export_to_nir writes the graph (a sample input
   without batch dimension, 1-element α, β), nir.write the file.
4. `neurofab import-nir --dt 1e-4 --reset subtract` (snnTorch writes τ for
   dt = 1e-4 s and v_reset = 0 without saying its reset), then `neurofab eval
   --data test.npz --dump`: the same trials step by step.
5. Against snnTorch run in float64 on the same inputs: ≥ 99.9 % of spikes
   equal, success rates (the data's criterion) within 0.5 point; on the test
   trials and on longer trials it was not trained for (mem_gap 40), where it
   fails often, so that the success rates are compared away from 100 %.
"""

import json
import os
import time

import numpy as np
import torch

import interop
from interop import check

import nir
import snntorch as snn
from snntorch.export_nir import export_to_nir

TASK = "xor"
N = 32
EPOCHS = 20
BATCH = 64
LR = 5e-3
TRAIN_TRIALS = 512
TEST_TRIALS = 256
# Decays of the default neurofab unit (τ_syn = 5, τ_mem = 20 steps), as float32.
ALPHA = np.float32(np.exp(-1 / 5))
BETA = np.float32(np.exp(-1 / 20))
THRESHOLD = 1.0
SNNTORCH_DT = 1e-4  # the step snnTorch's exporter assumes when it writes τ


def build(n_in, n_out, seed):
    """The snnTorch network, initialised as neurofab initialises its own: W_in, W_rec scaled by
    (1 − α) so that the synaptic current's DC gain 1/(1 − α) does not saturate the units."""
    torch.manual_seed(seed)
    w_in = torch.nn.Linear(n_in, N)
    w_out = torch.nn.Linear(N, n_out)
    lif = snn.RSynaptic(alpha=torch.tensor([ALPHA]), beta=torch.tensor([BETA]), threshold=THRESHOLD,
                        spike_grad=interop.spike_fn, all_to_all=True, linear_features=N,
                        reset_mechanism="none")
    with torch.no_grad():
        w_in.weight.mul_(4 * float(1 - ALPHA))
        w_in.bias.mul_(float(1 - ALPHA))
        torch.nn.init.orthogonal_(lif.recurrent.weight)
        lif.recurrent.weight.mul_(float(1 - ALPHA))
        lif.recurrent.bias.mul_(float(1 - ALPHA))
    return interop.SnnLifRnn(w_in, lif, w_out, None, THRESHOLD, "subtract")


def train(model, data, seed):
    x = torch.as_tensor(data["inputs"], dtype=torch.float32)
    y = torch.as_tensor(data["targets"], dtype=torch.float32)
    m = torch.as_tensor(data["mask"], dtype=torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(seed)
    start = time.monotonic()
    for epoch in range(EPOCHS):
        order = torch.randperm(x.shape[1], generator=generator)
        total = 0.0
        for i in range(0, x.shape[1], BATCH):
            idx = order[i:i + BATCH]
            out = model(x[:, idx])
            loss = (m[:, idx] * (out - y[:, idx]) ** 2).sum() / m[:, idx].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"  epoch {epoch + 1}: loss {total / x.shape[1]:.5f} ({time.monotonic() - start:.1f} s)", flush=True)
    return time.monotonic() - start


def export(model, n_in, path):
    """export_to_nir needs a network whose forward takes one step and returns one tensor:
    the same modules with an init_hidden RSynaptic carrying the trained recurrent weights."""
    lif = snn.RSynaptic(alpha=model.lif.alpha.detach().clone(), beta=model.lif.beta.detach().clone(),
                        threshold=THRESHOLD, spike_grad=interop.spike_fn, all_to_all=True, linear_features=N,
                        reset_mechanism="none", init_hidden=True)
    lif.recurrent.load_state_dict(model.lif.recurrent.state_dict())
    net = torch.nn.Sequential(model.w_in, lif, model.w_out)
    graph = export_to_nir(net, torch.zeros(n_in))  # no batch dimension (nirtorch 2.6)
    nir.write(path, graph)
    return graph


def body(args):
    """snnTorch → NIR → neurofab: ≥ 99.9 % equal spikes, success within 0.5 point."""
    cli = interop.Cli(args.neurofab)
    work = args.workdir
    train_path, test_path = os.path.join(work, "train.npz"), os.path.join(work, "test.npz")
    graph_path, net = os.path.join(work, "snntorch.nir"), os.path.join(work, "imported")
    dump_path = os.path.join(work, "traj.npz")
    print(f"seed {args.seed}: task {TASK}, data seeds {args.seed} (training) and {args.seed + 1} (test), "
          f"torch seed {args.seed}")
    cli.run("data", "--task", TASK, "--trials", TRAIN_TRIALS, "--seed", args.seed, "-o", train_path)
    cli.run("data", "--task", TASK, "--trials", TEST_TRIALS, "--seed", args.seed + 1, "-o", test_path)
    train_data, test_data = interop.load_data(train_path), interop.load_data(test_path)
    n_in, n_out = train_data["inputs"].shape[2], train_data["targets"].shape[2]

    model = build(n_in, n_out, args.seed)
    train_seconds = train(model, train_data, args.seed)
    graph = export(model, n_in, graph_path)
    print(f"exported nodes {sorted(graph.nodes)}, edges {sorted(graph.edges)}")
    check(nir.read(graph_path) is not None, "nir cannot read back snnTorch's file")

    # neurofab reads snnTorch's file. It cannot know the reset (snnTorch writes v_reset = 0 for
    # any) nor dt (τ are for dt = 1e-4 s), so both are given.
    cli.run("import-nir", graph_path, "-o", net, "--data", train_path, "--dt", SNNTORCH_DT,
            "--reset", "subtract")
    with open(os.path.join(net, "model.json")) as f:
        model_json = json.load(f)["model"]
    check(model_json["reset"] == "subtract" and model_json["n_rec"] == N,
          f"imported model: reset {model_json['reset']}, n_rec {model_json['n_rec']}")
    check(abs(model_json["dt_ms"] - 1000 * SNNTORCH_DT) < 1e-12, f"imported dt_ms {model_json['dt_ms']}")
    # The tensors are snnTorch's, bit for bit; b is the two biases' float32 sum.
    expect = {
        "W_in": model.w_in.weight, "W_rec": model.lif.recurrent.weight, "W_out": model.w_out.weight,
        "b_out": model.w_out.bias, "b_rec": model.w_in.bias + model.lif.recurrent.bias,
        "beta": model.lif.beta.expand(N), "alpha_syn": model.lif.alpha.expand(N),
    }
    for name, tensor in expect.items():
        stored = np.load(os.path.join(net, f"{name}.npy"))
        check(np.array_equal(stored, tensor.detach().numpy()),
              f"imported {name} differs from snnTorch's (largest difference "
              f"{np.abs(stored - tensor.detach().numpy()).max():.3g})")

    w = {k: v.detach().numpy() for k, v in expect.items()}
    reference = interop.make_snn(w["W_in"], model.w_in.bias.detach().numpy(), w["alpha_syn"], w["beta"], THRESHOLD,
                                 w["W_rec"], model.lif.recurrent.bias.detach().numpy(), w["W_out"], w["b_out"],
                                 0.0, "subtract")  # the biases kept apart, as snnTorch has them
    snn_success = compare(cli, net, reference, model, test_path, dump_path, "test trials")
    check(snn_success >= 0.9, f"snnTorch's network reached only {100 * snn_success:.1f} % "
                              "(the test expects a trained network, ≥ 90 %)")
    # Trials the network was not trained for (the memory gap doubled, 20 steps longer), where
    # it fails often: the success rates are compared where they are not both 100 %.
    ood_path = os.path.join(work, "ood.npz")
    cli.run("data", "--task", TASK, "--task-param", "mem_gap=40", "--trials", TEST_TRIALS, "--seed",
            args.seed + 2, "-o", ood_path)
    compare(cli, net, reference, model, ood_path, os.path.join(work, "traj-ood.npz"), "OOD trials (mem_gap 40)")
    print(f"times: snnTorch training {train_seconds:.1f} s ({EPOCHS} epochs); "
          + ", ".join(f"neurofab {k} {v:.1f} s" for k, v in cli.seconds.items()))


def compare(cli, net, reference, model, data_path, dump_path, what):
    """neurofab's float64 run (eval --dump) against snnTorch's in float64 on one data file:
    ≥ 99.9 % of spikes equal, success rates within 0.5 point. Returns snnTorch's success rate."""
    data = interop.load_data(data_path)
    eval_result = cli.run("eval", net, "--data", data_path, "--dump", dump_path)
    print(eval_result.stdout.strip())
    with np.load(dump_path) as f:
        dump = {k: f[k] for k in f.files}
    start = time.monotonic()
    with torch.no_grad():
        outputs, trace = reference(torch.as_tensor(data["inputs"]), record=True)
    outputs = outputs.numpy()
    snn_seconds = time.monotonic() - start
    with torch.no_grad():
        outputs32 = model(torch.as_tensor(data["inputs"], dtype=torch.float32)).double().numpy()

    check(dump["spikes"].shape == trace["spikes"].shape,
          f"{what}: dumped spikes have shape {dump['spikes'].shape}, snnTorch's {trace['spikes'].shape}")
    equal = float(np.mean(dump["spikes"] == trace["spikes"]))
    n_trials = data["inputs"].shape[1]
    trials_identical = int(np.all(dump["spikes"] == trace["spikes"], axis=(0, 2)).sum())
    snn_success = interop.success(outputs, data)
    nf_success = dump["success"].astype(bool)
    check(np.array_equal(nf_success, interop.success(dump["outputs"], data)),
          f"{what}: the dump's success flags disagree with the data's criterion applied to its outputs")
    rate = float(trace["spikes"].mean())
    print(f"{what}: spikes {100 * equal:.4f} % equal ({trials_identical}/{n_trials} trials identical), "
          f"firing rate {rate:.3f} spikes/unit/step; max |Δoutput| {np.abs(dump['outputs'] - outputs).max():.3g}; "
          f"snnTorch float64 run {snn_seconds:.1f} s")
    print(f"{what}: success snnTorch float64 {100 * snn_success.mean():.2f} %, float32 "
          f"{100 * interop.success(outputs32, data).mean():.2f} %, neurofab {100 * nf_success.mean():.2f} % "
          f"({int(np.sum(snn_success == nf_success))}/{n_trials} trials judged alike)")
    check(rate > 0, f"{what}: the snnTorch network never spikes; the comparison would be empty")
    check(equal >= 0.999, f"{what}: only {100 * equal:.4f} % of spikes are equal (need ≥ 99.9 %)")
    gap = 100 * abs(snn_success.mean() - nf_success.mean())
    check(gap <= 0.5, f"{what}: success rates differ by {gap:.2f} points (limit 0.5)")
    return float(snn_success.mean())

if __name__ == "__main__":
    interop.main(body)
