"""The figures of `neurofab compare` (analysis/compare.hpp, docs/compare.md).

Run by cli/compare_command.cpp with Debian's python3 and python3-matplotlib:

    /usr/bin/python3 -E compare.py <data_dir> <out.png>

<data_dir>/compare.json is the command's compare.json; the name of <out.png>
chooses the figure:
  accuracy_energy.png  success rate vs modelled energy per trial, one marker per
                       network and level (rate: circles, LIF: triangles; colour = level)
  latency_vs_n.png     latency per timestep vs N: CPU time of one trial at a time
                       (float, integer) and, for boards, cycles / Fmax; log scale
  energy_vs_bits.png   modelled energy per timestep vs weight width, integer level,
                       one line per network

The PNG is written under a temporary name beside <out.png> and renamed into
place. Exit status: 0 done, 2 bad usage, 3 matplotlib or numpy cannot be
imported, 1 any other failure.
"""

import json
import os
import sys

from nf_plot import np, plt, save_png  # exits 3 without numpy or matplotlib

DPI = 120
MARKERS = {"rate_rnn": "o", "lif_rnn": "^"}
FAMILY = {"rate_rnn": "rate", "lif_rnn": "LIF"}


def level_label(row):
    return row["level"] if row["weight_bits"] == 0 else f"{row['level']} w{row['weight_bits']}"


def network_label(row):
    path = os.path.normpath(row["run"])
    name = os.path.basename(path)
    parent = os.path.dirname(path)
    if os.path.basename(parent) == "runs":  # a sweep's run: <sweep>/runs/<id>
        name = f"{os.path.basename(os.path.dirname(parent))}/{name}"
    return f"{name} ({FAMILY.get(row['model_type'], row['model_type'])})"


def ok_rows(data):
    return [r for r in data["rows"] if r["status"] == "ok"]


def accuracy_energy(data, ax):
    levels = sorted({level_label(r) for r in ok_rows(data)})
    colours = {level: plt.get_cmap("tab10")(i % 10) for i, level in enumerate(levels)}
    drawn = set()
    for r in ok_rows(data):
        if r["energy_nj_per_trial"] is None or r["success_rate"] is None:
            continue
        level = level_label(r)
        key = (level, r["model_type"])
        ax.scatter(r["energy_nj_per_trial"], 100 * r["success_rate"], marker=MARKERS.get(r["model_type"], "s"),
                   color=colours[level], s=36, label=f"{level}, {FAMILY.get(r['model_type'])}" if key not in drawn else None)
        drawn.add(key)
    ax.set_xscale("log")
    ax.set_xlabel("energy per trial, nJ (modelled from counted operations)")
    ax.set_ylabel("success rate, %")
    ax.set_title("Accuracy vs energy per trial")
    ax.grid(True, which="both", alpha=0.3)
    if drawn:
        ax.legend(fontsize=7, loc="best")


def latency_vs_n(data, ax):
    series = {}
    for r in ok_rows(data):
        latency = r["latency_us_per_step"] if r["latency_us_per_step"] is not None else r["cpu_us_per_step"]
        if latency is None:
            continue
        key = (level_label(r), FAMILY.get(r["model_type"], r["model_type"]))
        series.setdefault(key, []).append((r["n_rec"], latency))
    for (level, family), points in sorted(series.items()):
        points.sort()
        n, latency = zip(*points)
        ax.plot(n, latency, marker=MARKERS["lif_rnn" if family == "LIF" else "rate_rnn"], label=f"{level}, {family}")
    ax.set_yscale("log")
    ax.set_xlabel("recurrent units N")
    ax.set_ylabel("latency per timestep, µs")
    ax.set_title("Latency vs N (CPU: one trial at a time, measured; board: cycles / Fmax)")
    ax.grid(True, which="both", alpha=0.3)
    if series:
        ax.legend(fontsize=7, loc="best")


def energy_vs_bits(data, ax):
    series = {}
    for r in ok_rows(data):
        if r["level"] != "integer-cpu" or r["energy_pj_per_step"] is None:
            continue
        series.setdefault(network_label(r), []).append((r["weight_bits"], r["energy_pj_per_step"]))
    widths = set()
    for label, points in sorted(series.items()):
        points.sort()
        bits, energy = zip(*points)
        widths.update(bits)
        ax.plot(bits, energy, marker="o", label=label)
    ax.set_xticks(sorted(widths))
    ax.set_yscale("log")
    ax.set_xlabel("weight width, bits")
    ax.set_ylabel("energy per timestep, pJ (modelled)")
    ax.set_title("Energy vs weight width (integer golden model's counts)")
    ax.grid(True, alpha=0.3)
    if series:
        ax.legend(fontsize=7, loc="best")


FIGURES = {"accuracy_energy": accuracy_energy, "latency_vs_n": latency_vs_n, "energy_vs_bits": energy_vs_bits}


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data_dir, out = argv[1], argv[2]
    figure = os.path.splitext(os.path.basename(out))[0]
    if figure not in FIGURES:
        print(f"compare.py: unknown figure '{figure}' (one of {', '.join(FIGURES)})", file=sys.stderr)
        return 2
    with open(os.path.join(data_dir, "compare.json"), encoding="utf-8") as f:
        data = json.load(f)
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    FIGURES[figure](data, ax)
    table = data["energy_table"]["name"]
    fig.text(0.99, 0.01, f"energy table: {table}", ha="right", va="bottom", fontsize=7, color="0.4")
    fig.tight_layout()
    save_png(fig, out, dpi=DPI)
    plt.close(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
