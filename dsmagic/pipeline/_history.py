"""Undo/redo by snapshots: every edit (or batch of edits) stores the state before it.

Snapshots make every kind of edit undoable the same way, including ones added later,
and cost a few milliseconds even for hundreds of steps.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from dsmagic.pipeline._graph import State

DEPTH = 100


@dataclass
class Entry:
    label: str
    before: State
    after: State | None = None


class History:
    def __init__(self, depth: int = DEPTH) -> None:
        self.undo_stack: deque[Entry] = deque(maxlen=depth)
        self.redo_stack: list[Entry] = []

    def record(self, label: str, before: State, after: State) -> None:
        self.undo_stack.append(Entry(label, before, after))
        self.redo_stack.clear()

    def undo(self, current: State) -> tuple[str, State] | None:
        if not self.undo_stack:
            return None
        entry = self.undo_stack.pop()
        entry.after = current.copy()
        self.redo_stack.append(entry)
        return entry.label, entry.before.copy()

    def redo(self) -> tuple[str, State] | None:
        if not self.redo_stack:
            return None
        entry = self.redo_stack.pop()
        assert entry.after is not None
        self.undo_stack.append(entry)
        return entry.label, entry.after.copy()

    def labels(self) -> dict[str, list[str]]:
        return {"undo": [e.label for e in self.undo_stack],
                "redo": [e.label for e in reversed(self.redo_stack)]}  # fmt: skip
