"""Fixed and slow points for `neurofab analyze fixed-points`.

Run by cli/analyze_fixed_points.cpp with Debian's python3 and python3-matplotlib:

    /usr/bin/python3 -E fixed_points.py <data_dir> <out.png>

<data_dir> holds
    fixed_points.json   the command's fixed_points.json (analysis/fixed_points.hpp):
                        per network its points with kind, stability, readout,
                        projection on the principal axes and Jacobian eigenvalues
    trajectories.json   per network a few evaluation trials projected on the same
                        axes: trajectories[k] = [pc1 values, pc2 values, (pc3 values)]

One row per network (the first MAX_ROWS), two panels: the trajectories and the
points on PC1/PC2 (marker by stability, slow points hollow, readout written
beside stable fixed points), and the eigenvalues of the Jacobian at every point
with the unit circle.

The PNG is written under a temporary name beside <out.png> and renamed into
place. Exit status: 0 done, 2 bad usage, 3 matplotlib or numpy cannot be
imported, 1 any other failure.
"""

import json
import os
import sys

from nf_plot import np, plt, save_png, tight_layout_below_title  # exits 3 without numpy or matplotlib

DPI = 120
MAX_ROWS = 8
PANEL_IN = 4.6
MAX_LABELS = 12
STYLE = {  # stability -> (marker, colour)
    "stable": ("o", "tab:green"),
    "marginal": ("D", "tab:olive"),
    "saddle": ("X", "tab:orange"),
    "unstable": ("^", "tab:red"),
}


def coords(projection):
    """(pc1, pc2) of a projection with 1 to 3 entries."""
    return projection[0], (projection[1] if len(projection) > 1 else 0.0)


def draw_state_panel(ax, network, trajectories, evr):
    for k, t in enumerate(trajectories):
        pc1 = np.asarray(t[0])
        pc2 = np.asarray(t[1]) if len(t) > 1 else np.zeros_like(pc1)
        ax.plot(pc1, pc2, color="0.65", linewidth=0.6, alpha=0.8, label="evaluation trials" if k == 0 else None)
    seen = set()
    labels = 0
    for p in network["points"]:
        marker, colour = STYLE.get(p["stability"], ("s", "black"))
        x, y = coords(p["projection"])
        kind = p["kind"]
        key = (p["stability"], kind)
        label = f"{kind} point, {p['stability']}" if key not in seen else None
        seen.add(key)
        filled = kind == "fixed"
        ax.scatter([x], [y], marker=marker, s=70, zorder=3, linewidths=1.2, label=label,
                   facecolors=colour if filled else "none", edgecolors="black" if filled else colour)
        if kind == "fixed" and p["stability"] == "stable" and labels < MAX_LABELS:
            readout = ", ".join(f"{v:.2f}" for v in p["readout"])
            ax.annotate(f"y = {readout}", (x, y), textcoords="offset points", xytext=(6, 6), fontsize=7)
            labels += 1
    ax.set_xlabel(f"PC1 ({100 * evr[0]:.0f} % var)" if evr else "PC1")
    ax.set_ylabel(f"PC2 ({100 * evr[1]:.0f} % var)" if len(evr) > 1 else "PC2")
    x_text = ", ".join(f"{v:g}" for v in network["input"])
    name = os.path.basename(os.path.normpath(network["run"])) or network["run"]
    ax.set_title(f"{name}: states and points, x* = ({x_text})", fontsize=9)
    ax.legend(fontsize=6, loc="best", frameon=False)


def draw_eigen_panel(ax, network):
    theta = np.linspace(0.0, 2.0 * np.pi, 361)
    ax.plot(np.cos(theta), np.sin(theta), color="black", linewidth=0.8)
    seen = set()
    for p in network["points"]:
        marker, colour = STYLE.get(p["stability"], ("s", "black"))
        lam = np.asarray(p["eigenvalues"], dtype=float).reshape(-1, 2)
        label = p["stability"] if p["stability"] not in seen else None
        seen.add(p["stability"])
        ax.scatter(lam[:, 0], lam[:, 1], marker=marker, s=12, color=colour, alpha=0.7, label=label)
    ax.axhline(0.0, color="0.85", linewidth=0.5, zorder=0)
    ax.axvline(0.0, color="0.85", linewidth=0.5, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Re λ")
    ax.set_ylabel("Im λ")
    ax.set_title("eigenvalues of J = (1-α)I + α diag(φ'(a)) W_rec at each point", fontsize=9)
    if seen:
        ax.legend(fontsize=6, loc="upper left", frameon=False)


def main():
    if len(sys.argv) != 3:
        print("usage: fixed_points.py <data_dir> <out.png>", file=sys.stderr)
        return 2
    data_dir, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(data_dir, "fixed_points.json")) as f:
        summary = json.load(f)
    with open(os.path.join(data_dir, "trajectories.json")) as f:
        trajectories = json.load(f)
    networks = summary["networks"]
    if not networks:
        print("fixed_points.py: no networks", file=sys.stderr)
        return 1
    shown = networks[:MAX_ROWS]
    fig, axes = plt.subplots(len(shown), 2, figsize=(2 * PANEL_IN, PANEL_IN * len(shown)), dpi=DPI, squeeze=False)
    for row, network in enumerate(shown):
        draw_state_panel(axes[row][0], network, trajectories["networks"][row]["trajectories"],
                         network["explained_variance_ratio"])
        draw_eigen_panel(axes[row][1], network)
    title = "fixed points (filled) and slow points (hollow)"
    if len(networks) > len(shown):
        title += f" — first {len(shown)} of {len(networks)} networks (all in fixed_points.csv)"
    fig.suptitle(title, fontsize=10)
    tight_layout_below_title(fig)
    save_png(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
