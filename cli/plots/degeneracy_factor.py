"""Solution degeneracy against a factor: sigma_OOD, the DSA distance with its
null, and the permutation-invariant weight distance d_PIF, each against the
factor (task complexity, width, initialisation, ...).

Run by `neurofab analyze degeneracy --factor <name>`
(cli/analyze_degeneracy.cpp) with Debian's python3 and python3-matplotlib:

    /usr/bin/python3 -E degeneracy_factor.py <data_dir> <out.png>

<data_dir> holds factor.csv (analysis/include/neurofab/analysis/degeneracy_factor.hpp:
first column the factor's values, its header the factor's name; a `folder`
column names each group's subfolder) and <folder>/degeneracy.json for each
group, whose pairwise distances are drawn as points behind the means. A
factor whose every value is a number gets a numeric axis; any other is drawn
as categories in the order of the table. The PNG is written under a temporary
name beside <out.png> and renamed into place. Exit status: 0 done, 2 bad
usage, 3 matplotlib or numpy cannot be imported, 1 any other failure.
"""

import csv
import json
import os
import sys

from nf_plot import np, plt, save_png  # exits 3 without numpy or matplotlib

DPI = 150


def as_number(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def upper(matrix):
    m = np.array(matrix, dtype=float)
    return m[np.triu_indices(m.shape[0], k=1)] if m.size else np.array([])


def read(data_dir):
    with open(os.path.join(data_dir, "factor.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    factor = header[0]
    column = {name: i for i, name in enumerate(header)}
    groups = []
    for row in body:
        with open(os.path.join(data_dir, row[column["folder"]], "degeneracy.json"), encoding="utf-8") as f:
            detail = json.load(f)
        groups.append({
            "value": row[0],
            "networks": int(row[column["networks"]]),
            **{name: float(row[column[name]]) for name in header[3:]},
            "pair_dsa": upper(detail["dsa"]["distance"]),
            "pair_pif": upper(detail["pif"]["distance"]),
            "null": np.array(detail["dsa"]["null"], dtype=float),
            "task": detail["task"],
            "widths": sorted({net["n_rec"] for net in detail["networks"]}),
        })
    return factor, groups


def draw(data_dir, out):
    factor, groups = read(data_dir)
    numbers = [as_number(g["value"]) for g in groups]
    numeric = bool(groups) and all(v is not None for v in numbers)
    if numeric:
        x = np.array(numbers, dtype=float)
        spacing = float(np.min(np.diff(np.sort(x)))) if len(x) > 1 else 1.0
        spacing = spacing if spacing > 0 else 1.0
    else:
        x = np.arange(len(groups), dtype=float)
        spacing = 1.0
    rng = np.random.default_rng(0)  # fixed jitter: the same figure every time

    def trend(ax, values, marker, linestyle, **style):
        # Categories get markers only: a line between them would suggest an order.
        ax.plot(x, values, marker=marker, linestyle=linestyle if numeric else "none", **style)

    def jitter(n):
        return (rng.random(n) - 0.5) * 0.25 * spacing

    def setup(ax, ylabel, title):
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlabel(factor)
        ax.grid(alpha=0.3)
        if numeric:
            if len(x) <= 12:
                ax.set_xticks(x)
                ax.set_xticklabels([g["value"] for g in groups])
        else:
            ax.set_xticks(x)
            ax.set_xticklabels([g["value"] for g in groups], rotation=30 if len(groups) > 4 else 0,
                               ha="right" if len(groups) > 4 else "center", fontsize=8)
            ax.set_xlim(-0.5, len(groups) - 0.5)

    fig, axes = plt.subplots(1, 3, figsize=(15.0, 4.8))

    ax = axes[0]
    trend(ax, [g["sigma_ood"] for g in groups], "o", "-", color="tab:blue", label="sigma_OOD (sample sd)")
    for xi, g in zip(x, groups):
        ax.annotate(f"K={g['networks']}", (xi, g["sigma_ood"]), textcoords="offset points", xytext=(4, 4),
                    fontsize=7, color="0.35")
    ax.set_ylim(bottom=0.0)
    ax.legend(fontsize=7, loc="best")
    setup(ax, "sd of OOD MSE across networks", "behaviour: sigma_OOD")

    ax = axes[1]
    for i, (xi, g) in enumerate(zip(x, groups)):
        ax.plot(xi + jitter(len(g["pair_dsa"])), g["pair_dsa"], ".", color="tab:green", alpha=0.25, ms=3,
                label="pairs" if i == 0 else None)
        ax.plot(xi + jitter(len(g["null"])), g["null"], ".", color="tab:orange", alpha=0.35, ms=3,
                label="null per network" if i == 0 else None)
    trend(ax, [g["dsa_mean"] for g in groups], "o", "-", color="tab:green", label="mean")
    trend(ax, [g["dsa_median"] for g in groups], "s", "--", color="darkgreen", ms=4, label="median")
    trend(ax, [g["null_dsa_mean"] for g in groups], "o", ":", color="tab:orange", label="null mean (resampled trials)")
    ax.set_ylim(bottom=0.0)
    ax.legend(fontsize=7, loc="best")
    setup(ax, "min_C ||A_x - C A_y C^T||_F", "dynamics: DSA distance")

    ax = axes[2]
    for i, (xi, g) in enumerate(zip(x, groups)):
        ax.plot(xi + jitter(len(g["pair_pif"])), g["pair_pif"], ".", color="tab:purple", alpha=0.25, ms=3,
                label="pairs" if i == 0 else None)
    trend(ax, [g["pif_mean"] for g in groups], "o", "-", color="tab:purple", label="mean")
    trend(ax, [g["pif_median"] for g in groups], "s", "--", color="indigo", ms=4, label="median")
    ax.set_ylim(bottom=0.0)
    handles, labels = ax.get_legend_handles_labels()
    widths = sorted({n for g in groups for n in g["widths"]})
    if len(widths) > 1:
        # Widths differ: raw distances grow with n, the per-parameter distance compares them.
        twin = ax.twinx()
        trend(twin, [g["pif_normalised_mean"] for g in groups], "^", ":", color="0.45", ms=4,
                  label="mean d_PIF / n^2 (right)")
        twin.set_ylabel("d_PIF / n^2", color="0.45")
        twin.tick_params(axis="y", colors="0.45")
        twin.set_ylim(bottom=0.0)
        twin_handles, twin_labels = twin.get_legend_handles_labels()
        handles, labels = handles + twin_handles, labels + twin_labels
    ax.legend(handles, labels, fontsize=7, loc="lower right")
    width_text = f"N = {widths[0]}" if len(widths) == 1 else f"N = {widths[0]}..{widths[-1]}, zero-padded"
    setup(ax, "min_P ||W1 - P^T W2 P||_F", f"weights: d_PIF (W_rec, {width_text})")

    tasks = sorted({g["task"] for g in groups})
    fig.suptitle(f"solution degeneracy against {factor} ({', '.join(tasks)}; "
                 f"{sum(g['networks'] for g in groups)} networks in {len(groups)} groups)", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=DPI)
    plt.close(fig)


def main(argv):
    if len(argv) != 3:
        print("usage: degeneracy_factor.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    draw(argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
