"""Success rate against weight bit width, from sweep.csv (neurofab quantize --sweep).

Usage: sweep.py <data_dir> <out.png>; data_dir holds sweep.csv and meta.json.
Exit codes: 0 done, 1 error, 2 usage, 3 numpy or matplotlib missing.
"""
import json
import os
import sys

from nf_plot import np, plt, save_png  # exits 3 without numpy or matplotlib


def main():
    if len(sys.argv) != 3:
        print("usage: sweep.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    data_dir, out = sys.argv[1], sys.argv[2]
    table = np.genfromtxt(os.path.join(data_dir, "sweep.csv"), delimiter=",", names=True)
    table = np.atleast_1d(table)
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    bits = table["weight_bits"]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=150)
    ax.axhline(100 * table["float_success"][0], color="0.4", linestyle="--", label="float model")
    ax.plot(bits, 100 * table["quantized_weights_success"], "s-", label="float, quantized weights")
    ax.plot(bits, 100 * table["integer_success"], "o-", label=f"integer model ({int(table['state_bits'][0])}-bit state)")
    tuned = table["fine_tuned_success"]
    if not np.all(np.isnan(tuned)):
        ax.plot(bits, 100 * tuned, "^-", label="integer model, fine-tuned (STE)")
    ax.set_xlabel("weight bits")
    ax.set_ylabel("success rate (%)")
    ax.set_xticks(bits)
    ax.set_ylim(-2, 102)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(meta.get("title", "success rate vs bit width"))
    fig.tight_layout()
    save_png(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
