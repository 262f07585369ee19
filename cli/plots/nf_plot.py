"""What every plot script of neurofab shares: matplotlib with the Agg backend,
and a PNG written under a temporary name and renamed into place, so a failure
never leaves a half-written figure.

Importing this module exits with status 3 when numpy or matplotlib is missing
(the C++ side, cli/plot_runner.cpp, turns that into "install
python3-matplotlib"). Scripts import it as `from nf_plot import np, plt, save_png`
— their own folder is on sys.path when Python runs them.
"""

import os
import sys

try:
    import numpy as np
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as error:
    print(f"{os.path.basename(sys.argv[0])}: {error}", file=sys.stderr)
    sys.exit(3)

__all__ = ["np", "plt", "save_png", "tight_layout_below_title"]


def save_png(fig, out, dpi=None):
    """Saves `fig` to `out` through a temporary file beside it."""
    temporary = os.path.join(os.path.dirname(out) or ".", f".{os.path.basename(out)}.tmp-{os.getpid()}")
    try:
        fig.savefig(temporary, format="png", dpi=dpi)
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def tight_layout_below_title(fig, title_inches=0.45):
    """tight_layout that leaves the top `title_inches` to the suptitle (the
    plain call lets a tall figure's first row run into it)."""
    fig.tight_layout(rect=(0, 0, 1, 1 - title_inches / fig.get_figheight()))
