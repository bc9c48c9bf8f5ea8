"""Automatic lineage: which tracked frames did the current cell read?

The kernel keeps a registry of the DataFrame objects it tracked or loaded (by
``id()``, with a weak reference so nothing is kept alive). When a cell tracks a
frame, the names the cell's code reads (found with ``ast``, never by running
anything) are looked up in the user namespace, and in a snapshot of it taken when
the cell started (so ``df = clean(df)`` still finds the old ``df``). A frame counts
as an input only while it still has the content it was tracked with.
"""

from __future__ import annotations

import ast
import sys
import weakref
from typing import Any

_registry: dict[int, tuple[weakref.ref, int, str]] = {}  # id -> (frame, version id, fingerprint)
_cell_start: dict[str, tuple[int, int, str, weakref.ref]] = {}  # name -> (id, version, fp, ref)


def remember(frame: Any, version_id: int, fingerprint: str | None = None) -> None:
    if fingerprint is None:
        from dsmagic.data._fingerprint import fingerprint as compute

        fingerprint = compute(frame)
    key = id(frame)

    def forget(dead: weakref.ref, key: int = key) -> None:
        _forget(key, dead)

    try:
        ref = weakref.ref(frame, forget)
    except TypeError:
        return
    _registry[key] = (ref, version_id, fingerprint)


def _forget(key: int, ref: weakref.ref) -> None:
    entry = _registry.get(key)
    if entry is not None and entry[0] is ref:
        del _registry[key]


def _shell() -> Any:
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def snapshot(shell: Any) -> None:
    """At the start of a cell: remember which names hold tracked frames."""
    _cell_start.clear()
    if not _registry:
        return
    for name, value in list(getattr(shell, "user_ns", {}).items()):
        entry = _registry.get(id(value))
        if entry is not None and entry[0]() is value and not name.startswith("_"):
            _cell_start[name] = (id(value), entry[1], entry[2], entry[0])


def _read_names(source: str, shell: Any) -> set[str]:
    try:
        python = shell.transform_cell(source)
        tree = ast.parse(python)
    except (SyntaxError, ValueError, TypeError, AttributeError):
        return set()
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def current_source(shell: Any) -> str | None:
    from dsmagic import _cells

    return _cells.source(shell)


def cell_inputs(frame: Any) -> tuple[str | None, list[int]]:
    """(source of the running cell, version ids of tracked frames it read)."""
    shell = _shell()
    if shell is None:
        return None, []
    source = current_source(shell)
    if not source:
        return None, []
    names = _read_names(source, shell)
    found: list[int] = []
    namespace = getattr(shell, "user_ns", {})
    for name in sorted(names):
        value = namespace.get(name)
        entry = _registry.get(id(value)) if value is not None else None
        if entry is not None and entry[0]() is value and value is not frame:
            if _unchanged(value, entry[2]) and entry[1] not in found:
                found.append(entry[1])
            continue
        start = _cell_start.get(name)
        if start is not None and start[1] not in found:
            old = start[3]()
            if old is frame:
                continue
            if old is None or _unchanged(old, start[2]):
                found.append(start[1])
    return source, found


def _unchanged(frame: Any, expected: str) -> bool:
    from dsmagic.data._fingerprint import fingerprint

    try:
        return fingerprint(frame) == expected
    except Exception:  # a frame that cannot be fingerprinted is no known input
        return False
