"""The hardware stages: verify (RTL in lock step with the integer golden
model), hls (a Vitis HLS project), build (a bitstream and its report) and
compare (every level side by side). External tools (verilator, yosys,
nextpnr-ice40, icepack) come from PATH, as for the `neurofab` command."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from . import _core
from ._progress import progress_callback
from .errors import InputError, VerificationError
from .network import Network, Progress, QuantizedNetwork, _path, load

__all__ = ["VerifyResult", "HlsResult", "BuildResult", "CompareResult", "verify", "hls", "build", "compare", "boards"]

_PASS = re.compile(r"PASS: (\d+) timesteps checked.*?, ([0-9.]+) compute cycles per step, (\d+) cycles simulated in "
                   r"([0-9.]+) s")


def _quantized(network: Any, what: str) -> QuantizedNetwork:
    if isinstance(network, (str, os.PathLike)):
        network = load(network)
    if not isinstance(network, QuantizedNetwork):
        raise InputError(f"{what}: expected a QuantizedNetwork (neurofab.quantize), got {type(network).__name__}")
    return network


@dataclass(frozen=True)
class VerifyResult:
    """`neurofab verify`: every state value, spike, output, overflow count and
    cycle count compared with == at every step."""

    passed: bool
    mismatches: int
    steps: Optional[int]              # timesteps checked (on a pass)
    cycles_per_step: Optional[float]  # mean compute cycles per step
    cycles: Optional[int]             # cycles simulated
    seconds: Optional[float]          # simulation time
    harness: str
    lanes: int
    trials: int
    seed: int
    testbench: str
    built: bool                       # False: the Verilated testbench came from the cache
    log: str
    activity: Optional[Dict[str, Any]] = None  # the RTL's operation and memory counts (on a pass)
    mismatch_lines: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class HlsResult:
    """`neurofab hls`: the Vitis HLS project written."""

    project: str
    top: str
    lanes: int
    trials: int
    seed: int
    part: str
    clock_ns: float


@dataclass(frozen=True)
class BuildResult:
    """`neurofab build`: the build folder, bitstream and the report's figures
    (report holds report.json whole)."""

    board: str
    folder: str
    bitstream: Optional[str]
    summary: str
    report: Dict[str, Any]
    logic_cells: Optional[float]
    luts: Optional[float]
    bram: Optional[float]
    dsp: Optional[float]
    fmax_mhz: Optional[float]
    timing_met: Optional[bool]
    clock_mhz: Optional[float]
    cycles_per_step: Optional[float]      # mean over the evaluation trials (LIF) or every step (rate)
    cycles_per_step_max: Optional[float]
    latency_us_per_step: Optional[float]  # mean, at the board clock
    steps_per_second: Optional[float]


@dataclass(frozen=True)
class CompareResult:
    """`neurofab compare`: one row per network and level (rows: the dicts of
    compare.json), the markdown summary and the folder with compare.json,
    compare.csv, summary.md and work/."""

    rows: List[Dict[str, Any]]
    summary: str
    folder: str
    document: Dict[str, Any]

    def plot(self):
        """The command's three figures in one matplotlib Figure."""
        from .plots import plot_compare
        return plot_compare(self)


def verify(network: Union[QuantizedNetwork, str], lanes: int = 1, trials: int = 4, seed: int = 1, max_stall: int = 3,
           harness: str = "verilator", cache: Optional[str] = None, keep: Optional[str] = None,
           progress: Progress = None) -> VerifyResult:
    """`neurofab verify`: builds (or takes from the cache) the Verilator or
    SystemC testbench of the network's RTL core with `lanes` MAC lanes and runs
    `trials` evaluation trials in lock step with the integer golden model,
    under random back-pressure of `seed`. Raises VerificationError (with
    .result) on a mismatch, like the command's exit 3."""
    q = _quantized(network, "verify")
    with progress_callback(progress, "verify", unit="step") as callback:
        d = _core.verify(q._core, int(lanes), int(trials), int(seed), int(max_stall),
                         "" if cache is None else _path(cache, "cache"), harness,
                         "" if keep is None else _path(keep, "keep"), callback)
    log = d["log"]
    mismatch_lines = [line for line in log.splitlines() if line.startswith("MISMATCH")]
    match = _PASS.search(log)
    result = VerifyResult(
        passed=d["passed"], mismatches=len(mismatch_lines) if not d["passed"] else 0,
        steps=int(match.group(1)) if match else None, cycles_per_step=float(match.group(2)) if match else None,
        cycles=int(match.group(3)) if match else None, seconds=float(match.group(4)) if match else None,
        harness=d["harness"], lanes=d["lanes"], trials=d["trials"], seed=d["seed"], testbench=d["testbench"],
        built=d["built"], log=log, activity=d["activity"], mismatch_lines=mismatch_lines)
    if not result.passed:
        name = q.folder or "the network"
        first = f": {mismatch_lines[0]}" if mismatch_lines else ""
        keep_text = "; keep=<dir> keeps the waveform" if keep is None else f", waveform in {keep}"
        raise VerificationError(f"{name}: the RTL differs from the integer golden model{first}{keep_text}", result)
    return result


def hls(network: Union[QuantizedNetwork, str], out: str, lanes: int = 1, trials: int = 4, seed: int = 1,
        part: str = "xc7z020clg400-1", clock_ns: float = 10.0, force: bool = False,
        progress: Progress = None) -> HlsResult:
    """`neurofab hls`: writes a Vitis HLS project (kernels, nf_config.h,
    nf_weights.h, the C-simulation testbench with golden vectors of `trials`
    trials, run_hls.tcl) to `out`."""
    q = _quantized(network, "hls")
    with progress_callback(progress, "hls", unit="step") as callback:
        d = _core.hls(q._core, _path(out, "out"), int(lanes), int(trials), int(seed), part, float(clock_ns), force,
                      progress=callback)
    return HlsResult(project=d["project"], top=d["top"], lanes=d["lanes"], trials=d["trials"], seed=d["seed"],
                     part=d["part"], clock_ns=d["clock_ns"])


def _get(d: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _utilisation(report: Dict[str, Any], resource: str) -> Optional[float]:
    for entry in report.get("utilisation") or _get(report, "synthesis", "fit_check") or []:
        if entry.get("resource", "").startswith(resource):
            return entry.get("used")
    return None


def build(network: Union[QuantizedNetwork, str], board: str = "icebreaker", out: Optional[str] = None,
          lanes: int = 1, baud: int = 0, seed: int = 1, trials: int = 64, rtl_dir: Optional[str] = None,
          force: bool = False, abc9: bool = True, progress: Progress = None) -> BuildResult:
    """`neurofab build --board`: iCE40 boards get a bitstream (Yosys, fit
    check, nextpnr-ice40, icepack), Xilinx boards a Vivado project and a
    Yosys estimate; the report gives resources, Fmax, and cycles, µs and
    timesteps/s per step. out=None builds in a new temporary folder (kept;
    its path is the result's folder). Raises InputError when the design does
    not fit (naming the resource), ToolError when a tool fails."""
    q = _quantized(network, "build")
    folder = tempfile.mkdtemp(prefix="neurofab-build-") + "/build" if out is None else _path(out, "out")
    with progress_callback(progress, f"build {board}", unit="step") as callback:
        d = _core.build(q._core, board, folder, int(lanes), int(baud), int(seed), int(trials),
                        "" if rtl_dir is None else _path(rtl_dir, "rtl_dir"), force, abc9, progress=callback)
    report = d["report"]
    cells = _get(report, "synthesis", "cells") or {}
    luts = cells.get("SB_LUT4")
    if luts is None:
        luts = _utilisation(report, "LUT")
    return BuildResult(
        board=_get(report, "board", "name") or board, folder=d["folder"], bitstream=d["bitstream"],
        summary=d["summary"], report=report, logic_cells=_utilisation(report, "logic cells"), luts=luts,
        bram=_utilisation(report, "BRAM"), dsp=_utilisation(report, "DSP"),
        fmax_mhz=_get(report, "timing", "fmax_mhz"), timing_met=_get(report, "timing", "met"),
        clock_mhz=_get(report, "performance", "clock_mhz"),
        cycles_per_step=_get(report, "performance", "cycles_per_step", "mean"),
        cycles_per_step_max=_get(report, "performance", "cycles_per_step", "max"),
        latency_us_per_step=_get(report, "performance", "latency_us", "mean"),
        steps_per_second=_get(report, "performance", "steps_per_second", "mean"))


def boards() -> List[Dict[str, Any]]:
    """The board files (`neurofab boards`): name, family, device, clock, resources."""
    return list(_core.boards())


def compare(networks: Iterable[Union[Network, QuantizedNetwork, str]], out: Optional[str] = None,
            levels: Sequence[str] = ("float", "integer", "rtl"), boards: Sequence[str] = (),
            weight_bits: Sequence[int] = (8,), trials: int = 256, vector_trials: int = 4, lanes: int = 4,
            energy_table: Optional[str] = None, cache: Optional[str] = None, force: bool = False,
            progress: Progress = None) -> CompareResult:
    """`neurofab compare`: success, operations, latency and modelled energy of
    each network at each level (float and integer on the CPU, RTL in
    Verilator, each board in `boards`). Networks are float Networks or their
    folders (or sweep folders); a QuantizedNetwork stands for the float
    network it was quantized from, its weight width added to weight_bits.
    out=None writes into a new temporary folder (kept)."""
    runs: List[str] = []
    bits = [int(b) for b in weight_bits]
    for network in networks:
        if isinstance(network, QuantizedNetwork):
            source = network._source
            if source is None:
                if not network.source or not os.path.isdir(network.source):
                    raise InputError("compare: a QuantizedNetwork stands for the float network it was quantized from, "
                                     f"and {network.source or 'its source'} is not at hand; pass the float network")
                source = load(network.source)
            if network.weight_bits not in bits:
                bits.append(network.weight_bits)
            network = source
        if isinstance(network, Network):
            run = network._tool_folder()
        elif isinstance(network, (str, os.PathLike)):
            run = _path(network, "compare")
        else:
            raise InputError(f"compare: expected networks or folders, got {type(network).__name__}")
        if run not in runs:  # a network and its quantized form are one run
            runs.append(run)
    if not runs:
        raise InputError("compare: give at least one network")
    folder = tempfile.mkdtemp(prefix="neurofab-compare-") + "/compare" if out is None else _path(out, "out")
    with progress_callback(progress, "compare", unit="step") as callback:
        d = _core.compare(runs, folder, list(levels), list(boards), bits, int(trials), int(vector_trials), int(lanes),
                          "" if energy_table is None else _path(energy_table, "energy_table"),
                          "" if cache is None else _path(cache, "cache"), force, callback)
    return CompareResult(rows=list(d["json"]["rows"]), summary=d["summary"], folder=d["folder"], document=d["json"])
