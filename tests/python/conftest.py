"""Shared fixtures of the Python package's tests (issue #22).

Every test compares the package with the `neurofab` command on the same
artifact: the package wraps the same C++ libraries, so its numbers must be the
CLI's, bit for bit where the CLI writes bits (npy files, dumps, golden vectors)
and to the last printed digit where it prints JSON.

Options (CTest passes them; by hand the defaults find the build tree):
  --neurofab PATH   the CLI binary (default: $NEUROFAB_CLI or build/cli/neurofab)
  --workdir DIR     where tests write (default: pytest's tmp_path per test)

Seeds: every seed a test uses is a constant here or in the test, and printed
(the header of the run lists the module-level ones; a failing test shows its own).
"""

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

# Seeds used across the suite, printed in the run's header.
SEEDS = {
    "evaluation": 3,      # evaluate(seed=...) / eval --seed
    "train_rate": 11,     # nf.train(model="rate") against neurofab train
    "train_lif": 12,      # nf.train(model="lif") against neurofab train
    "train_data": 13,     # training on numpy arrays against train --data
    "data_file": 5,       # neurofab data --seed (the trials of the numpy data)
}

# The small trained networks of tests/data (tests/data/regenerate.sh).
NETWORKS = {
    "lif": DATA / "lif-xor-n24",
    "lif_zero_refractory": DATA / "lif-xor-n24-zero-reset-refractory-1",
    "rate": DATA / "rate-xor-n32",
    "rate_flipflop": DATA / "rate-flipflop-n24",
}


def pytest_addoption(parser):
    parser.addoption("--neurofab", default=os.environ.get("NEUROFAB_CLI", str(ROOT / "build" / "cli" / "neurofab")),
                     help="path of the neurofab binary the package is compared with")


def pytest_report_header(config):
    return [f"neurofab CLI: {config.getoption('--neurofab')}",
            "seeds: " + ", ".join(f"{k}={v}" for k, v in SEEDS.items())]


def pytest_configure(config):
    config.addinivalue_line("markers", "hardware: RTL lock step, HLS export, FPGA build (one small network each)")
    config.addinivalue_line("markers", "nir: needs the nir package")


class Cli:
    """The neurofab binary. run() echoes the command and its time and returns the CompletedProcess."""

    def __init__(self, path):
        self.path = str(path)
        if not os.access(self.path, os.X_OK):
            raise pytest.UsageError(f"--neurofab {self.path}: not an executable (build the 'neurofab' target)")

    def run(self, *args, expect=0):
        cmd = [self.path, *[str(a) for a in args]]
        print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        start = time.monotonic()
        result = subprocess.run(cmd, capture_output=True, text=True)
        print(f"  ({time.monotonic() - start:.2f} s, exit {result.returncode})", flush=True)
        if expect is not None and result.returncode != expect:
            raise AssertionError(f"neurofab {' '.join(map(str, args))}: exit {result.returncode}, expected {expect}\n"
                                 f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result

    def json(self, *args):
        """`neurofab <args> --json`, parsed."""
        return json.loads(self.run(*args, "--json").stdout)

    def error_line(self, *args, expect=None):
        """The one-line error the CLI prints for a failing command (without the 'neurofab: error: ' prefix)."""
        result = self.run(*args, expect=expect)
        assert result.returncode != 0, f"neurofab {args}: expected a failure, got exit 0"
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines, f"neurofab {args}: exit {result.returncode} without a message"
        line = lines[-1]
        for prefix in ("neurofab: error: ", "error: ", "neurofab: "):
            if line.startswith(prefix):
                return line[len(prefix):]
        return line

    def dump(self, folder, out, *args):
        """`neurofab eval FOLDER --dump OUT ...` as a dict of numpy arrays."""
        self.run("eval", folder, "--dump", out, *args)
        with np.load(out) as z:
            return {name: z[name] for name in z.files}


@pytest.fixture(scope="session")
def cli(pytestconfig):
    return Cli(pytestconfig.getoption("--neurofab"))


@pytest.fixture(scope="session")
def nf():
    import neurofab
    return neurofab


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("nf")


def read_tensors(folder):
    """The .npy tensors of an artifact or quantized folder, by the names model.json gives them."""
    folder = Path(folder)
    model = json.loads((folder / "model.json").read_text())
    return {name: np.load(folder / entry["file"]) for name, entry in model["tensors"].items()}


def assert_same_tensors(expected, actual, what):
    assert sorted(expected) == sorted(actual), f"{what}: tensors {sorted(actual)}, expected {sorted(expected)}"
    for name in expected:
        e, a = expected[name], actual[name]
        assert a.dtype == e.dtype and a.shape == e.shape, \
            f"{what}: {name} is {a.dtype}{list(a.shape)}, expected {e.dtype}{list(e.shape)}"
        if not np.array_equal(a.view(np.uint8), e.view(np.uint8)):
            i = np.argwhere(a != e)[0]
            raise AssertionError(f"{what}: {name}{list(i)} = {a[tuple(i)]!r}, expected {e[tuple(i)]!r}")


def assert_equal_arrays(expected, actual, what):
    """Values equal element for element (dtypes may differ: uint8 spikes against float64 ones)."""
    expected, actual = np.asarray(expected), np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    if not np.array_equal(actual, expected):
        i = tuple(np.argwhere(actual != expected)[0])
        raise AssertionError(f"{what}{list(i)}: {actual[i]!r}, expected {expected[i]!r} "
                             f"({int(np.sum(actual != expected))} of {actual.size} differ)")


def one_line(error):
    """The exception's message, checked to be one non-empty line."""
    text = str(error)
    assert text and "\n" not in text.strip(), f"{type(error).__name__}: not one line: {text!r}"
    return text
