"""The source of the cell each IPython shell is running.

Set by the kernel hook ``%load_ext dsmagic`` adds (``dsmagic.magics._hooks``) when a cell
starts, read by automatic lineage (``dsmagic.data._kernel``) to find the frames a cell
read. Kept here, below both, so the data layer never imports the magics.
"""

from __future__ import annotations

from typing import Any

__all__ = ["forget", "source", "started"]

_sources: dict[int, str] = {}  # id(shell) -> raw source of the cell it is running


def started(shell: Any, raw_cell: str) -> None:
    _sources[id(shell)] = raw_cell


def source(shell: Any) -> str | None:
    """The raw source of the cell ``shell`` is running, or None when no hook saw it."""
    return _sources.get(id(shell)) or None


def forget(shell: Any) -> None:
    _sources.pop(id(shell), None)
