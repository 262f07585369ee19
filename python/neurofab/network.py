"""Networks as Python objects: load, save, train, run, evaluate, quantize.

Every call goes to the same C++ libraries as the `neurofab` command
(neurofab._core); options have the command's names with underscores for
dashes, and bad input raises neurofab.InputError with the command's one line.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass, fields
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Union

import numpy as np

from . import _core
from ._progress import progress_callback
from .errors import InputError

__all__ = ["Network", "QuantizedNetwork", "Evaluation", "Trajectories", "load", "train", "quantize", "task_names", "task_info",
           "task_trials"]

Progress = Union[None, bool, Callable[[int, int, dict], None]]
PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Evaluation:
    """The figures `neurofab eval` prints. Rates are fractions (0..1); None
    where a figure does not apply (OOD for trials given as arrays, spiking
    activity for rate networks, overflow for float networks)."""

    success_rate: float
    mse: float
    trials: int
    seed: int
    task: str
    ood_success_rate: Optional[float] = None
    ood_mse: Optional[float] = None
    mean_rate: Optional[float] = None
    mean_rate_hz: Optional[float] = None
    spikes_per_step: Optional[float] = None
    synops_per_step: Optional[float] = None
    input_macs_per_step: Optional[float] = None
    overflow_events: Optional[int] = None
    synaptic_events_per_step: Optional[float] = None

    @classmethod
    def _from(cls, d: dict) -> "Evaluation":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def _path(value: PathLike, what: str) -> str:
    try:
        return os.fspath(value)
    except TypeError:
        raise InputError(f"{what}: expected a folder path, got {type(value).__name__}") from None


def _trial_array(value: Any, name: str) -> np.ndarray:
    """A [T, B, C] array as float64 in C order (copied only when it is not already)."""
    if type(value) is np.ndarray and value.dtype == np.float64 and value.ndim == 3 and value.flags.c_contiguous:
        return value  # the common case, without the general checks' cost (a run's overhead budget is µs)
    try:
        array = np.asarray(value)
    except Exception as error:  # noqa: BLE001 (anything numpy refuses)
        raise InputError(f"{name}: not an array ({error})") from None
    if array.dtype == bool:
        array = array.astype(np.float64)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise InputError(f"{name}: dtype {array.dtype} is not a real number type (int, float or bool)")
    if array.ndim != 3:
        raise InputError(f"{name}: {array.ndim}-d array of shape {list(array.shape)}, expected [T, B, C]")
    return np.ascontiguousarray(array, dtype=np.float64)


class _TrialFile:
    """Arrays written as a data file (.npz: inputs, targets, mask, success_mse) for the core's data task."""

    def __init__(self, inputs, targets, mask, success_mse=None):
        if targets is None:
            raise InputError("targets: required with inputs (the wanted outputs [T, B, n_out])")
        arrays = {"inputs": _trial_array(inputs, "inputs"), "targets": _trial_array(targets, "targets")}
        if mask is not None:
            arrays["mask"] = _trial_array(mask, "mask")
        if success_mse is not None:
            arrays["success_mse"] = np.float64(success_mse)
        self._folder = tempfile.TemporaryDirectory(prefix="neurofab-trials-")
        self.path = os.path.join(self._folder.name, "trials.npz")
        np.savez(self.path, **arrays)

    def close(self):
        self._folder.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _message_without(error: InputError, path: str, replacement: str) -> InputError:
    return InputError(str(error).replace(path, replacement))


class _Base:
    """What float and quantized networks share."""

    _core: Any
    _temporary: Optional[tempfile.TemporaryDirectory]

    @property
    def family(self) -> str:
        """"rate" or "lif"."""
        return self._core.family

    @property
    def n_rec(self) -> int:
        """Recurrent units N."""
        return self._core.n_rec

    @property
    def n_in(self) -> int:
        """Inputs per step (the task's)."""
        return self._core.n_in

    @property
    def n_out(self) -> int:
        """Outputs per step."""
        return self._core.n_out

    @property
    def config(self) -> Dict[str, Any]:
        """model.json's "model" section: sizes, time constants, activation or neuron parameters."""
        return self._core.config

    @property
    def task(self) -> str:
        """The task's name ("data" for a network trained on arrays or an .npz file)."""
        return self._core.task

    @property
    def task_params(self) -> Dict[str, float]:
        """The task's parameters."""
        return dict(self._core.task_params)

    @property
    def seed(self) -> int:
        """The seed of initialisation, data and noise; evaluation draws its trials from it."""
        return self._core.seed

    @property
    def n_steps(self) -> int:
        """Steps T of one trial of the task."""
        return self._core.n_steps

    @property
    def folder(self) -> Optional[str]:
        """The folder the network was loaded from or saved to; None for one only in memory."""
        if self._temporary is not None and self._core.folder.startswith(self._temporary.name):
            return None
        return self._core.folder or None

    def _tool_folder(self) -> str:
        """A folder holding this network, saved to a temporary one when it has none (for the folder-based stages)."""
        if self._core.folder and os.path.isdir(self._core.folder):
            return self._core.folder
        if self._temporary is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="neurofab-")
        folder = os.path.join(self._temporary.name, "network")
        self._core.save(folder, True)
        return folder

    def save(self, dir: PathLike, force: bool = False) -> None:
        """Writes the network as a folder in the CLI's format (atomically: a
        failure leaves nothing half-written). An existing folder is replaced
        only with force=True."""
        self._core.save(_path(dir, "save"), force)

    def task_trials(self, trials: int = 1, seed: Optional[int] = None) -> "Trajectories":
        """The evaluation trials `neurofab eval` runs (inputs, targets, mask as [T, B, C] float64)."""
        return task_trials(self.task, self.task_params, trials, self.seed if seed is None else seed)

    def _evaluate(self, trials, seed, inputs, targets, mask, success_mse) -> Evaluation:
        if inputs is None:
            if targets is not None or mask is not None:
                raise InputError("targets and mask: give them with inputs")
            if success_mse is not None:
                raise InputError("success_mse: applies with inputs (trials given as arrays) only")
            return Evaluation._from(self._core.evaluate(int(trials), seed))
        with _TrialFile(inputs, targets, mask) as file:
            try:
                return Evaluation._from(self._core.evaluate(0, seed, file.path, float(success_mse or 0)))
            except InputError as error:
                raise _message_without(error, file.path, "the arrays given") from None

    def __repr__(self) -> str:
        where = f" at {self.folder}" if self.folder else ""
        return f"<{type(self).__name__} {self.family}, N = {self.n_rec}, task {self.task!r}{where}>"


class Network(_Base):
    """A trained float network: a rate RNN or a spiking LIF RNN (family "rate" | "lif")."""

    def __init__(self, core: "_core.FloatNetwork", temporary: Optional[tempfile.TemporaryDirectory] = None):
        self._core = core
        self._temporary = temporary

    @property
    def weights(self) -> Dict[str, np.ndarray]:
        """Tensors by name as read-only float32 views (no copy), [post, pre]:
        W_in, W_rec, b_rec, W_out, b_out, and beta, alpha_syn for LIF. Change
        one with set_weight()."""
        return self._core.weights

    @property
    def history(self) -> Dict[str, Any]:
        """The training record: epochs_done, converged_epoch, best_epoch, the per-epoch log, rollbacks."""
        return self._core.history

    def set_weight(self, name: str, values: Any) -> None:
        """Replaces tensor `name` after checking its shape, that its values are
        finite, and the network's masks, Dale's law and LIF decay ranges (the
        old value stays on InputError)."""
        try:
            array = np.asarray(values)
        except Exception as error:  # noqa: BLE001
            raise InputError(f"set_weight: '{name}' is not an array ({error})") from None
        if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
                or array.dtype == bool):
            raise InputError(f"set_weight: '{name}' has dtype {array.dtype}, not a real number type")
        self._core.set_weight(name, np.ascontiguousarray(array, dtype=np.float32))

    def run(self, inputs: Any, seed: Optional[int] = None) -> "Trajectories":
        """Runs trials `inputs` [T, B, n_in] and returns every per-step signal as
        [T, B, C] arrays (float64; LIF spikes uint8), as `neurofab eval --dump`:
        LIF: inputs, encoded_inputs, currents, potentials, membranes, spikes,
        outputs (refractory with a refractory period); rate: inputs,
        preactivations, rates, outputs (noise when noise_sd > 0). Random draws
        (Poisson encoding, noise) come from the evaluation stream of `seed`
        (default: the network's)."""
        return Trajectories(self._core.run(_trial_array(inputs, "inputs"), seed))

    def evaluate(self, trials: int = 512, seed: Optional[int] = None, inputs: Any = None, targets: Any = None,
                 mask: Any = None, success_mse: Optional[float] = None) -> Evaluation:
        """`neurofab eval`: success rate and MSE on `trials` fresh trials of the
        task (seed: the network's by default) and on its OOD variant; LIF adds
        firing rate, spikes and SynOps per step. With inputs and targets (and
        optionally mask) [T, B, C]: those trials, scored as a data task (masked
        MSE per trial < success_mse, by default the network's own)."""
        return self._evaluate(trials, seed, inputs, targets, mask, success_mse)

    def plot_raster(self, trial: int = 0, inputs: Any = None, seed: Optional[int] = None, units: Optional[int] = None):
        """One trial: inputs, spikes (LIF) or rates (rate) of every unit, and
        the output against its target. Returns a matplotlib Figure."""
        from .plots import plot_raster
        return plot_raster(self, trial=trial, inputs=inputs, seed=seed, units=units)

    def plot_history(self):
        """Loss and validation success per epoch of the training. Returns a matplotlib Figure."""
        from .plots import plot_history
        return plot_history(self)


class QuantizedNetwork(_Base):
    """A quantized network: the integer golden model that the RTL, HLS and
    board levels are checked against."""

    def __init__(self, core: "_core.QuantizedNetwork", temporary: Optional[tempfile.TemporaryDirectory] = None,
                 source: Optional[Network] = None, fine_tuning: Optional[dict] = None):
        self._core = core
        self._temporary = temporary
        self._source = source
        self.fine_tuning = fine_tuning
        """With fine-tuning: its epochs, the kept epoch and the success before and after (else None)."""

    @property
    def fixed_point(self) -> Dict[str, Any]:
        """model.json's "fixed_point" section: rounding, overflow, every format, accumulators, decay or table."""
        return self._core.fixed_point

    @property
    def codes(self) -> Dict[str, np.ndarray]:
        """The integer tensors by name, int32 read-only views, [post, pre]."""
        return self._core.codes

    @property
    def weight_bits(self) -> int:
        return self._core.weight_bits

    @property
    def state_bits(self) -> int:
        return self._core.state_bits

    @property
    def source(self) -> str:
        """The float network's folder it was quantized from, as recorded."""
        return self._core.source

    def run(self, inputs: Any, seed: Optional[int] = None) -> "Trajectories":
        """Runs trials `inputs` [T, B, n_in] through the integer golden model and
        returns every signal of its golden trace as [T, B, C] int32/int64 codes
        (the golden vectors `neurofab vectors` writes for the same trials),
        each with `<name>_frac_bits` (value = code * 2**-frac_bits), plus the
        float64 inputs."""
        return Trajectories(self._core.run(_trial_array(inputs, "inputs"), seed))

    def evaluate(self, trials: int = 512, seed: Optional[int] = None, inputs: Any = None, targets: Any = None,
                 mask: Any = None, success_mse: Optional[float] = None) -> Evaluation:
        """`neurofab eval <qdir>`: the integer model's success rate, MSE and
        overflow events (LIF: spikes and synaptic events per step) on the
        trials `Network.evaluate` would run."""
        return self._evaluate(trials, seed, inputs, targets, mask, success_mse)


def load(dir: PathLike) -> Union[Network, QuantizedNetwork]:
    """Loads a folder: a trained float artifact gives a Network, a quantized
    one a QuantizedNetwork. A folder that is neither raises InputError
    naming the file and field."""
    folder = _path(dir, "load")
    if _core.is_quantized(folder):
        return QuantizedNetwork(_core.QuantizedNetwork.load(folder))
    return Network(_core.FloatNetwork.load(folder))


def _option_name(name: str) -> str:
    return name.replace("_", "-")


def train(task: Optional[str] = None, model: str = "rate", n: int = 50, out: Optional[PathLike] = None,
          seed: int = 1, epochs: Optional[int] = None, threads: int = 0, progress: Progress = None,
          inputs: Any = None, targets: Any = None, mask: Any = None, success_mse: Optional[float] = None,
          task_params: Optional[Dict[str, float]] = None, force: bool = False, **options: Any) -> Network:
    """`neurofab train`: trains a rate or LIF network and returns it.

    Every option of `neurofab train --help` is a keyword, with underscores
    for dashes (lr=2e-3, batch=64, tau_mem=20, reset="zero",
    loss_on_scored_steps=True, spike_penalty=0.5, freeze=["W_in"], ...); they
    are checked by the same code with the same messages (InputError).
    task_params={"bits": 2} are --task-param entries.

    Trials of your own instead of a task: inputs, targets and mask arrays
    [T, B, C] (the data task: a trial succeeds when its masked MSE is below
    success_mse; docs/own-data.md).

    out: the artifact folder it checkpoints into (None: a temporary folder;
    save the network with .save()). threads=0 uses every core; the trained
    network is the same for any count. progress: a tqdm bar by default in a
    notebook or on a terminal, or a callable(done, total, info)."""
    trial_file = None
    if inputs is not None:
        if task is not None:
            raise InputError("task and inputs: give one of them (inputs, targets and mask are a task of your own)")
        trial_file = _TrialFile(inputs, targets, mask)
    elif targets is not None or mask is not None:
        raise InputError("targets and mask: give them with inputs")
    temporary = None
    if out is None:
        temporary = tempfile.TemporaryDirectory(prefix="neurofab-")
        folder = os.path.join(temporary.name, "network")
    else:
        folder = _path(out, "out")
    pairs = [("model", model), ("n", n), ("seed", seed), ("threads", threads), ("out", folder)]
    if task is not None:
        pairs.append(("task", task))
    if trial_file is not None:
        pairs.append(("data", trial_file.path))
    if success_mse is not None:
        pairs.append(("success-mse", success_mse))
    if epochs is not None:
        pairs.append(("epochs", epochs))
    if force:
        pairs.append(("force", True))
    for name, value in (task_params or {}).items():
        pairs.append((f"task-param.{name}", value))
    for name, value in options.items():
        if value is not None:
            pairs.append((_option_name(name), value))
    try:
        with progress_callback(progress, f"train {model}", unit="epoch") as callback:
            core = _core.train(pairs, callback, lambda message: warnings.warn(message, RuntimeWarning, stacklevel=3))
    except InputError as error:
        if trial_file is not None:
            raise _message_without(error, trial_file.path, "the arrays given") from None
        raise
    finally:
        if trial_file is not None:
            trial_file.close()
    return Network(core, temporary)


def quantize(network: Network, bits: int = 8, state_bits: int = 16, progress: Progress = None,
             **options: Any) -> QuantizedNetwork:
    """`neurofab quantize`: fixed-point formats calibrated on the task, the
    integer golden model. Keywords are the command's options: input_bits,
    rounding ("floor", "half_up", "convergent"), overflow ("saturate",
    "wrap"), calibration ("max_abs", "percentile"), percentile,
    calibration_trials, formats={"W_rec": "8.7"}, piecewise_linear,
    table_bits, table_frac_bits, leak_bits, decay ("multiplier", "shift",
    "loihi"), decay_bits, fine_tune_epochs, fine_tune_lr."""
    if not isinstance(network, Network):
        raise InputError(f"quantize: expected a float Network, got {type(network).__name__}")
    pairs = [("bits", bits), ("state-bits", state_bits)]
    for name, value in options.items():
        if value is not None:
            pairs.append((_option_name(name), value))
    with progress_callback(progress, "quantize") as callback:
        callback(0, 1, {})
        core, report = _core.quantize(network._core, pairs)
        callback(1, 1, {})
    return QuantizedNetwork(core, source=network, fine_tuning=report.get("fine_tuning"))


def task_names() -> Sequence[str]:
    """The built-in tasks (`neurofab tasks`)."""
    return list(_core.task_names())


def task_info(name: str, **params: float) -> Dict[str, Any]:
    """A task's summary, sizes, steps and parameters (with their defaults and descriptions)."""
    return _core.task_info(name, params)


class Trajectories(Mapping):
    """The [T, B, C] arrays of a run by name, as `neurofab eval --dump` names
    them: a read-only Mapping (dict(t) makes a dict). Each array is a
    read-only numpy view of the run's own memory (no copy), made when it is
    first read, so a run costs one object however many signals it has."""

    __slots__ = ("_arrays", "_names", "_made")

    def __init__(self, arrays: Any) -> None:
        self._arrays = arrays
        self._names: Optional[list] = None  # asked of the core when first needed
        self._made: Dict[str, np.ndarray] = {}

    @property
    def _names_list(self) -> list:
        if self._names is None:
            self._names = self._arrays.names()
        return self._names

    def __getitem__(self, name: str) -> np.ndarray:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = self._arrays.array(name)
        return made

    def __contains__(self, name: object) -> bool:
        return name in self._names_list

    def __iter__(self) -> Iterator[str]:
        return iter(self._names_list)

    def __len__(self) -> int:
        return len(self._names_list)

    def __repr__(self) -> str:
        return f"Trajectories({', '.join(self._names_list)})"


def task_trials(task: str, params: Optional[Dict[str, float]] = None, trials: int = 1,
                seed: int = 1) -> Dict[str, np.ndarray]:
    """The evaluation trials of (task, seed) that `neurofab eval` runs:
    inputs, targets, mask as [T, B, C] float64 arrays."""
    return Trajectories(_core.task_trials(task, dict(params or {}), int(trials), int(seed)))
