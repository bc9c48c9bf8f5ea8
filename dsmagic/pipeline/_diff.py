"""What changed between two pipelines: steps added, removed, changed (with old and new
parameter values) and edges added or removed. Layout moves are reported apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic.pipeline._graph import State

_MISSING = "<unset>"


@dataclass
class StepChange:
    step: str
    type_change: tuple[str, str] | None = None
    params: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (old, new)
    note: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "type": list(self.type_change) if self.type_change else None,
                "params": {k: {"old": o, "new": n} for k, (o, n) in self.params.items()},
                "note": list(self.note) if self.note else None}  # fmt: skip


@dataclass
class PipelineDiff(RichDisplay):
    _display_kind = "pipeline-diff"

    old: str
    new: str
    added: list[str]
    removed: list[str]
    changed: list[StepChange]
    edges_added: list[str]
    edges_removed: list[str]
    moved: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.edges_added
                    or self.edges_removed)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "steps_added": self.added,
                "steps_removed": self.removed, "steps_changed": [c.to_dict() for c in self.changed],
                "edges_added": self.edges_added, "edges_removed": self.edges_removed,
                "moved": self.moved}  # fmt: skip

    def __str__(self) -> str:
        lines = [f"diff {self.old} -> {self.new}"]
        lines += [f"+ step {s}" for s in self.added]
        lines += [f"- step {s}" for s in self.removed]
        for change in self.changed:
            if change.type_change:
                lines.append(f"~ step {change.step}: type {change.type_change[0]} -> "
                             f"{change.type_change[1]}")  # fmt: skip
            for name, (old, new) in change.params.items():
                lines.append(f"~ step {change.step}: {name} {old!r} -> {new!r}")
            if change.note:
                lines.append(f"~ step {change.step}: note changed")
        lines += [f"+ edge {e}" for e in self.edges_added]
        lines += [f"- edge {e}" for e in self.edges_removed]
        if self.empty:
            lines.append("(no changes to steps or edges)")
        if self.moved:
            lines.append(f"(layout: {len(self.moved)} step(s) moved)")
        return "\n".join(lines)

    __repr__ = __str__

    def _display_data(self) -> dict[str, Any]:
        return self.to_dict()

    def _display_text(self) -> str:
        return str(self)

    def _display_html(self) -> str:
        from dsmagic.pipeline._display import diff_html

        return diff_html(self)


def diff(old: State, new: State, old_label: str = "old", new_label: str = "new") -> PipelineDiff:
    added = sorted(set(new.steps) - set(old.steps))
    removed = sorted(set(old.steps) - set(new.steps))
    changed = []
    for step_id in sorted(set(old.steps) & set(new.steps)):
        a, b = old.steps[step_id], new.steps[step_id]
        change = StepChange(step_id)
        if a["type"] != b["type"]:
            change.type_change = (a["type"], b["type"])
        for name in sorted(set(a["params"]) | set(b["params"])):
            before, after = a["params"].get(name, _MISSING), b["params"].get(name, _MISSING)
            if before != after or type(before) is not type(after):
                change.params[name] = (before, after)
        if a.get("note", "") != b.get("note", ""):
            change.note = (a.get("note", ""), b.get("note", ""))
        if change.type_change or change.params or change.note:
            changed.append(change)
    moved = sorted(k for k in set(old.layout) & set(new.layout) if old.layout[k] != new.layout[k])
    return PipelineDiff(
        old_label, new_label, added, removed, changed,
        [str(e) for e in sorted(new.edges - old.edges)],
        [str(e) for e in sorted(old.edges - new.edges)],
        moved,
    )  # fmt: skip
