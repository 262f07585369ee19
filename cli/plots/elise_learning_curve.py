"""Learning curve of an ELiSe network (neurofab eval <dir> --plot): corr_sum
and MSE of the training's free-run cycles (teacher off).

Usage: elise_learning_curve.py <data_dir> <out.png>; data_dir holds curve.npy
(rows: cycle, corr_sum, mse, best shift in ms) and meta.json.
Exit codes: 0 done, 1 error, 2 usage, 3 numpy or matplotlib missing.
"""
import json
import os
import sys

from nf_plot import np, plt, save_png, tight_layout_below_title  # exits 3 without numpy or matplotlib


def main():
    if len(sys.argv) != 3:
        print("usage: elise_learning_curve.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    data_dir, out = sys.argv[1], sys.argv[2]
    curve = np.load(os.path.join(data_dir, "curve.npy"))
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), dpi=120, sharex=True)
    if curve.size:
        top.plot(curve[:, 0], curve[:, 1], ".-", color="C0")
        bottom.semilogy(curve[:, 0], np.maximum(curve[:, 2], 1e-12), ".-", color="C1")
    else:
        top.text(0.5, 0.5, "no free-run cycles in this training", transform=top.transAxes, ha="center")
    top.axhline(meta["corr_max"], color="0.4", linestyle="--", label=f"perfect ({meta['corr_max']:g})")
    top.set_ylabel("summed Pearson r (best shift)")
    top.legend(loc="lower right", fontsize=8)
    top.grid(alpha=0.3)
    bottom.set_ylabel("MSE (no shift)")
    bottom.set_xlabel("training cycle (free runs: teacher off)")
    bottom.grid(alpha=0.3, which="both")
    fig.suptitle(meta["suptitle"], fontsize=10)
    tight_layout_below_title(fig)
    save_png(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
