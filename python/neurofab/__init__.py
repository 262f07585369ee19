"""neurofab: recurrent rate and spiking (LIF) networks from training to FPGA,
in Python. The same C++ libraries as the `neurofab` command (not a second
implementation); the chain as objects:

    import neurofab as nf
    net = nf.train(task="flipflop", model="lif", n=50)     # or nf.load("runs/net")
    net.evaluate()                                          # success, MSE, OOD, spikes/SynOps
    traces = net.run(x)                                     # x: [T, B, n_in] -> dict of [T, B, C]
    q = nf.quantize(net, bits=8)                            # the integer golden model
    q.run(x)                                                # its golden-trace signals as codes
    nf.verify(q, lanes=4)                                   # RTL in lock step (Verilator)
    nf.build(q, board="icebreaker", out="ib")               # bitstream + report
    nf.compare([net], out="cmp")                            # every level side by side
    graph = nf.to_nir(net); nf.from_nir(graph, ...)         # NIR graphs (nir package)

Long calls release the GIL and show a tqdm bar in notebooks and terminals
(progress=False: none; a callable(done, total, info): yours). Errors are
neurofab.NeurofabError subclasses with the command's one-line messages.
"""

import os as _os


def _find_resources():
    """share/neurofab: in the wheel beside this package, in the build tree
    (build/python/neurofab -> build/share/neurofab) going up from it. The C++
    core reads NEUROFAB_RESOURCE_DIR (a value already set is kept)."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    folder = here
    while True:
        candidate = _os.path.join(folder, "share", "neurofab")
        if _os.path.isdir(candidate):
            return candidate
        parent = _os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


if not _os.environ.get("NEUROFAB_RESOURCE_DIR"):
    _resources = _find_resources()
    if _resources is not None:
        _os.environ["NEUROFAB_RESOURCE_DIR"] = _resources

from .errors import (  # noqa: E402
    InputError,
    IoError,
    NeurofabError,
    TargetMissedError,
    ToolError,
    VerificationError,
)
from . import _core  # noqa: E402
from .network import (  # noqa: E402
    Evaluation,
    Trajectories,
    Network,
    QuantizedNetwork,
    load,
    quantize,
    task_info,
    task_names,
    task_trials,
    train,
)
from .hardware import (  # noqa: E402
    BuildResult,
    CompareResult,
    HlsResult,
    VerifyResult,
    boards,
    build,
    compare,
    hls,
    verify,
)
from .nir_exchange import from_nir, to_nir  # noqa: E402
from .plots import plot_compare, plot_history, plot_raster  # noqa: E402

__version__ = _core.version.split()[-1]

__all__ = [
    "NeurofabError", "InputError", "IoError", "VerificationError", "TargetMissedError", "ToolError",
    "Network", "QuantizedNetwork", "Evaluation", "load", "train", "quantize", "task_names", "task_info",
    "task_trials", "Trajectories", "VerifyResult", "HlsResult", "BuildResult", "CompareResult", "verify", "hls", "build",
    "compare", "boards", "to_nir", "from_nir", "plot_raster", "plot_history", "plot_compare",
]
