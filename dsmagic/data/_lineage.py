"""The lineage graph of a version: everything upstream and downstream of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsmagic._display import RichDisplay

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Edge", "LineageGraph", "lineage"]

MAX_DEPTH = 100


@dataclass(frozen=True)
class Edge:
    """``child`` was made from ``parent`` (``kind`` explicit or cell)."""

    parent: str
    child: str
    kind: str
    transformation: str | None


@dataclass
class LineageGraph(RichDisplay):
    _display_kind = "data-lineage"

    root: str
    upstream: list[Edge] = field(default_factory=list)
    downstream: list[Edge] = field(default_factory=list)

    @property
    def parents(self) -> list[str]:
        return [e.parent for e in self.upstream if e.child == self.root]

    @property
    def children(self) -> list[str]:
        return [e.child for e in self.downstream if e.parent == self.root]

    @property
    def ancestors(self) -> list[str]:
        return list(dict.fromkeys(e.parent for e in self.upstream))

    @property
    def descendants(self) -> list[str]:
        return list(dict.fromkeys(e.child for e in self.downstream))

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {"direction": direction, **e.__dict__}
            for direction, items in (("upstream", self.upstream), ("downstream", self.downstream))
            for e in items
        ]
        return pd.DataFrame(
            rows, columns=["direction", "parent", "child", "kind", "transformation"]
        )

    def __repr__(self) -> str:
        return self._display_text()

    def _display_data(self) -> dict[str, Any]:
        return {"root": self.root, "upstream": [e.__dict__ for e in self.upstream],
                "downstream": [e.__dict__ for e in self.downstream]}  # fmt: skip

    def _display_text(self) -> str:
        from dsmagic.data._display import lineage_text

        return lineage_text(self)

    def _display_html(self) -> str:
        from dsmagic.data._display import lineage_html

        return lineage_html(self)

    def _display_css(self) -> str:
        from dsmagic.data._display import CSS

        return CSS


def _walk(start: int, direction: str, depth: int) -> list[dict[str, Any]]:
    from dsmagic.data import _store

    seen = {start}
    frontier = [start]
    found: list[dict[str, Any]] = []
    for _ in range(depth):
        if not frontier:
            break
        edges = _store.edges(frontier, direction)
        found += edges
        nxt = [e["parent_id"] if direction == "up" else e["child_id"] for e in edges]
        frontier = [i for i in dict.fromkeys(nxt) if i not in seen]
        seen.update(frontier)
    return found


def lineage(ref: Any, depth: int = MAX_DEPTH) -> LineageGraph:
    """Upstream (what ``ref`` was made from, transitively) and downstream (what was made
    from it), each edge with its kind and the transformation (cell source) when known."""
    from dsmagic.data import _store
    from dsmagic.data._versions import resolve_version

    version = resolve_version(ref)
    up = _walk(version.id, "up", depth)
    down = _walk(version.id, "down", depth)
    ids = {e["parent_id"] for e in up + down} | {e["child_id"] for e in up + down}
    rows = _store.versions_by_ids(ids)

    def name(i: int) -> str:
        return f"{rows[i]['name']}@{rows[i]['version']}"

    def edge(e: dict[str, Any]) -> Edge:
        return Edge(name(e["parent_id"]), name(e["child_id"]), e["kind"], e["transformation"])

    return LineageGraph(version.ref, [edge(e) for e in up], [edge(e) for e in down])
