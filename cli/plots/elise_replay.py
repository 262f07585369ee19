"""Target vs replay of an ELiSe network (neurofab eval <dir> --plot).

Usage: elise_replay.py <data_dir> <out.png>; data_dir holds target.npy,
replay.npy, replay_cycles.npy, replay_metrics.npy and meta.json (see
cli/elise_eval.cpp). Top: the target, repeated once per drawn cycle; middle:
the visible rates of those replay cycles (the clamped stretch outlined);
bottom: corr_sum of every replay cycle.
Exit codes: 0 done, 1 error, 2 usage, 3 numpy or matplotlib missing.
"""
import json
import os
import sys

from nf_plot import np, plt, save_png, tight_layout_below_title  # exits 3 without numpy or matplotlib


def main():
    if len(sys.argv) != 3:
        print("usage: elise_replay.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    data_dir, out = sys.argv[1], sys.argv[2]
    load = lambda name: np.load(os.path.join(data_dir, name))  # noqa: E731
    target, replay, cycles, metrics = load("target.npy"), load("replay.npy"), load("replay_cycles.npy"), load(
        "replay_metrics.npy")
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    n_visible, bins = target.shape
    bin_ms = meta["bin_ms"]
    cycle_ms = meta["cycle_ms"]
    shown = max(1, len(cycles))
    tiled = np.tile(target, (1, shown))
    extent = [0, shown * cycle_ms, n_visible - 0.5, -0.5]
    vmax = max(1.0, float(np.max(tiled)), float(np.max(replay)) if replay.size else 1.0)

    fig, panels = plt.subplot_mosaic([["target", "bar"], ["replay", "bar"], ["corr", "."]], figsize=(11, 8.5), dpi=120,
                                     gridspec_kw={"height_ratios": [1, 1, 0.8], "width_ratios": [1, 0.015]})
    axes = [panels["target"], panels["replay"], panels["corr"]]
    images = []
    for ax, data, title in ((axes[0], tiled, "target"), (axes[1], replay, "replay (teacher off)")):
        if data.size:
            images.append(ax.imshow(data, aspect="auto", interpolation="nearest", cmap="viridis", vmin=0, vmax=vmax,
                                    extent=extent))
        ax.set_yticks(range(n_visible))
        ax.set_yticklabels(meta["labels"], fontsize=7)
        ax.set_ylabel("visible neuron")
        ax.set_title(title, fontsize=10)
        for k in range(1, shown):
            ax.axvline(k * cycle_ms, color="white", linewidth=1.2)
        ax.set_xlim(0, shown * cycle_ms)
    ticks = [(k + 0.5) * cycle_ms for k in range(shown)]
    axes[1].set_xticks(ticks)
    axes[1].set_xticklabels([f"replay cycle {int(c)}" for c in cycles])
    axes[0].set_xticks(ticks)
    axes[0].set_xticklabels([f"{cycle_ms:g} ms" for _ in range(shown)])
    clamp = meta.get("clamp")
    if clamp is not None and int(clamp["cycle"]) in [int(c) for c in cycles]:
        k = [int(c) for c in cycles].index(int(clamp["cycle"]))
        x0 = k * cycle_ms + clamp["from_ms"]
        axes[1].add_patch(plt.Rectangle((x0, -0.5), clamp["to_ms"] - clamp["from_ms"], n_visible, fill=False,
                                        edgecolor="red", linewidth=1.5))
        axes[1].set_title(f"replay (teacher off); red: visible somata clamped to {clamp['mv']:g} mV", fontsize=10)
    if images:
        fig.colorbar(images[0], cax=panels["bar"], label=f"rate (mean over {bin_ms:g} ms)")

    ax = axes[2]
    if metrics.size:
        ax.plot(metrics[:, 0], metrics[:, 1], ".-", color="C0", label="corr_sum (best shift)")
    ax.axhline(meta["corr_max"], color="0.4", linestyle="--", label=f"perfect ({meta['corr_max']:g})")
    if clamp is not None:
        ax.axvspan(clamp["cycle"] - 0.5, clamp["cycle"] + 0.5, color="red", alpha=0.15, label="clamped cycle")
    ax.set_xlabel("replay cycle")
    ax.set_ylabel("summed Pearson r")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(meta["suptitle"], fontsize=10)
    tight_layout_below_title(fig)
    save_png(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
