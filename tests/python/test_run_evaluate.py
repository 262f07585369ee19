"""net.run and net.evaluate against `neurofab eval --dump` and `neurofab eval --json`."""

import numpy as np
import pytest

from conftest import NETWORKS, SEEDS, assert_equal_arrays, one_line

LIF_ARRAYS = {"inputs", "encoded_inputs", "currents", "potentials", "membranes", "spikes", "outputs"}
RATE_ARRAYS = {"inputs", "preactivations", "rates", "outputs"}


@pytest.mark.parametrize("kind", ["lif", "lif_zero_refractory", "rate", "rate_flipflop"])
def test_run_equals_eval_dump(nf, cli, tmp_path, kind):
    """net.run(x) on the inputs of `eval --dump` gives every dumped signal, value for value."""
    seed = SEEDS["evaluation"]
    print(f"seed {seed}")
    dump = cli.dump(NETWORKS[kind], tmp_path / "d.npz", "--trials", 5, "--seed", seed)
    net = nf.load(NETWORKS[kind])
    x = dump["inputs"]
    out = net.run(x)
    expected = LIF_ARRAYS if net.family == "lif" else RATE_ARRAYS
    assert expected <= set(out), f"run() gives {sorted(out)}"
    if kind == "lif_zero_refractory":
        assert "refractory" in out
    for name, array in out.items():
        assert isinstance(array, np.ndarray), name
        assert name in dump, f"run() gives {name}, the dump has {sorted(dump)}"
        assert array.dtype == dump[name].dtype, f"{name}: {array.dtype}, the dump's {dump[name].dtype}"
        assert array.dtype == (np.uint8 if name in ("spikes", "refractory") else np.float64), name
        assert array.shape[:2] == x.shape[:2], f"{name}: {array.shape}"
        assert_equal_arrays(dump[name], array, f"{kind} {name}")


def test_run_returns_views_not_copies(nf, cli, tmp_path):
    """The arrays of run() view the recorded trajectory (read-only, not owning their data)."""
    net = nf.load(NETWORKS["lif"])
    x = net.task_trials(trials=2)["inputs"]
    out = net.run(x)
    for name, array in out.items():
        assert not array.flags.owndata, f"{name} owns its data (a copy)"
        assert not array.flags.writeable, f"{name} is writeable"
    q = nf.quantize(net, bits=8)
    for name, array in q.run(x).items():
        if array.ndim == 3:
            assert not array.flags.owndata, f"q.run {name} owns its data (a copy)"
    w = net.weights["W_rec"]
    assert not w.flags.owndata and not w.flags.writeable


def test_run_accepts_float32_and_non_contiguous_inputs(nf, cli, tmp_path):
    seed = SEEDS["evaluation"]
    dump = cli.dump(NETWORKS["lif"], tmp_path / "d.npz", "--trials", 4, "--seed", seed)
    net = nf.load(NETWORKS["lif"])
    reference = net.run(dump["inputs"])
    # A transposed view (Fortran order) holds the same values.
    fortran = np.asfortranarray(dump["inputs"])
    assert_equal_arrays(reference["outputs"], net.run(fortran)["outputs"], "Fortran-order input")
    # Every other trial: a strided view.
    strided = net.run(dump["inputs"][:, ::2, :])
    assert_equal_arrays(reference["membranes"][:, ::2, :], strided["membranes"], "strided input")
    # float32 inputs: the same run as the float64 values they hold.
    x32 = dump["inputs"].astype(np.float32)
    assert_equal_arrays(net.run(x32.astype(np.float64))["spikes"], net.run(x32)["spikes"], "float32 input")


def test_run_of_one_trial_as_2d(nf, cli, tmp_path):
    """A [T, C] input is one trial; its arrays are [T, 1, C]."""
    dump = cli.dump(NETWORKS["rate"], tmp_path / "d.npz", "--trials", 2, "--seed", SEEDS["evaluation"])
    net = nf.load(NETWORKS["rate"])
    try:
        out = net.run(dump["inputs"][:, 0, :])
    except nf.InputError as error:  # the package may want [T, B, C] only; then it must say so
        assert "inputs" in one_line(error).lower() or "[t, b" in str(error).lower()
        return
    assert_equal_arrays(dump["rates"][:, :1, :], out["rates"].reshape(-1, 1, 32), "one trial")


@pytest.mark.parametrize("kind", ["lif", "rate"])
def test_evaluate_equals_eval_json(nf, cli, kind):
    seed = SEEDS["evaluation"]
    print(f"seed {seed}")
    expected = cli.json("eval", NETWORKS[kind], "--trials", 128, "--seed", seed)
    result = nf.load(NETWORKS[kind]).evaluate(trials=128, seed=seed)
    assert isinstance(result, nf.Evaluation)
    assert result.success_rate == expected["success_rate"]
    assert result.mse == expected["loss"]
    assert result.ood_success_rate == expected["ood_success_rate"]
    assert result.ood_mse == expected["ood_loss"]
    if kind == "lif":
        for key in ("spikes_per_step", "synops_per_step", "mean_rate"):
            assert getattr(result, key) == expected[key], key


def test_evaluate_defaults_to_512_trials_and_the_artifact_seed(nf, cli):
    expected = cli.json("eval", NETWORKS["rate"])
    assert expected["trials"] == 512 and expected["seed"] == 7
    result = nf.load(NETWORKS["rate"]).evaluate()
    assert result.success_rate == expected["success_rate"]
    assert result.mse == expected["loss"]
    assert result.ood_mse == expected["ood_loss"]


@pytest.mark.parametrize("kind", ["lif", "rate"])
def test_evaluate_on_given_trials_equals_eval_data(nf, cli, tmp_path, kind):
    """evaluate(inputs=, targets=, mask=) is `neurofab eval --data` on a file of those arrays."""
    seed = SEEDS["data_file"]
    print(f"data seed {seed}")
    cli.run("data", "--task", "xor", "--trials", 48, "--seed", seed, "-o", tmp_path / "xor.npz")
    with np.load(tmp_path / "xor.npz") as z:
        x, y, m, success_mse = z["inputs"], z["targets"], z["mask"], float(z["success_mse"])
    expected = cli.json("eval", NETWORKS[kind], "--data", tmp_path / "xor.npz")
    net = nf.load(NETWORKS[kind])
    result = net.evaluate(inputs=x, targets=y, mask=m, success_mse=success_mse)
    assert result.success_rate == expected["success_rate"]
    assert result.mse == expected["loss"]
    # Without a mask every step is scored: the file without its mask.
    np.savez(tmp_path / "nomask.npz", inputs=x, targets=y, success_mse=success_mse)
    expected = cli.json("eval", NETWORKS[kind], "--data", tmp_path / "nomask.npz")
    result = net.evaluate(inputs=x, targets=y, success_mse=success_mse)
    assert result.mse == expected["loss"]
    assert result.success_rate == expected["success_rate"]


# --- bad input: one line naming the thing, nf.InputError (a ValueError) --------------------------------


@pytest.fixture(scope="module")
def lif_net(nf):
    return nf.load(NETWORKS["lif"])


def _x(t=50, b=3, c=2, dtype=np.float64):
    return np.zeros((t, b, c), dtype)


@pytest.mark.parametrize("x,words", [
    (_x(c=3), ["inputs", "3", "2"]),                  # channels differ from n_in = 2
    (np.zeros((50, 3, 2, 1)), ["inputs"]),            # rank 4
    (np.zeros((50,)), ["inputs"]),                     # rank 1
    (_x(t=0), ["inputs"]),                             # no step
    (_x(b=0), ["inputs"]),                             # no trial
])
def test_run_refuses_wrong_shapes(nf, lif_net, x, words):
    with pytest.raises(nf.InputError) as error:
        lif_net.run(x)
    assert isinstance(error.value, ValueError)
    message = one_line(error.value).lower()
    for word in words:
        assert word in message, f"{message!r} does not name {word!r}"


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_run_refuses_non_finite_inputs(nf, lif_net, value):
    x = _x()
    x[17, 1, 0] = value
    with pytest.raises(nf.InputError) as error:
        lif_net.run(x)
    message = one_line(error.value).lower()
    assert "inputs" in message
    assert "17" in message or "nan" in message or "inf" in message or "finite" in message, message


@pytest.mark.parametrize("x", [np.full((50, 3, 2), "a"), np.zeros((50, 3, 2), np.complex128),
                               np.empty((50, 3, 2), object)])
def test_run_refuses_wrong_dtypes(nf, lif_net, x):
    with pytest.raises((nf.InputError, TypeError)) as error:
        lif_net.run(x)
    one_line(error.value)


def test_evaluate_refuses_bad_trials(nf, lif_net):
    with pytest.raises(nf.InputError) as error:
        lif_net.evaluate(trials=0)
    assert "trials" in one_line(error.value)
    x = _x(t=200, b=4)
    y = np.zeros((200, 4, 1))
    with pytest.raises(nf.InputError) as error:   # targets of 2 outputs for a network of 1
        lif_net.evaluate(inputs=x, targets=np.zeros((200, 4, 2)), success_mse=0.1)
    message = one_line(error.value)
    assert "2 outputs" in message and "1 outputs" in message, message  # the CLI's eval --data line
    with pytest.raises(nf.InputError) as error:   # targets of another trial count
        lif_net.evaluate(inputs=x, targets=np.zeros((200, 5, 1)), success_mse=0.1)
    assert "targets" in one_line(error.value)
    with pytest.raises(nf.InputError) as error:   # a mask of another shape
        lif_net.evaluate(inputs=x, targets=y, mask=np.ones((200, 4, 2)), success_mse=0.1)
    assert "mask" in one_line(error.value)
    bad = y.copy()
    bad[3, 2, 0] = np.nan
    with pytest.raises(nf.InputError) as error:
        lif_net.evaluate(inputs=x, targets=bad, success_mse=0.1)
    assert "targets" in one_line(error.value)
    with pytest.raises(nf.InputError) as error:   # inputs without targets
        lif_net.evaluate(inputs=x)
    assert "targets" in one_line(error.value)
