"""Auto-layout: steps in columns by their depth in the graph, left to right."""

from __future__ import annotations

import itertools
from typing import Any

COLUMN, ROW = 260.0, 130.0


def layered_positions(step_ids: list[str], edges: list[Any]) -> dict[str, tuple[float, float]]:
    """Each step's column is its longest path from a source; rows follow the parents' rows
    (barycentre) so edges cross less. Steps on a cycle go in a last column."""
    parents: dict[str, list[str]] = {k: [] for k in step_ids}
    children: dict[str, list[str]] = {k: [] for k in step_ids}
    for edge in edges:
        if edge.source in parents and edge.target in parents:
            parents[edge.target].append(edge.source)
            children[edge.source].append(edge.target)
    indegree = {k: len(v) for k, v in parents.items()}
    ready = sorted(k for k, n in indegree.items() if n == 0)
    depth: dict[str, int] = {}
    order: list[str] = []
    while ready:
        step = ready.pop(0)
        order.append(step)
        depth[step] = max((depth[p] + 1 for p in parents[step]), default=0)
        for child in sorted(children[step]):
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    last = max(depth.values(), default=-1) + 1
    for step in step_ids:
        if step not in depth:  # on a cycle: the pipeline is invalid, keep it visible
            depth[step] = last
            order.append(step)
    columns: dict[int, list[str]] = {}
    for step in order:
        columns.setdefault(depth[step], []).append(step)
    row: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for column in sorted(columns):
        members = columns[column]
        members.sort(key=lambda s: (_mean([row[p] for p in parents[s] if p in row], len(row)), s))
        offset = (len(members) - 1) / 2
        for index, step in enumerate(members):
            row[step] = index - offset + _mean([row[p] for p in parents[step] if p in row], 0)
        # Keep rows of one column apart even when their parents share a row.
        taken = sorted(members, key=lambda s: row[s])
        for above, below in itertools.pairwise(taken):
            if row[below] < row[above] + 1:
                row[below] = row[above] + 1
        for step in members:
            positions[step] = (column * COLUMN, row[step] * ROW)
    return positions


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default
