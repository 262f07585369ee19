"""NIR graphs in and out (docs/interop.md): `to_nir` and `from_nir` exchange
nir.NIRGraph objects with the real `nir` package (imported only when used),
through a temporary .nir file that neurofab's C++ reader and writer handle
exactly as `neurofab export-nir` and `import-nir` do."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, Optional, Union

from . import _core
from .errors import InputError
from .network import Network, QuantizedNetwork, _TrialFile, _path, load

__all__ = ["to_nir", "from_nir"]


def _nir():
    try:
        import nir  # noqa: WPS433 (optional dependency)
    except ImportError as error:
        raise ImportError(f"neurofab's NIR exchange needs the nir package (pip install nir==1.0.8): {error}") from None
    return nir


def to_nir(network: Union[Network, QuantizedNetwork], dt: Optional[float] = None):
    """A LIF network as a nir.NIRGraph: the float network (float profile) or
    a quantized one (integer profile: every code in the nodes' metadata).
    `dt` is the step in seconds the time constants are written for (default
    the network's dt_ms / 1000; snnTorch's importer assumes 1e-4). A rate
    network raises InputError: NIR has no leaky tanh unit."""
    if not isinstance(network, (Network, QuantizedNetwork)):
        raise InputError(f"to_nir: expected a Network or QuantizedNetwork, got {type(network).__name__}")
    nir = _nir()
    with tempfile.TemporaryDirectory(prefix="neurofab-nir-") as folder:
        file = os.path.join(folder, "network.nir")
        _core.export_nir(network._tool_folder(), file, dt)
        return nir.read(file)


def from_nir(graph: Any, task: Optional[str] = None, dt: Optional[float] = None, reset: Optional[str] = None,
             data: Any = None, discretisation: str = "euler", task_params: Optional[Dict[str, float]] = None,
             out: Optional[str] = None, force: bool = False) -> Union[Network, QuantizedNetwork]:
    """A nir.NIRGraph (or a .nir file's path) of one recurrent LIF layer as a
    neurofab network: a Network, or for neurofab's integer profile the
    QuantizedNetwork rebuilt from the graph alone. For a graph without
    neurofab's metadata (snnTorch, Norse, ...): dt in seconds (snnTorch:
    1e-4), the task (or data: an .npz path or a dict of inputs, targets,
    mask, success_mse), reset ("zero", NIR's, or "subtract") and
    discretisation ("euler" or "exp"). What cannot run exactly is refused
    with InputError naming the node. out: also keep the folder there."""
    if force and out is None:
        raise InputError("force: applies with out only")
    trial_file = None
    data_path = ""
    if isinstance(data, dict):
        trial_file = _TrialFile(data.get("inputs"), data.get("targets"), data.get("mask"), data.get("success_mse"))
        data_path = trial_file.path
    elif data is not None:
        data_path = _path(data, "data")
    with tempfile.TemporaryDirectory(prefix="neurofab-nir-") as folder:
        if isinstance(graph, (str, os.PathLike)):
            file = _path(graph, "graph")
        else:
            nir = _nir()
            if not isinstance(graph, nir.NIRGraph):
                raise InputError(f"from_nir: expected a nir.NIRGraph or a .nir file, got {type(graph).__name__}")
            file = os.path.join(folder, "network.nir")
            nir.write(file, graph)
        temporary = tempfile.TemporaryDirectory(prefix="neurofab-") if out is None else None
        target = os.path.join(temporary.name, "network") if out is None else _path(out, "out")
        if out is not None and os.path.exists(target) and not force:
            raise InputError(f"{target}: already exists (use force=True to replace it)")
        try:
            _core.import_nir(file, target, dt, reset or "", discretisation, task or "", dict(task_params or {}),
                             data_path)
            network = load(target)
        finally:
            if trial_file is not None:
                trial_file.close()
        network._temporary = temporary  # the folder lives as long as the network
        return network
