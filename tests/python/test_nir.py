"""nf.to_nir / nf.from_nir against `neurofab export-nir` / `import-nir`, exchanging nir.NIRGraph objects."""

import numpy as np
import pytest

from conftest import NETWORKS, SEEDS, assert_same_tensors, one_line, read_tensors

nir = pytest.importorskip("nir", reason="the nir package is not installed (scripts/python_env.sh installs it)")

pytestmark = pytest.mark.nir


def graph_arrays(graph):
    """Every array field of every node, as {node.field: array}."""
    out = {}
    for name, node in graph.nodes.items():
        for field, value in vars(node).items():
            if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
                out[f"{name}.{field}"] = value
    return out


@pytest.mark.parametrize("kind", ["lif", "lif_zero_refractory"])
def test_to_nir_equals_export_nir(nf, cli, tmp_path, kind):
    net = nf.load(NETWORKS[kind])
    graph = nf.to_nir(net)
    assert isinstance(graph, nir.NIRGraph)
    cli.run("export-nir", NETWORKS[kind], "-o", tmp_path / "net.nir")
    expected = nir.read(str(tmp_path / "net.nir"))
    assert sorted(graph.nodes) == sorted(expected.nodes)
    assert sorted(graph.edges) == sorted(expected.edges)
    for name in expected.nodes:
        assert type(graph.nodes[name]).__name__ == type(expected.nodes[name]).__name__, name
    a, b = graph_arrays(expected), graph_arrays(graph)
    assert sorted(a) == sorted(b)
    for key in a:
        assert np.array_equal(np.asarray(a[key], np.float64), np.asarray(b[key], np.float64)), key
    assert np.array_equal(graph.nodes["w_rec"].weight, net.weights["W_rec"])
    meta = graph.metadata["neurofab"]
    assert meta["reset"] == net.config["reset"] and meta["seed"] == net.seed
    # nir.write of the package's graph is a file the CLI imports back to the same network.
    nir.write(str(tmp_path / "py.nir"), graph)
    cli.run("import-nir", tmp_path / "py.nir", "-o", tmp_path / "imported")
    assert_same_tensors(read_tensors(NETWORKS[kind]), read_tensors(tmp_path / "imported"), f"{kind} via nir.write")


@pytest.mark.parametrize("kind", ["lif", "lif_zero_refractory"])
def test_from_nir_round_trip(nf, cli, tmp_path, kind):
    net = nf.load(NETWORKS[kind])
    back = nf.from_nir(nf.to_nir(net))
    assert isinstance(back, nf.Network) and back.family == "lif"
    assert back.task == net.task and back.seed == net.seed
    for name, w in net.weights.items():
        assert np.array_equal(back.weights[name], w), name
    seed = SEEDS["evaluation"]
    a, b = net.evaluate(trials=64, seed=seed), back.evaluate(trials=64, seed=seed)
    assert (a.success_rate, a.mse) == (b.success_rate, b.mse)
    # As import-nir of the exported file.
    cli.run("export-nir", NETWORKS[kind], "-o", tmp_path / "net.nir")
    cli.run("import-nir", tmp_path / "net.nir", "-o", tmp_path / "imported")
    imported = read_tensors(tmp_path / "imported")
    for name, w in back.weights.items():
        assert np.array_equal(imported[name], w), name


def test_from_nir_of_a_foreign_graph(nf, cli, tmp_path):
    """A graph without neurofab metadata needs dt and a task, as import-nir --dt --task."""
    net = nf.load(NETWORKS["lif"])
    graph = nf.to_nir(net)
    graph.metadata = {}
    for node in graph.nodes.values():
        node.metadata = {}
    with pytest.raises(nf.InputError) as error:
        nf.from_nir(graph, task="xor")
    assert "dt" in one_line(error.value)
    back = nf.from_nir(graph, task="xor", dt=1e-3, reset="subtract")
    nir.write(str(tmp_path / "foreign.nir"), graph)
    cli.run("import-nir", tmp_path / "foreign.nir", "--task", "xor", "--dt", 1e-3, "--reset", "subtract",
            "-o", tmp_path / "imported")
    imported = read_tensors(tmp_path / "imported")
    for name, w in back.weights.items():
        assert np.array_equal(imported[name], w), name


def test_to_nir_refuses_a_rate_network(nf, cli, tmp_path):
    with pytest.raises(nf.InputError) as error:
        nf.to_nir(nf.load(NETWORKS["rate"]))
    assert one_line(error.value) == cli.error_line("export-nir", NETWORKS["rate"], "-o", tmp_path / "r.nir")


def test_from_nir_refuses_what_it_cannot_run(nf):
    graph = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([2])),
               "delay": nir.Delay(delay=np.array([1.0, 1.0])),
               "output": nir.Output(output_type=np.array([2]))},
        edges=[("input", "delay"), ("delay", "output")])
    with pytest.raises(nf.InputError) as error:
        nf.from_nir(graph, task="xor", dt=1e-3)
    assert "delay" in one_line(error.value).lower()
    with pytest.raises((nf.InputError, TypeError)):
        nf.from_nir("not a graph", task="xor", dt=1e-3)
