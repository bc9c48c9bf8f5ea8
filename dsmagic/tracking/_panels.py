"""A grid of metric panels, one per metric, three to a row (for comparisons and groups)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["metric_panels"]


def metric_panels(count: int) -> tuple[Any, list[Any]]:
    """A matplotlib ``Figure`` (not pyplot: no global state) and its first ``count`` axes,
    each labelled ``step`` on x; the grid's unused cells are hidden."""
    from matplotlib.figure import Figure

    columns = min(3, count)
    rows = math.ceil(count / columns)
    figure = Figure(figsize=(4 * columns, 2.8 * rows))
    grid = [axis for row in figure.subplots(rows, columns, squeeze=False) for axis in row]
    for axis in grid[count:]:
        axis.set_visible(False)
    for axis in grid[:count]:
        axis.set_xlabel("step")
    return figure, grid[:count]
