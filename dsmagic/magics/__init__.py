"""IPython integration: the magics and the kernel hooks behind ``%load_ext dsmagic``."""

from __future__ import annotations

import functools
import sys
from typing import Any

from IPython.core.error import UsageError

from dsmagic.errors import DsmagicError
from dsmagic.magics._canvas import CanvasMagics
from dsmagic.magics._data import DataMagics
from dsmagic.magics._eda import EDAMagics
from dsmagic.magics._hooks import CellRecorder
from dsmagic.magics._tracking import TrackingMagics
from dsmagic.magics._tuning import TuningMagics

__all__ = ["MAGIC_CLASSES", "load", "unload"]

MAGIC_CLASSES: list[type] = [TrackingMagics, EDAMagics, CanvasMagics, TuningMagics, DataMagics]

_recorders: dict[int, CellRecorder] = {}


def _one_line_errors(method):
    """Show a DsmagicError from a magic as one line (IPython's UsageError), no traceback."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except DsmagicError as exc:
            raise UsageError(str(exc)) from None

    return wrapper


def _show_dsmagic_error(shell, etype, value, tb, tb_offset=None):
    print(f"{etype.__name__}: {value}", file=sys.stderr)
    return [f"{etype.__name__}: {value}"]


def load(shell: Any) -> None:
    for magic_class in MAGIC_CLASSES:
        instance = magic_class(shell)
        for kind in ("line", "cell"):
            for name, method in list(instance.magics[kind].items()):
                instance.magics[kind][name] = _one_line_errors(method)
        shell.register_magics(instance)
    if id(shell) not in _recorders:
        recorder = _recorders[id(shell)] = CellRecorder(shell)
        recorder.register()
    # A DsmagicError raised by dm.* in a cell is bad input: show its one line, not a traceback.
    shell.set_custom_exc((DsmagicError,), _show_dsmagic_error)


def unload(shell: Any) -> None:
    recorder = _recorders.pop(id(shell), None)
    if recorder is not None:
        recorder.unregister()
    shell.set_custom_exc((), None)
