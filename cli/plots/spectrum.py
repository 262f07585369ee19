"""Eigenvalues in the complex plane, init vs trained, for `neurofab analyze spectrum`.

Run by cli/analyze_spectrum.cpp with Debian's python3 and python3-matplotlib:

    /usr/bin/python3 -E spectrum.py <data_dir> <out.png>

<data_dir>/spectrum.json is the command's spectrum.json (analysis/spectrum.hpp):
per network, per stage ("init", "trained") and matrix ("W_rec", and "J0" for
rate or "W_eff" for LIF networks) its eigenvalues [re, im], bulk centre and
radius, margin and outliers.

One row per network (the first MAX_ROWS when there are more), two panels:
W_rec, and J0 or W_eff. Each panel: the unit circle, the trained bulk circle
(dashed, radius (1 + margin) r around c), init eigenvalues as grey rings,
trained ones as dots, outliers ringed in red.

The PNG is written under a temporary name beside <out.png> and renamed into
place. Exit status: 0 done, 2 bad usage, 3 matplotlib or numpy cannot be
imported, 1 any other failure.
"""

import json
import os
import sys

from nf_plot import np, plt, save_png, tight_layout_below_title  # exits 3 without numpy or matplotlib

DPI = 120
MAX_ROWS = 12
PANEL_IN = 4.2
INIT_COLOUR = "0.6"
TRAINED_COLOUR = "tab:blue"
OUTLIER_COLOUR = "tab:red"
TITLES = {
    "W_rec": "W_rec",
    "J0": "J0 = (1-α)I + αW_rec",
    "W_eff": "W_eff = diag(1/(1-α_s)) W_rec",
}


def complex_array(pairs):
    values = np.asarray(pairs, dtype=float).reshape(-1, 2)
    return values[:, 0] + 1j * values[:, 1]


def draw_panel(ax, init, trained, matrix, network):
    theta = np.linspace(0.0, 2.0 * np.pi, 361)
    ax.plot(np.cos(theta), np.sin(theta), color="black", linewidth=0.8, label="unit circle")
    centre = complex(*trained["bulk_centre"])
    bulk = (1.0 + trained["margin"]) * trained["bulk_radius"]
    ax.plot(centre.real + bulk * np.cos(theta), centre.imag + bulk * np.sin(theta), color=TRAINED_COLOUR,
            linestyle="--", linewidth=0.8, label="outlier edge (1+m)r, trained")
    lam0 = complex_array(init["eigenvalues"])
    lam1 = complex_array(trained["eigenvalues"])
    ax.scatter(lam0.real, lam0.imag, s=14, facecolors="none", edgecolors=INIT_COLOUR, linewidths=0.8,
               label=f"init (ρ = {init['spectral_radius']:.3f})")
    ax.scatter(lam1.real, lam1.imag, s=10, color=TRAINED_COLOUR,
               label=f"trained (ρ = {trained['spectral_radius']:.3f})")
    outliers = [complex(*o["lambda"]) for o in trained["outliers"]]
    # Both members of a pair are outliers; the list holds the upper one.
    points = outliers + [z.conjugate() for z in outliers if abs(z.imag) > 0]
    if points:
        ax.scatter([z.real for z in points], [z.imag for z in points], s=60, facecolors="none",
                   edgecolors=OUTLIER_COLOUR, linewidths=1.2, label=f"outliers ({len(points)})")
        for o in trained["outliers"]:
            if o["kind"] == "pair" and o["period_steps"] is not None:
                ax.annotate(f"{o['frequency_hz']:.3g} Hz", (o["lambda"][0], o["lambda"][1]),
                            textcoords="offset points", xytext=(4, 4), fontsize=7, color=OUTLIER_COLOUR)
    ax.axhline(0.0, color="0.85", linewidth=0.5, zorder=0)
    ax.axvline(0.0, color="0.85", linewidth=0.5, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Re λ")
    ax.set_ylabel("Im λ")
    name = os.path.basename(os.path.normpath(network["run"])) or network["run"]
    ax.set_title(f"{name}: {TITLES.get(matrix, matrix)}", fontsize=9)
    ax.legend(fontsize=6, loc="upper left", frameon=False)


def main():
    if len(sys.argv) != 3:
        print("usage: spectrum.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    data_dir, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(data_dir, "spectrum.json")) as f:
        summary = json.load(f)
    networks = summary["networks"]
    if not networks:
        print("spectrum.py: no networks", file=sys.stderr)
        return 1
    shown = networks[:MAX_ROWS]
    fig, axes = plt.subplots(len(shown), 2, figsize=(2 * PANEL_IN, PANEL_IN * len(shown)), dpi=DPI, squeeze=False)
    for row, network in enumerate(shown):
        spectra = network["spectra"]
        # W_rec first, then the family's map (JSON objects come back in key order).
        matrices = ["W_rec"] + sorted(m for m in spectra["trained"] if m != "W_rec")
        for col, matrix in enumerate(matrices[:2]):
            draw_panel(axes[row][col], spectra["init"][matrix], spectra["trained"][matrix], matrix, network)
    title = "eigenvalues: init vs trained"
    if len(networks) > len(shown):
        title += f" (first {len(shown)} of {len(networks)} networks; all are in spectrum.csv)"
    fig.suptitle(title, fontsize=10)
    tight_layout_below_title(fig)
    save_png(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
