"""Progress of long calls: the C++ core calls back `callback(done, total, info)`
with the GIL held (info: a dict of figures, e.g. loss and success per epoch).

`progress=None` (the default) shows a tqdm bar when Python runs in a
notebook or on a terminal and nothing otherwise; True always shows one,
False never; a callable gets the calls itself."""

import sys

__all__ = ["progress_callback"]


def _in_notebook():
    try:
        from IPython import get_ipython  # noqa: WPS433 (optional)
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def _tqdm_class(notebook):
    if notebook:
        try:
            import ipywidgets  # noqa: F401  (tqdm's notebook bar needs it)
            from tqdm.notebook import tqdm
            return tqdm
        except ImportError:
            pass
    from tqdm import tqdm
    return tqdm


class _Bar:
    """A tqdm bar driven by the core's callbacks; closed by `close()`."""

    def __init__(self, description, unit, notebook):
        self._tqdm = _tqdm_class(notebook)
        self._description = description
        self._unit = unit
        self._bar = None

    def __call__(self, done, total, info):
        if self._bar is None:
            self._bar = self._tqdm(total=total if total > 0 else None, desc=self._description, unit=self._unit,
                                   leave=True, file=sys.stderr)
        if total > 0 and self._bar.total != total:
            self._bar.total = total
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)
        message = info.get("message") if isinstance(info, dict) else None
        figures = {k: (f"{v:.3g}" if isinstance(v, float) else v) for k, v in (info or {}).items() if k != "message"}
        if message:
            self._bar.set_postfix_str(message[:60])
        elif figures:
            self._bar.set_postfix(figures)

    def close(self):
        if self._bar is not None:
            self._bar.close()


class _Quiet:
    def __call__(self, done, total, info):
        pass

    def close(self):
        pass


class _User:
    def __init__(self, callback):
        self._callback = callback

    def __call__(self, done, total, info):
        self._callback(done, total, info)

    def close(self):
        pass


def progress_callback(progress, description, unit="it"):
    """The callback for `progress` (None, True, False or a callable); use it
    as a context manager so that a bar is closed however the call ends."""
    if callable(progress) and not isinstance(progress, bool):
        return _Context(_User(progress))
    if progress is None:
        notebook = _in_notebook()
        progress = notebook or sys.stderr.isatty()
    else:
        notebook = _in_notebook()
    return _Context(_Bar(description, unit, notebook) if progress else _Quiet())


class _Context:
    def __init__(self, callback):
        self.callback = callback

    def __enter__(self):
        return self.callback

    def __exit__(self, *exc):
        self.callback.close()
        return False
