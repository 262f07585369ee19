"""nf.train against `neurofab train`: the same options give the same network, bit for bit."""

import threading
import time

import numpy as np
import pytest

from conftest import SEEDS, assert_same_tensors, one_line, read_tensors

# A tiny training: a few minibatches of a small network (well under a second).
TINY = {"n": 16, "epochs": 3, "steps_per_epoch": 4, "batch": 16, "validation_trials": 64, "eval_trials": 64}
TINY_FLAGS = ["--n", 16, "--epochs", 3, "--steps-per-epoch", 4, "--batch", 16, "--validation-trials", 64,
              "--eval-trials", 64]


def weights_of(folder):
    return {k: v for k, v in read_tensors(folder).items()}


@pytest.mark.parametrize("model,seed,extra,extra_flags", [
    ("rate", SEEDS["train_rate"], {"init": "orthogonal", "lr": 2e-3, "l2": 1e-4},
     ["--init", "orthogonal", "--lr", 2e-3, "--l2", 1e-4]),
    ("lif", SEEDS["train_lif"], {"spike_penalty": 0.5, "loss_on_scored_steps": True, "tau_mem": 10.0,
                                 "reset": "zero", "refractory": 1},
     ["--spike-penalty", 0.5, "--loss-on-scored-steps", "--tau-mem", 10, "--reset", "zero", "--refractory", 1]),
])
def test_train_equals_the_cli(nf, cli, tmp_path, model, seed, extra, extra_flags):
    print(f"seed {seed}")
    cli.run("train", "--task", "xor", "--model", model, "--seed", seed, *TINY_FLAGS, *extra_flags, "-q",
            "--threads", 1, "-o", tmp_path / "cli")
    net = nf.train(task="xor", model=model, seed=seed, out=tmp_path / "py", threads=2, progress=False,
                   **TINY, **extra)
    assert isinstance(net, nf.Network) and net.family == model and net.n_rec == 16 and net.seed == seed
    # Same weights (the trained network is the same for any thread count), and the network returned is the saved one.
    expected = weights_of(tmp_path / "cli")
    assert_same_tensors(expected, weights_of(tmp_path / "py"), f"{model} trained")
    for name, w in net.weights.items():
        assert np.array_equal(w, expected[name]), name
    assert net.config["n_rec"] == 16


def test_train_without_out_keeps_the_network_in_memory(nf, cli, tmp_path):
    seed = SEEDS["train_rate"]
    cli.run("train", "--task", "xor", "--seed", seed, *TINY_FLAGS, "-q", "-o", tmp_path / "cli")
    net = nf.train(task="xor", model="rate", seed=seed, progress=False, **TINY)
    expected = weights_of(tmp_path / "cli")
    for name, w in net.weights.items():
        assert np.array_equal(w, expected[name]), name
    net.save(tmp_path / "saved")
    assert_same_tensors(expected, weights_of(tmp_path / "saved"), "saved after training")


def test_train_task_params(nf, cli, tmp_path):
    seed = SEEDS["train_rate"]
    cli.run("train", "--task", "flipflop", "--task-param", "trial_length=150", "--task-param", "mem_gap=10",
            "--seed", seed, *TINY_FLAGS, "-q", "-o", tmp_path / "cli")
    net = nf.train(task="flipflop", task_params={"trial_length": 150, "mem_gap": 10}, seed=seed, progress=False,
                   **TINY)
    assert net.task == "flipflop"
    assert net.task_params["trial_length"] == 150 and net.task_params["mem_gap"] == 10
    expected = weights_of(tmp_path / "cli")
    for name, w in net.weights.items():
        assert np.array_equal(w, expected[name]), name


@pytest.mark.parametrize("model", ["rate", "lif"])
def test_train_on_numpy_data_equals_train_data(nf, cli, tmp_path, model):
    seed, data_seed = SEEDS["train_data"], SEEDS["data_file"]
    print(f"seed {seed}, data seed {data_seed}")
    cli.run("data", "--task", "and", "--trials", 64, "--seed", data_seed, "-o", tmp_path / "and.npz")
    with np.load(tmp_path / "and.npz") as z:
        x, y, m, success_mse = z["inputs"], z["targets"], z["mask"], float(z["success_mse"])
    cli.run("train", "--data", tmp_path / "and.npz", "--model", model, "--seed", seed, *TINY_FLAGS, "-q",
            "-o", tmp_path / "cli")
    net = nf.train(inputs=x, targets=y, mask=m, success_mse=success_mse, model=model, seed=seed, progress=False,
                   out=tmp_path / "py", **TINY)
    expected = weights_of(tmp_path / "cli")
    actual = weights_of(tmp_path / "py")
    for name in expected:
        assert np.array_equal(actual[name], expected[name]), name
    # The artifact carries its copy of the trials: the CLI evaluates it from the folder alone.
    a = cli.json("eval", tmp_path / "cli")
    b = cli.json("eval", tmp_path / "py")
    assert (a["success_rate"], a["loss"]) == (b["success_rate"], b["loss"])
    result = net.evaluate()
    assert (result.success_rate, result.mse) == (b["success_rate"], b["loss"])


def test_train_on_numpy_data_accepts_float32_and_no_mask(nf, tmp_path):
    rng = np.random.default_rng(SEEDS["train_data"])
    x = rng.standard_normal((40, 32, 1)).astype(np.float32)
    y = 0.1 * np.cumsum(x, axis=0)
    net = nf.train(inputs=x, targets=y, success_mse=0.05, model="rate", n=8, epochs=2, steps_per_epoch=2,
                   batch=8, progress=False, seed=SEEDS["train_data"])
    assert net.n_in == 1 and net.n_out == 1
    result = net.evaluate(inputs=x, targets=y, success_mse=0.05)
    assert 0.0 <= result.success_rate <= 1.0 and np.isfinite(result.mse)


def test_progress_callback_is_called_per_epoch(nf):
    calls = []
    net = nf.train(task="xor", model="rate", seed=SEEDS["train_rate"],
                   progress=lambda done, total, info: calls.append((done, total, dict(info))), **TINY)
    assert [c[0] for c in calls] == list(range(1, TINY["epochs"] + 1)), calls
    assert all(c[1] == TINY["epochs"] for c in calls), calls
    # The figures of each epoch are the training log's.
    log = net.history["log"]
    assert len(log) == len(calls)
    for (done, _, info), entry in zip(calls, log):
        assert entry["epoch"] == done
        assert info["loss"] == entry["loss"] and info["lr"] == entry["learning_rate"]
        assert info["success"] == entry["validation_success"]


def test_progress_callback_exception_stops_training(nf):
    class Stop(Exception):
        pass

    def stop(done, total, info):
        if done == 2:
            raise Stop("stop here")

    with pytest.raises(Stop):
        nf.train(task="xor", model="rate", seed=1, progress=stop, **TINY)


def test_train_releases_the_gil(nf):
    """A Python thread runs while training runs."""
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    thread = threading.Thread(target=count)
    thread.start()
    try:
        time.sleep(0.05)
        start = time.monotonic()
        nf.train(task="flipflop", model="rate", n=48, epochs=8, steps_per_epoch=8, batch=32, seed=1, threads=1,
                 progress=False, validation_trials=64, eval_trials=64)
        end = time.monotonic()
    finally:
        done.set()
        thread.join()
    inside = [t for t in ticks if start + 0.05 < t < end - 0.05]
    duration = end - start
    print(f"training {duration:.2f} s, {len(inside)} ticks of the other thread inside it")
    assert duration > 0.3, f"training took {duration:.2f} s: too short to tell"
    # With the GIL held the thread could not run at all; sleeping 5 ms it ticks ~duration/5ms times.
    assert len(inside) >= 0.3 * duration / 0.005, f"{len(inside)} ticks in {duration:.2f} s"


# --- bad options: the CLI's one-line message ---------------------------------------------------------------


def test_unknown_option_is_refused_by_name(nf):
    with pytest.raises(nf.InputError) as error:
        nf.train(task="xor", no_such_option=3, progress=False, **TINY)
    assert "no-such-option" in one_line(error.value).replace("_", "-")


@pytest.mark.parametrize("kwargs,cli_args", [
    ({"task": "nosuch"}, ["--task", "nosuch"]),
    ({"task": "xor", "init": "nosuch"}, ["--task", "xor", "--init", "nosuch"]),
    ({"task": "xor", "task_params": {"nosuch": 1}}, ["--task", "xor", "--task-param", "nosuch=1"]),
])
def test_bad_values_give_the_cli_message(nf, cli, tmp_path, kwargs, cli_args):
    with pytest.raises(nf.InputError) as error:
        nf.train(progress=False, **{**TINY, **kwargs})
    message = one_line(error.value)
    assert message == cli.error_line("train", *cli_args, "-o", tmp_path / "x")


def test_train_model_must_be_rate_or_lif(nf):
    with pytest.raises(nf.InputError) as error:
        nf.train(task="xor", model="transformer", progress=False, **TINY)
    assert "transformer" in one_line(error.value)


@pytest.mark.parametrize("what", ["shape", "nan", "mask", "dtype", "both"])
def test_train_data_is_checked(nf, what):
    x = np.zeros((30, 8, 2))
    y = np.zeros((30, 8, 1))
    m = np.ones((30, 8, 1))
    kwargs = {"inputs": x, "targets": y, "mask": m, "success_mse": 0.1}
    word = "targets"
    if what == "shape":
        kwargs["targets"] = np.zeros((30, 9, 1))
    elif what == "nan":
        kwargs["inputs"] = x.copy()
        kwargs["inputs"][2, 3, 1] = np.nan
        word = "inputs"
    elif what == "mask":
        kwargs["mask"] = np.zeros((30, 8, 1))  # no scored step at all
        word = "mask"
    elif what == "dtype":
        kwargs["inputs"] = np.full((30, 8, 2), "a")
        word = "inputs"
    elif what == "both":
        kwargs["task"] = "xor"  # a task and data at once
        word = "task"
    with pytest.raises((nf.InputError, TypeError)) as error:
        nf.train(model="rate", progress=False, **{**TINY, **kwargs})
    assert word in one_line(error.value).lower()


def test_min_success_raises_target_missed(nf, tmp_path):
    with pytest.raises(nf.TargetMissedError) as error:
        nf.train(task="xor", model="rate", seed=1, min_success=99.0, out=tmp_path / "missed", progress=False,
                 **TINY)
    message = one_line(error.value)
    assert "99" in message
    # As the CLI: the output is still written.
    assert (tmp_path / "missed" / "model.json").exists()
