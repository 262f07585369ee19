"""Solution degeneracy at three levels: heat maps of the pairwise DSA and d_PIF
matrices and the OOD MSE of each network.

Run by `neurofab analyze degeneracy` (cli/analyze_degeneracy.cpp) with Debian's
python3 and python3-matplotlib:

    /usr/bin/python3 -E degeneracy.py <data_dir> <out.png>

<data_dir> holds degeneracy.json as written into the output folder
(analysis/include/neurofab/analysis/degeneracy.hpp). The PNG is written under a
temporary name beside <out.png> and renamed into place, so a failure never
leaves a half-written image. Exit status: 0 done, 2 bad usage, 3 matplotlib or
numpy cannot be imported, 1 any other failure.
"""

import json
import os
import sys

from nf_plot import np, plt, save_png  # exits 3 without numpy or matplotlib

DPI = 150
MAX_TICK_LABELS = 24   # above this the axes show indices only
MAX_CELL_TEXT = 10     # write the values into the cells of matrices this small


def short(label, width=18):
    return label if len(label) <= width else "…" + label[-(width - 1):]


def heat_map(ax, fig, matrix, labels, title, colour_label):
    n = len(labels)
    image = ax.imshow(matrix, cmap="viridis", interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label=colour_label)
    if n <= MAX_TICK_LABELS:
        ax.set_xticks(np.arange(n))
        ax.set_yticks(np.arange(n))
        ax.set_xticklabels([short(l) for l in labels], rotation=60, ha="right", fontsize=7)
        ax.set_yticklabels([short(l) for l in labels], fontsize=7)
    else:
        ax.set_xlabel("network index")
        ax.set_ylabel("network index")
    if n <= MAX_CELL_TEXT:
        top = np.nanmax(matrix) if matrix.size else 0.0
        for i in range(n):
            for j in range(n):
                value = matrix[i, j]
                colour = "black" if top > 0 and value > 0.6 * top else "white"
                ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=6, color=colour)
    ax.set_title(title, fontsize=9, loc="left")


def draw(data_dir, out):
    with open(os.path.join(data_dir, "degeneracy.json"), encoding="utf-8") as f:
        data = json.load(f)
    labels = data["labels"]
    n = len(labels)
    dsa = np.array(data["dsa"]["distance"], dtype=float).reshape(n, n)
    pif = np.array(data["pif"]["distance"], dtype=float).reshape(n, n)
    null = np.array(data["dsa"]["null"], dtype=float)
    ood = np.array([net["ood_mse"] for net in data["networks"]], dtype=float)
    settings = data["settings"]
    dsa_summary = data["dsa"]["summary"]
    pif_summary = data["pif"]["summary"]

    fig, axes = plt.subplots(1, 3, figsize=(16.0, 5.4), gridspec_kw={"width_ratios": [1.0, 1.0, 1.1]})
    heat_map(axes[0], fig, dsa, labels,
             f"DSA distance (rank {settings['rank']}, {settings['delays']} delays)\n"
             f"mean {dsa_summary['mean']:.3g}, median {dsa_summary['median']:.3g}; "
             f"null mean {data['dsa']['null_summary']['mean']:.3g}",
             "min_C ||A_x - C A_y C^T||_F")
    heat_map(axes[1], fig, pif, labels,
             f"permutation-invariant weight distance (W_rec)\n"
             f"mean {pif_summary['mean']:.3g}, median {pif_summary['median']:.3g}",
             "min_P ||W1 - P^T W2 P||_F")

    ax = axes[2]
    x = np.arange(n)
    ax.bar(x, ood, color="tab:blue", label="OOD MSE")
    ax.axhline(float(np.mean(ood)), color="0.3", lw=1.0, ls="--", label="mean")
    ax.set_ylabel("OOD MSE")
    positive = ood[ood > 0]
    if positive.size and positive.max() > 20 * positive.min():
        ax.set_yscale("log")  # MSEs spanning decades: a linear axis hides the small ones
    if n <= MAX_TICK_LABELS:
        ax.set_xticks(x)
        ax.set_xticklabels([short(l) for l in labels], rotation=60, ha="right", fontsize=7)
    else:
        ax.set_xlabel("network index")
    twin = ax.twinx()
    twin.plot(x, null, "o", color="tab:orange", ms=4, label="DSA null (resampled trials)")
    twin.set_ylabel("DSA null distance", color="tab:orange")
    twin.tick_params(axis="y", colors="tab:orange")
    twin.set_ylim(bottom=0.0)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles=handles, fontsize=7, loc="best", framealpha=0.8)
    ax.set_title(f"behaviour: sigma_OOD = {data['behaviour']['sigma_ood']:.3g} (sample sd)",
                 fontsize=9, loc="left")
    ax.grid(alpha=0.3, axis="y")

    fig.suptitle(f"solution degeneracy of {n} networks on '{data['task']}'", fontsize=11)
    fig.tight_layout()

    save_png(fig, out, dpi=DPI)
    plt.close(fig)


def main(argv):
    if len(argv) != 3:
        print("usage: degeneracy.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    draw(argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
