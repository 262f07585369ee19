"""Figures as matplotlib Figure objects (shown inline in a notebook), not
files. plot_compare draws with the `neurofab compare` command's own plot
functions (share/neurofab/plots/compare.py)."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from typing import Any, Optional

import numpy as np

from .errors import InputError

__all__ = ["plot_raster", "plot_history", "plot_compare"]


def _pyplot():
    import matplotlib.pyplot as plt  # noqa: WPS433 (imported when a figure is asked for)
    return plt


def plot_raster(network, trial: int = 0, inputs: Any = None, seed: Optional[int] = None, units: Optional[int] = None):
    """One trial of a float network: its inputs, the spikes (LIF) or rates
    (rate) of its units, and its outputs against the targets (steps not
    scored shaded). trial: which evaluation trial of the task (seed: the
    network's by default); inputs: a [T, B, n_in] array to run instead
    (its trial `trial`, no targets). units: draw the first units only."""
    if trial < 0:
        raise InputError(f"trial {trial}: must be >= 0")
    targets = mask = None
    if inputs is None:
        trials = network.task_trials(trial + 1, seed)
        inputs, targets, mask = trials["inputs"], trials["targets"], trials["mask"]
    run = network.run(inputs, seed)
    if trial >= run["outputs"].shape[1]:
        raise InputError(f"trial {trial}: the inputs hold {run['outputs'].shape[1]} trials")
    plt = _pyplot()
    dt = float(network.config.get("dt_ms", 1.0))
    lif = network.family == "lif"
    activity = run["spikes"] if lif else run["rates"]
    activity = activity[:, trial, :] if units is None else activity[:, trial, :units]
    steps = activity.shape[0]
    time = np.arange(1, steps + 1) * dt
    fig, (ax_in, ax_units, ax_out) = plt.subplots(3, 1, sharex=True, figsize=(10, 7),
                                                  gridspec_kw={"height_ratios": [1.2, 3.2, 1.5]},
                                                  constrained_layout=True)
    fig.suptitle(f"{'LIF' if lif else 'rate'} RNN, N = {network.n_rec}, task {network.task!r}: trial {trial}")
    x = run["inputs"][:, trial, :]
    for c in range(x.shape[1]):
        ax_in.plot(time, x[:, c], lw=1.0, drawstyle="steps-mid", label=f"x{c + 1}")
    ax_in.set_ylabel("input")
    ax_in.grid(alpha=0.3)
    if x.shape[1] <= 8:
        ax_in.legend(loc="upper right", fontsize=8, frameon=False)
    if lif:
        positions = [time[activity[:, i] != 0] for i in range(activity.shape[1])]
        ax_units.eventplot(positions, lineoffsets=np.arange(activity.shape[1]), linelengths=0.8, linewidths=1.0,
                           colors="black")
        ax_units.set_ylim(-0.6, activity.shape[1] - 0.4)
        ax_units.invert_yaxis()
        ax_units.set_title(f"spikes: {int(activity.sum())} in {steps} steps", fontsize=9, loc="left")
        if not activity.any():
            ax_units.text(0.5, 0.5, "no spikes in this trial", transform=ax_units.transAxes, ha="center",
                          va="center", color="0.4")
    else:
        image = ax_units.imshow(activity.T, aspect="auto", interpolation="nearest", cmap="RdBu_r",
                                extent=(time[0] - dt / 2, time[-1] + dt / 2, activity.shape[1] - 0.5, -0.5),
                                vmin=-1, vmax=1)
        fig.colorbar(image, ax=ax_units, label="rate h")
        ax_units.set_title("rates h_t", fontsize=9, loc="left")
    ax_units.set_ylabel("unit")
    y = run["outputs"][:, trial, :]
    for c in range(y.shape[1]):
        colour = f"C{c % 10}"
        ax_out.plot(time, y[:, c], color=colour, lw=1.2, label=f"output {c + 1}" if y.shape[1] > 1 else "output")
        if targets is not None:
            ax_out.plot(time, targets[:, trial, c], color=colour, lw=1.2, ls="--",
                        label=f"target {c + 1}" if y.shape[1] > 1 else "target")
    if mask is not None:
        unscored = mask[:, trial, :].max(axis=1) == 0
        for t in np.flatnonzero(unscored):
            ax_out.axvspan(time[t] - dt / 2, time[t] + dt / 2, color="0.9", lw=0, zorder=0)
    ax_out.set_ylabel("output")
    ax_out.set_xlabel("time (ms)")
    ax_out.grid(alpha=0.3)
    ax_out.legend(loc="upper right", fontsize=8, frameon=False)
    plt.close(fig)  # returned, not left in pyplot: a notebook would show it twice
    return fig


def plot_history(network):
    """Training loss and validation success per epoch."""
    log = network.history["log"]
    if not log:
        raise InputError("plot_history: the network has no training log")
    plt = _pyplot()
    epochs = [r["epoch"] for r in log]
    fig, (ax_loss, ax_success) = plt.subplots(1, 2, figsize=(10, 3.5), constrained_layout=True)
    ax_loss.semilogy(epochs, [r["loss"] for r in log], label="loss")
    ax_loss.semilogy(epochs, [r["task_loss"] for r in log], label="task MSE")
    ax_loss.set_xlabel("epoch")
    ax_loss.legend(frameon=False)
    ax_loss.grid(alpha=0.3)
    ax_success.plot(epochs, [100 * r["validation_success"] for r in log])
    ax_success.set_xlabel("epoch")
    ax_success.set_ylabel("validation success (%)")
    ax_success.grid(alpha=0.3)
    fig.suptitle(f"training of {network!r}", fontsize=10)
    plt.close(fig)  # returned, not left in pyplot: a notebook would show it twice
    return fig


def _compare_plots():
    """cli/plots/compare.py (share/neurofab/plots) imported as a module, its
    `nf_plot` helper replaced by one that leaves matplotlib's backend alone."""
    root = os.environ.get("NEUROFAB_PLOTS_DIR") or os.path.join(os.environ["NEUROFAB_RESOURCE_DIR"], "plots")
    path = os.path.join(root, "compare.py")
    if not os.path.isfile(path):
        raise InputError(f"neurofab's resource {path} is missing (reinstall the package)")
    shim = types.ModuleType("nf_plot")
    shim.np = np
    shim.plt = _pyplot()
    shim.save_png = lambda fig, out, dpi=None: fig.savefig(out, dpi=dpi)
    previous = sys.modules.get("nf_plot")
    sys.modules["nf_plot"] = shim
    try:
        spec = importlib.util.spec_from_file_location("neurofab._compare_plots", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if previous is None:
            del sys.modules["nf_plot"]
        else:
            sys.modules["nf_plot"] = previous
    return module


def plot_compare(result):
    """The three figures of `neurofab compare` side by side: success vs
    modelled energy per trial, latency per step vs N, energy per step vs
    weight width. `result`: a CompareResult (or its document dict)."""
    document = result.document if hasattr(result, "document") else result
    plots = _compare_plots()
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), constrained_layout=True)
    plots.accuracy_energy(document, axes[0])
    plots.latency_vs_n(document, axes[1])
    plots.energy_vs_bits(document, axes[2])
    plt.close(fig)  # returned, not left in pyplot: a notebook would show it twice
    return fig
