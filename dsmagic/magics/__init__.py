"""IPython integration: the magics and the kernel hooks behind ``%load_ext dsmagic``."""

from __future__ import annotations

from typing import Any

from dsmagic.magics import _hooks
from dsmagic.magics._canvas import CanvasMagics
from dsmagic.magics._data import DataMagics
from dsmagic.magics._eda import EDAMagics
from dsmagic.magics._tracking import TrackingMagics
from dsmagic.magics._tuning import TuningMagics

__all__ = ["MAGIC_CLASSES", "load", "unload"]

MAGIC_CLASSES: list[type] = [TrackingMagics, EDAMagics, CanvasMagics, TuningMagics, DataMagics]


def load(shell: Any) -> None:
    """Add the magics, the cell hooks and the one-line error handler to ``shell``."""
    _hooks.install(shell, MAGIC_CLASSES)


def unload(shell: Any) -> None:
    """Remove what :func:`load` added to ``shell``, and only that."""
    _hooks.remove(shell)
