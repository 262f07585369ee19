"""Success rate and output distance against a degradation axis, from the summary
of `neurofab analyze degradation` (one line per mode, mean ± sd band).

Usage: degradation.py <data_dir> <out.png>; data_dir holds summary.csv
(model,mode,point,n,networks,success_mean,success_sd,distance_mean,distance_sd,mse_mean)
and meta.json (axis, xlabel, xscale, title). Rows with an empty point are
references (e.g. the float model on the bits axis), drawn as horizontal lines.
Exit codes: 0 done, 1 error, 2 usage, 3 numpy or matplotlib missing.
"""
import csv
import json
import math
import os
import sys

from nf_plot import np, plt, save_png  # exits 3 without numpy or matplotlib


def number(text):
    return float(text) if text != "" else math.nan


def main():
    if len(sys.argv) != 3:
        print("usage: degradation.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    data_dir, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    with open(os.path.join(data_dir, "summary.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    # One line per (model family, mode); the family is named only when both are present.
    lines = []
    for row in rows:
        if (row["model"], row["mode"]) not in lines:
            lines.append((row["model"], row["mode"]))
    mixed = len({model for model, _ in lines}) > 1

    fig, (ax_success, ax_distance) = plt.subplots(2, 1, figsize=(7.5, 7), dpi=150, sharex=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    points_seen = []
    for index, (model, mode) in enumerate(lines):
        color = colors[index % len(colors)]
        label = f"{mode}, {model}" if mixed else mode
        selected = [r for r in rows if r["mode"] == mode and r["model"] == model]
        for ax, key, scale in ((ax_success, "success", 100.0), (ax_distance, "distance", 1.0)):
            mean = np.array([number(r[f"{key}_mean"]) for r in selected]) * scale
            sd = np.nan_to_num(np.array([number(r[f"{key}_sd"]) for r in selected]) * scale)
            points = np.array([number(r["point"]) for r in selected])
            if np.all(np.isnan(points)):  # a reference: no axis value
                ax.axhline(mean[0], color=color, linestyle="--", label=f"{label} (reference)")
                if sd[0] > 0:
                    ax.axhspan(mean[0] - sd[0], mean[0] + sd[0], color=color, alpha=0.15)
                continue
            order = np.argsort(points)
            points, mean, sd = points[order], mean[order], sd[order]
            points_seen.extend(points.tolist())
            low, high = mean - sd, mean + sd
            if key == "success":  # a rate stays in [0, 100] %
                low, high = np.clip(low, 0, 100), np.clip(high, 0, 100)
            # mem-gap's as_trained points sit under the curves of the other gaps: hollow squares keep them visible.
            style = dict(marker="s", markersize=9, markerfacecolor="none") if mode == "as_trained" else dict(marker="o", markersize=4)
            ax.plot(points, mean, "-", color=color, label=label, **style)
            ax.fill_between(points, low, high, color=color, alpha=0.2, linewidth=0)

    if meta.get("xscale") == "symlog":
        positive = [p for p in points_seen if p > 0]
        ax_distance.set_xscale("symlog", linthresh=min(positive) if positive else 1.0)
    if meta.get("axis") in ("bits", "size", "mem-gap") and points_seen:
        ax_distance.set_xticks(sorted(set(points_seen)))
    ax_success.set_ylabel("success rate (%)")
    ax_success.set_ylim(-2, 102)
    ax_distance.set_ylabel("output distance (mean over trials)")
    ax_distance.set_xlabel(meta.get("xlabel", "axis"))
    for ax in (ax_success, ax_distance):
        ax.grid(alpha=0.3)
    ax_success.legend(loc="best", fontsize="small")
    ax_success.set_title(meta.get("title", "degradation"), fontsize="medium")
    fig.tight_layout()
    save_png(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
