"""nf.quantize, q.save, q.evaluate and q.run against `neurofab quantize`, `eval` and `vectors`."""

import json

import numpy as np
import pytest

from conftest import NETWORKS, SEEDS, assert_equal_arrays, assert_same_tensors, one_line, read_tensors

# The golden vectors' signal names and the names of the dump (quantize/integer_trajectories.hpp).
DUMP_NAME = {"input": "encoded_inputs", "accumulator": "preactivations", "state": "rates", "current": "currents",
             "membrane": "membranes", "output": "outputs", "refractory": "refractory_counters"}

OPTIONS = {  # nf.quantize keywords and the CLI flags they stand for
    "lif": ({"bits": 8, "state_bits": 16}, ["--bits", 8, "--state-bits", 16]),
    "lif_zero_refractory": ({"bits": 6, "state_bits": 12, "decay": "shift"},
                            ["--bits", 6, "--state-bits", 12, "--decay", "shift"]),
    "rate": ({"bits": 8, "state_bits": 16, "rounding": "convergent"},
             ["--bits", 8, "--state-bits", 16, "--rounding", "convergent"]),
}


@pytest.fixture(scope="module")
def quantized(nf, cli, tmp_path_factory):
    """Per network: the package's quantized network, its saved folder and the CLI's folder."""
    root = tmp_path_factory.mktemp("quantize")
    out = {}
    for kind, (kwargs, flags) in OPTIONS.items():
        cli.run("quantize", NETWORKS[kind], *flags, "-o", root / f"cli-{kind}")
        q = nf.quantize(nf.load(NETWORKS[kind]), **kwargs)
        q.save(root / f"py-{kind}")
        out[kind] = (q, root / f"py-{kind}", root / f"cli-{kind}")
    return out


@pytest.mark.parametrize("kind", list(OPTIONS))
def test_quantize_equals_the_cli(nf, quantized, kind):
    q, saved, reference = quantized[kind]
    assert isinstance(q, nf.QuantizedNetwork)
    assert_same_tensors(read_tensors(reference), read_tensors(saved), f"quantized {kind}")
    a = json.loads((reference / "model.json").read_text())
    b = json.loads((saved / "model.json").read_text())
    for key in ("model_type", "model", "task", "seed", "fixed_point", "calibration", "tensors"):
        assert b[key] == a[key], f"{kind}: model.json '{key}' differs"
    files = read_tensors(reference)
    assert {"W_in", "W_rec", "b_rec", "W_out", "b_out"} <= set(q.codes), sorted(q.codes)
    for name, codes in q.codes.items():
        assert np.array_equal(codes, files[name]), name


@pytest.mark.parametrize("kind", list(OPTIONS))
def test_quantized_evaluate_equals_eval_json(nf, cli, quantized, kind):
    q, saved, reference = quantized[kind]
    seed = SEEDS["evaluation"]
    print(f"seed {seed}")
    expected = cli.json("eval", reference, "--trials", 96, "--seed", seed)
    result = q.evaluate(trials=96, seed=seed)
    assert result.success_rate == expected["success_rate"]
    assert result.mse == expected["loss"]
    assert result.ood_success_rate == expected["ood_success_rate"]
    assert result.ood_mse == expected["ood_loss"]
    # Loaded from its folder, the same.
    again = nf.load(saved).evaluate(trials=96, seed=seed)
    assert (again.success_rate, again.mse) == (result.success_rate, result.mse)


@pytest.mark.parametrize("kind", list(OPTIONS))
def test_q_run_equals_the_dump_and_the_golden_vectors(nf, cli, quantized, tmp_path, kind):
    q, saved, reference = quantized[kind]
    trials = 3
    dump = cli.dump(reference, tmp_path / "d.npz", "--trials", trials)  # the artifact's seed, as vectors
    cli.run("vectors", reference, "--trials", trials, "-o", tmp_path / "v")
    out = q.run(dump["inputs"])
    vectors = json.loads((tmp_path / "v" / "vectors.json").read_text())
    T = vectors["steps"]
    assert T == dump["inputs"].shape[0]
    for signal in vectors["signals"]:
        name = DUMP_NAME.get(signal["name"], signal["name"])
        assert name in out, f"q.run() lacks {name} (golden signal {signal['name']}); it has {sorted(out)}"
        codes = out[name]
        assert codes.dtype == np.dtype(signal["dtype"]), f"{name}: {codes.dtype}, golden {signal['dtype']}"
        golden = np.fromfile(tmp_path / "v" / signal["file"], dtype="<" + codes.dtype.str[1:])
        golden = golden.reshape(trials, T, signal["width"]).transpose(1, 0, 2)  # [trial][step][unit] -> [T, B, C]
        assert_equal_arrays(golden, codes, f"{kind} {name} against {signal['file']}")
        frac = signal["format"]["frac_bits"] if signal["format"] else 0
        assert int(out[f"{name}_frac_bits"]) == frac, f"{name}_frac_bits"
    for name, array in dump.items():  # and everything the dump holds per step
        if name in ("targets", "mask", "success"):
            continue
        assert name in out, f"q.run() lacks {name}"
        assert_equal_arrays(array, out[name], f"{kind} {name} against eval --dump")


def test_quantize_options_are_checked(nf, cli):
    net = nf.load(NETWORKS["lif"])
    with pytest.raises(nf.InputError) as error:
        nf.quantize(net, bits=1)
    message = one_line(error.value)
    assert message == cli.error_line("quantize", NETWORKS["lif"], "--bits", 1, "-o", "/nonexistent/q")
    with pytest.raises(nf.InputError) as error:
        nf.quantize(net, rounding="sideways")
    assert "sideways" in one_line(error.value)
    with pytest.raises(nf.InputError) as error:
        nf.quantize(net, no_such_option=3)
    assert "no-such-option" in one_line(error.value).replace("_", "-")
    with pytest.raises((nf.InputError, TypeError)):
        nf.quantize("not a network")


def test_q_run_refuses_bad_inputs(nf, quantized):
    q = quantized["lif"][0]
    with pytest.raises(nf.InputError) as error:
        q.run(np.zeros((10, 2, 5)))
    assert "inputs" in one_line(error.value).lower()
    x = np.zeros((10, 2, 2))
    x[4, 1, 1] = np.nan
    with pytest.raises(nf.InputError) as error:
        q.run(x)
    assert "inputs" in one_line(error.value).lower()
