from collections.abc import Mapping, Sequence
from typing import Annotated

import numpy
from numpy.typing import NDArray


version: str = 'neurofab 0.1.0'

class NamedArrays:
    """A run's arrays by name (wrapped by neurofab.Trajectories)."""

    def names(self) -> list[str]:
        """The array names, in the order of eval --dump."""

    def array(self, name: str) -> object:
        """
        A read-only numpy view of the array (no copy); it keeps this object alive.
        """

class FloatNetwork:
    """A rate or LIF network in memory (an artifact folder's content)."""

    @staticmethod
    def load(dir: str) -> FloatNetwork:
        """Loads an artifact folder; nf::InputError names the defect."""

    def save(self, dir: str, force: bool = False) -> None:
        """Writes the artifact folder atomically (the CLI's format)."""

    @property
    def folder(self) -> str: ...

    @property
    def family(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def n_rec(self) -> int: ...

    @property
    def n_in(self) -> int: ...

    @property
    def n_out(self) -> int: ...

    @property
    def config(self) -> object: ...

    @property
    def task(self) -> str: ...

    @property
    def task_params(self) -> dict[str, float]: ...

    @property
    def seed(self) -> int: ...

    @property
    def n_steps(self) -> int: ...

    @property
    def history(self) -> dict: ...

    @property
    def weights(self) -> dict: ...

    def set_weight(self, name: str, values: Annotated[NDArray[numpy.float32], dict(order='C', device='cpu', writable=False)]) -> None: ...

    def run(self, inputs: Annotated[NDArray[numpy.float64], dict(shape=(None, None, None), order='C', device='cpu', writable=False)], seed: int | None = None) -> object: ...

    def evaluate(self, trials: int, seed: int | None = None, data: str = '', success_mse: float = 0.0) -> dict: ...

def train(options: Sequence[tuple[str, object]], progress: object | None = None, warn: object) -> FloatNetwork:
    """
    `neurofab train` with its options as (name, value) pairs (names without dashes).
    """

def train_option_names() -> list[str]: ...

def task_names() -> list[str]: ...

def task_info(name: str, params: Mapping[str, float] = {}) -> object: ...

def task_trials(name: str, params: Mapping[str, float], trials: int, seed: int) -> object: ...

def is_quantized(arg: str, /) -> bool: ...

class QuantizedNetwork:
    """A quantized network (the integer golden model) in memory."""

    @staticmethod
    def load(dir: str) -> QuantizedNetwork: ...

    def save(self, dir: str, force: bool = False) -> None: ...

    @property
    def folder(self) -> str: ...

    @property
    def family(self) -> str: ...

    @property
    def n_rec(self) -> int: ...

    @property
    def n_in(self) -> int: ...

    @property
    def n_out(self) -> int: ...

    @property
    def config(self) -> object: ...

    @property
    def fixed_point(self) -> object: ...

    @property
    def task(self) -> str: ...

    @property
    def task_params(self) -> dict[str, float]: ...

    @property
    def seed(self) -> int: ...

    @property
    def source(self) -> str: ...

    @property
    def weight_bits(self) -> int: ...

    @property
    def state_bits(self) -> int: ...

    @property
    def n_steps(self) -> int: ...

    @property
    def codes(self) -> dict: ...

    def run(self, inputs: Annotated[NDArray[numpy.float64], dict(shape=(None, None, None), order='C', device='cpu', writable=False)], seed: int | None = None) -> object: ...

    def evaluate(self, trials: int, seed: int | None = None, data: str = '', success_mse: float = 0.0) -> dict: ...

def quantize(network: FloatNetwork, options: Sequence[tuple[str, object]]) -> tuple:
    """
    `neurofab quantize` with its options as (name, value) pairs; returns (network, report).
    """

def verify(network: QuantizedNetwork, lanes: int, trials: int, seed: int, max_stall: int, cache: str, harness: str, keep: str, progress: object | None = None) -> dict: ...

def hls(network: QuantizedNetwork, out: str, lanes: int, trials: int, seed: int, part: str, clock_ns: float, force: bool, progress: object | None = None) -> dict: ...

def build(network: QuantizedNetwork, board: str, out: str, lanes: int, baud: int, seed: int, trials: int, rtl_dir: str, force: bool, abc9: bool, trial_seed: int | None = None, progress: object | None = None) -> dict: ...

def boards() -> list: ...

def compare(runs: Sequence[str], out: str, levels: Sequence[str], boards: Sequence[str], weight_bits: Sequence[int], trials: int, vector_trials: int, lanes: int, energy_table: str, cache: str, force: bool, progress: object | None = None) -> dict: ...

def export_nir(dir: str, file: str, dt: float | None = None) -> None: ...

def import_nir(file: str, out: str, dt: float | None = None, reset: str = '', discretisation: str = 'euler', task: str = '', task_params: Mapping[str, float] = {}, data: str = '') -> tuple: ...
