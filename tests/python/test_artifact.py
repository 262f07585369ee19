"""nf.load / net.save / net.weights / net.set_weight against the artifact folders and the CLI."""

import json

import numpy as np
import pytest

from conftest import NETWORKS, SEEDS, assert_same_tensors, one_line, read_tensors


@pytest.mark.parametrize("kind", ["lif", "rate", "lif_zero_refractory"])
def test_load_reads_the_folder(nf, kind):
    folder = NETWORKS[kind]
    model = json.loads((folder / "model.json").read_text())
    net = nf.load(folder)
    assert isinstance(net, nf.Network)
    assert net.family == {"lif_rnn": "lif", "rate_rnn": "rate"}[model["model_type"]]
    assert net.n_rec == model["model"]["n_rec"]
    assert net.n_in == model["model"]["n_in"]
    assert net.n_out == model["model"]["n_out"]
    assert net.task == model["task"]["name"]
    assert net.task_params == pytest.approx(model["task"]["params"])
    assert net.seed == model["seed"]
    config = net.config
    assert isinstance(config, dict)
    for key, value in model["model"].items():  # every hyper-parameter of model.json, same value
        assert key in config, f"config lacks {key}"
        assert config[key] == (pytest.approx(value) if isinstance(value, float) else value), key


@pytest.mark.parametrize("kind", ["lif", "rate"])
def test_weights_are_the_npy_files(nf, kind):
    folder = NETWORKS[kind]
    net = nf.load(folder)
    files = {k: v for k, v in read_tensors(folder).items() if not k.startswith("mask_")}
    weights = net.weights
    for name, expected in files.items():
        assert name in weights, f"weights lack {name}: {sorted(weights)}"
        w = weights[name]
        assert isinstance(w, np.ndarray) and w.dtype == np.float32, f"{name}: {type(w)} {getattr(w, 'dtype', '')}"
        assert w.shape == expected.shape, name
        assert np.array_equal(w, expected), name


@pytest.mark.parametrize("kind", ["lif", "rate"])
def test_save_round_trip_is_bit_for_bit(nf, cli, tmp_path, kind):
    folder = NETWORKS[kind]
    net = nf.load(folder)
    net.save(tmp_path / "copy")
    # The tensors (masks included) byte for byte, and the model.json the same but for paths.
    assert_same_tensors(read_tensors(folder), read_tensors(tmp_path / "copy"), f"{kind} saved")
    original = json.loads((folder / "model.json").read_text())
    saved = json.loads((tmp_path / "copy" / "model.json").read_text())
    for key in ("model_type", "model", "task", "seed", "tensors", "format", "format_version"):
        assert saved[key] == original[key], key
    # Loaded again: the same weights; and the CLI scores the copy as it scores the original.
    again = nf.load(tmp_path / "copy")
    for name, w in net.weights.items():
        assert np.array_equal(again.weights[name], w), name
    seed = SEEDS["evaluation"]
    a = cli.json("eval", folder, "--trials", 64, "--seed", seed)
    b = cli.json("eval", tmp_path / "copy", "--trials", 64, "--seed", seed)
    for key in ("loss", "success_rate", "ood_loss", "ood_success_rate"):
        assert a[key] == b[key], key


def test_save_refuses_an_existing_folder_unless_forced(nf, tmp_path):
    net = nf.load(NETWORKS["rate"])
    net.save(tmp_path / "a")
    with pytest.raises(nf.NeurofabError) as error:
        net.save(tmp_path / "a")
    assert "a" in one_line(error.value)
    net.save(tmp_path / "a", force=True)
    assert (tmp_path / "a" / "model.json").exists()


def test_weights_are_read_only_views_and_set_weight_changes_the_network(nf, cli, tmp_path):
    net = nf.load(NETWORKS["rate"])
    w_out = net.weights["W_out"]
    assert not w_out.flags.writeable, "weights are read-only views (set_weight changes them)"
    with pytest.raises(ValueError):
        w_out[...] = 0.0
    doubled = 2.0 * net.weights["W_out"]
    net.set_weight("W_out", doubled)
    assert np.array_equal(net.weights["W_out"], doubled)
    # The changed network saved and scored by the CLI equals net.evaluate() on it.
    net.save(tmp_path / "doubled")
    assert np.array_equal(np.load(tmp_path / "doubled" / "W_out.npy"), doubled)
    seed = SEEDS["evaluation"]
    expected = cli.json("eval", tmp_path / "doubled", "--trials", 64, "--seed", seed)
    result = net.evaluate(trials=64, seed=seed)
    assert result.mse == expected["loss"]
    assert result.success_rate == expected["success_rate"]


def test_a_view_taken_before_set_weight_stays_valid(nf):
    """weights are views into the network: one taken before set_weight sees the new values (never freed memory)."""
    net = nf.load(NETWORKS["lif"])
    old = net.weights["W_rec"]
    original = old.copy()
    new = (0.5 * original).astype(np.float32)
    net.set_weight("W_rec", new)
    junk = [np.full(original.shape, 7.0, np.float32) for _ in range(200)]  # reuse whatever was freed
    assert np.array_equal(old, new), "a weights view taken before set_weight does not see the network's values"
    del junk


def test_set_weight_accepts_float64_rounding_to_float32(nf):
    net = nf.load(NETWORKS["lif"])
    w = net.weights["W_rec"].astype(np.float64) + 1e-12  # rounds back to the float32 values
    net.set_weight("W_rec", w)
    assert net.weights["W_rec"].dtype == np.float32
    assert np.array_equal(net.weights["W_rec"], w.astype(np.float32))


@pytest.mark.parametrize("name,value,words", [
    ("W_out", np.zeros((2, 32), np.float32), ["W_out", "2"]),        # wrong shape
    ("W_out", np.zeros((32,), np.float32), ["W_out"]),                # wrong rank
    ("W_out", np.full((1, 32), np.nan, np.float32), ["W_out", "nan"]),  # not finite
    ("W_out", np.full((1, 32), np.inf, np.float32), ["W_out"]),
    ("no_such_tensor", np.zeros((1, 32), np.float32), ["no_such_tensor"]),
])
def test_set_weight_is_checked(nf, name, value, words):
    net = nf.load(NETWORKS["rate"])
    before = net.weights
    with pytest.raises(nf.InputError) as error:
        net.set_weight(name, value)
    message = one_line(error.value).lower()
    for word in words:
        assert word.lower() in message, f"{message!r} does not name {word!r}"
    for k, v in before.items():  # a refused weight leaves the network as it was
        assert np.array_equal(net.weights[k], v), k


def test_set_weight_refuses_non_numeric_dtypes(nf):
    net = nf.load(NETWORKS["rate"])
    for value in (np.full((1, 32), "x"), np.zeros((1, 32), np.complex64)):
        with pytest.raises((nf.InputError, TypeError)) as error:
            net.set_weight("W_out", value)
        one_line(error.value)


def test_load_of_a_quantized_folder(nf, cli, tmp_path):
    cli.run("quantize", NETWORKS["lif"], "--bits", 8, "-o", tmp_path / "q")
    q = nf.load(tmp_path / "q")
    assert isinstance(q, nf.QuantizedNetwork)
    assert q.family == "lif" and q.n_rec == 24 and q.n_in == 2 and q.n_out == 1
    model = json.loads((tmp_path / "q" / "model.json").read_text())
    assert q.fixed_point == model["fixed_point"]
    assert q.weight_bits == 8 and q.state_bits == 16
    for name, expected in read_tensors(tmp_path / "q").items():
        assert np.array_equal(q.codes[name], expected), name
    assert q.codes["W_rec"].dtype.kind == "i", "quantized weights are integer codes"


def test_load_refuses_what_is_not_an_artifact(nf, cli, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.json").write_text("{ not json")
    for folder in (tmp_path / "empty", tmp_path / "broken", tmp_path / "missing"):
        with pytest.raises(nf.NeurofabError) as error:
            nf.load(folder)
        message = one_line(error.value)
        assert folder.name in message
        # The same line the CLI prints for the folder.
        assert message == cli.error_line("eval", folder)


def test_load_refuses_a_truncated_tensor(nf, cli, tmp_path):
    net = nf.load(NETWORKS["lif"])
    net.save(tmp_path / "t")
    data = (tmp_path / "t" / "W_rec.npy").read_bytes()
    (tmp_path / "t" / "W_rec.npy").write_bytes(data[: len(data) // 2])
    with pytest.raises(nf.NeurofabError) as error:
        nf.load(tmp_path / "t")
    message = one_line(error.value)
    assert "W_rec" in message
    assert message == cli.error_line("eval", tmp_path / "t")


def test_exception_hierarchy(nf):
    assert issubclass(nf.InputError, nf.NeurofabError)
    assert issubclass(nf.InputError, ValueError)
    assert issubclass(nf.VerificationError, nf.NeurofabError)
    assert issubclass(nf.TargetMissedError, nf.NeurofabError)
