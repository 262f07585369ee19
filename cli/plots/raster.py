"""Spike raster with input and output traces for one trial of a LIF network.

Run by `neurofab raster` (cli/raster_command.cpp) with Debian's python3 and
python3-matplotlib:

    /usr/bin/python3 -E raster.py <data_dir> <out.png>

<data_dir> holds the trial as written by the C++ side (row t - 1 = step t,
drawn at time t * dt):

    meta.json     dt_ms, task, n_rec, n_units, n_excitatory, dale, encoding, titles
    inputs.npy    (T, n_in)          task inputs x_t
    encoded.npy   (T, 2 n_in)        encoded input events, channel 2k ON, 2k+1 OFF
                                     (spiking encodings only)
    spikes.npy    (T, n_units)       recurrent spikes s_t, 0/1
    outputs.npy   (T, n_out)         readout y_t
    targets.npy   (T, n_out)         targets
    mask.npy      (T, n_out)         1 where a step is scored

The PNG is written under a temporary name beside <out.png> and renamed into
place, so a failure never leaves a half-written image. Exit status: 0 done,
2 bad usage, 3 matplotlib or numpy cannot be imported, 1 any other failure.
"""

import json
import os
import sys

DPI = 150
WIDTH_IN = 10.0
EXC_COLOUR = "tab:red"
INH_COLOUR = "tab:blue"
ONE_COLOUR = "black"
ON_COLOUR = "tab:green"
OFF_COLOUR = "tab:purple"
UNSCORED_COLOUR = "0.88"
MAX_LEGEND_ENTRIES = 8


def legend_outside(ax, **kwargs):
    """A legend to the right of the axes, so it never covers data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), borderaxespad=0.0,
                     fontsize=8, frameon=False, **kwargs)


def runs(flags):
    """(first, last) index pairs of the runs of True in a 1-d boolean array."""
    runs_, start = [], None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs_.append((start, i - 1))
            start = None
    if start is not None:
        runs_.append((start, len(flags) - 1))
    return runs_


def draw(data_dir, out):
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    with open(os.path.join(data_dir, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)

    def load(name):
        return np.load(os.path.join(data_dir, name + ".npy"))

    inputs, spikes = load("inputs"), load("spikes")
    outputs, targets, mask = load("outputs"), load("targets"), load("mask")
    spiking_input = meta["encoding"] != "current"
    encoded = load("encoded") if spiking_input else None

    dt = float(meta["dt_ms"])
    n_steps = spikes.shape[0]
    n_units = spikes.shape[1]
    time = np.arange(1, n_steps + 1) * dt  # step t at t * dt
    t_end = n_steps * dt

    heights = [1.2] + ([0.75] if spiking_input else []) + [3.2, 1.5]
    fig, axes = plt.subplots(len(heights), 1, sharex=True, figsize=(WIDTH_IN, sum(heights) + 1.2),
                             gridspec_kw={"height_ratios": heights}, constrained_layout=True)
    ax_in = axes[0]
    ax_enc = axes[1] if spiking_input else None
    ax_raster, ax_out = axes[-2], axes[-1]
    fig.suptitle(meta["suptitle"], fontsize=11)

    # (1) task inputs, and the encoded input events for spiking encodings.
    n_in = inputs.shape[1]
    for c in range(n_in):
        ax_in.plot(time, inputs[:, c], lw=1.0, drawstyle="steps-mid", label=f"x{c + 1}")
    ax_in.set_ylabel("input")
    ax_in.set_title(meta["title_inputs"], fontsize=9, loc="left")
    if 0 < n_in <= MAX_LEGEND_ENTRIES:
        legend_outside(ax_in)
    ax_in.grid(alpha=0.3)

    if spiking_input:
        n_enc = encoded.shape[1]
        positions = [time[encoded[:, ch] != 0] for ch in range(n_enc)]
        colours = [ON_COLOUR if ch % 2 == 0 else OFF_COLOUR for ch in range(n_enc)]
        ax_enc.eventplot(positions, lineoffsets=np.arange(n_enc), linelengths=0.8,
                         linewidths=0.8, colors=colours)
        ax_enc.set_ylim(-0.6, n_enc - 0.4)
        ax_enc.invert_yaxis()
        if n_enc <= 2 * MAX_LEGEND_ENTRIES:
            ax_enc.set_yticks(np.arange(n_enc))
            ax_enc.set_yticklabels([f"x{ch // 2 + 1} {'ON' if ch % 2 == 0 else 'OFF'}" for ch in range(n_enc)],
                                   fontsize=7)
        ax_enc.set_ylabel("events", fontsize=8)
        if not any(len(p) for p in positions):
            ax_enc.text(0.5, 0.5, "no input events", transform=ax_enc.transAxes, ha="center", va="center",
                        fontsize=8, color="0.4")
        on, off = ("ON (x rises)", "OFF (x falls)") if meta["encoding"] == "delta" else ("ON (x > 0)", "OFF (x < 0)")
        legend_outside(ax_enc, handles=[Line2D([], [], color=ON_COLOUR, lw=1.5, label=on),
                                        Line2D([], [], color=OFF_COLOUR, lw=1.5, label=off)])

    # (2) recurrent spike raster, unit 0 at the top.
    n_exc = min(int(meta["n_excitatory"]), n_units) if meta["dale"] else n_units
    positions = [time[spikes[:, i] != 0] for i in range(n_units)]
    if meta["dale"]:
        colours = [EXC_COLOUR if i < n_exc else INH_COLOUR for i in range(n_units)]
    else:
        colours = [ONE_COLOUR] * n_units
    # Ticks of one row's height; wide enough to stay visible when rows are thinner than a pixel.
    line_width = 1.0 if n_units <= 50 else (0.8 if n_units <= 200 else 0.6)
    ax_raster.eventplot(positions, lineoffsets=np.arange(n_units), linelengths=0.8 if n_units <= 50 else 1.0,
                        linewidths=line_width, colors=colours)
    ax_raster.set_ylim(-0.6, n_units - 0.4)
    ax_raster.invert_yaxis()
    if n_units <= 20:
        ax_raster.set_yticks(np.arange(n_units))
        ax_raster.tick_params(axis="y", labelsize=7)
    ax_raster.set_ylabel("unit")
    ax_raster.set_title(meta["title_raster"], fontsize=9, loc="left")
    if meta["dale"]:
        if 0 < n_exc < n_units:
            ax_raster.axhline(n_exc - 0.5, color="0.6", lw=0.6, ls=":")
        handles = []  # only the populations drawn (--units may show excitatory units only)
        if n_exc > 0:
            handles.append(Line2D([], [], color=EXC_COLOUR, lw=1.5, label="excitatory"))
        if n_exc < n_units:
            handles.append(Line2D([], [], color=INH_COLOUR, lw=1.5, label="inhibitory"))
        legend_outside(ax_raster, handles=handles)
    if not spikes.any():
        ax_raster.text(0.5, 0.5, "no spikes in this trial", transform=ax_raster.transAxes, ha="center",
                       va="center", fontsize=10, color="0.4")

    # (3) readout against target, unscored steps shaded.
    unscored = mask.max(axis=1) == 0 if mask.shape[1] > 0 else np.zeros(n_steps, dtype=bool)
    for first, last in runs(unscored):
        ax_out.axvspan(time[first] - dt / 2, time[last] + dt / 2, color=UNSCORED_COLOUR, lw=0, zorder=0)
    handles = []
    n_out = outputs.shape[1]
    for c in range(n_out):
        colour = f"C{c % 10}"
        suffix = f" {c + 1}" if n_out > 1 else ""
        handles += ax_out.plot(time, outputs[:, c], color=colour, lw=1.2, label=f"output{suffix}")
        handles += ax_out.plot(time, targets[:, c], color=colour, lw=1.2, ls="--", label=f"target{suffix}")
    if unscored.any():
        handles.append(Patch(color=UNSCORED_COLOUR, label="not scored"))
    if n_out <= MAX_LEGEND_ENTRIES:
        legend_outside(ax_out, handles=handles)
    ax_out.set_ylabel("output")
    ax_out.set_title(meta["title_outputs"] + ("; grey: steps not scored" if unscored.any() else ""),
                     fontsize=9, loc="left")
    ax_out.grid(alpha=0.3)
    ax_out.set_xlabel("time (ms)")
    ax_out.set_xlim(0, t_end)

    folder = os.path.dirname(out) or "."
    temp = os.path.join(folder, f".{os.path.basename(out)}.tmp-{os.getpid()}")
    try:
        fig.savefig(temp, format="png", dpi=DPI)
        plt.close(fig)
        os.replace(temp, out)
    except BaseException:
        try:
            os.remove(temp)
        except OSError:
            pass
        raise


def main(argv):
    if len(argv) != 3:
        print("usage: raster.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    try:
        import numpy  # noqa: F401
        import matplotlib
        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot  # noqa: F401
    except ImportError as error:
        print(f"raster.py: {error} (python {sys.executable}; install python3-matplotlib)", file=sys.stderr)
        return 3
    draw(argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
