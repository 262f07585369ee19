"""Learning curves of the ELiSe studies (docs/studies/elise.sh): corr_sum of
the free-run cycles of every run of a sweep, one panel per sweep, one line per
run, read from each run's model.json (training.learning_curve).

Usage: /usr/bin/python3 docs/studies/elise_curves.py <sweep folder> <out.png> <title>
"""
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    sweep, out, title = sys.argv[1], sys.argv[2], sys.argv[3]
    natural = lambda name: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]  # noqa: E731
    runs = sorted(os.listdir(os.path.join(sweep, "runs")), key=natural)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    corr_max = None
    for k, run in enumerate(runs):
        with open(os.path.join(sweep, "runs", run, "model.json")) as f:
            model = json.load(f)
        curve = model["training"]["learning_curve"]
        if not curve:
            continue
        corr_max = curve[-1]["corr_max"]
        style = "-" if run.endswith("seed=1") or "seed" not in run else "--"
        ax.plot([p["cycle"] for p in curve], [p["corr_sum"] for p in curve], style, color=f"C{k // 2 if 'seed' in run else k}",
                label=run, linewidth=1.2)
    if corr_max is not None:
        ax.axhline(corr_max, color="0.4", linestyle=":", label=f"perfect ({corr_max:g})")
    ax.set_xlabel("training cycle (free runs, every 20th)")
    ax.set_ylabel("summed Pearson r (best shift, ±25 ms)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    fig.tight_layout()
    fig.savefig(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
