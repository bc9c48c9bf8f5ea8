"""Charts as inline SVG, drawn with ``matplotlib.figure.Figure`` (never pyplot, so no
global backend or figure state changes), with text kept as text to stay small."""

from __future__ import annotations

import io
import math
from typing import Any

_BLUE = "#4c78a8"
_ORANGE = "#f58518"
_RC = {
    "svg.fonttype": "none",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
}


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(figure) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.find("<svg") :]


def _styled(draw):
    """Run ``draw`` inside the rc context too, so fonts and spines follow it."""
    import matplotlib

    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return draw(*args, **kwargs)

    return wrapper


@_styled
def distribution(stats: dict[str, Any], other: dict[str, Any] | None = None) -> str | None:
    """Histogram (numbers, dates) or most frequent values (everything else)."""
    histogram = stats.get("histogram")
    if histogram:
        return _histogram(stats, histogram, other.get("histogram") if other else None)
    if stats.get("top"):
        return _top_values(stats["top"], other.get("top") if other else None)
    return None


def _histogram(stats, histogram, other) -> str:
    import numpy as np
    import pandas as pd

    figure = _figure(3.4, 1.7)
    axes = figure.add_subplot()
    dates = stats.get("kind") == "datetime"

    def draw(h, color, alpha, label):
        counts = np.asarray(h["counts"], dtype=float)
        total = counts.sum() or 1.0
        shares = counts / total if other is not None else counts
        if "values" in h:
            values = np.asarray(h["values"], dtype=float)
            width = np.min(np.diff(values)) * 0.8 if len(values) > 1 else 0.8
            axes.bar(values, shares, width=width, color=color, alpha=alpha, label=label)
        else:
            edges = h["edges"]
            if dates:
                edges = pd.to_datetime(pd.Series(edges), format="ISO8601", utc=True)
                edges = edges.dt.tz_localize(None).to_numpy()
            axes.stairs(shares, edges, fill=True, color=color, alpha=alpha, label=label)

    draw(histogram, _BLUE, 0.85 if other is None else 0.55, "reference")
    if other is not None:
        draw(other, _ORANGE, 0.55, "compared")
        axes.legend(fontsize=7, frameon=False)
        axes.set_ylabel("share")
    else:
        axes.set_ylabel("rows")
    if dates:
        figure.autofmt_xdate(rotation=30)
    axes.tick_params(labelsize=7)
    return _svg(figure)


def _top_values(top, other) -> str:
    import numpy as np

    labels = [_short(v) for v, _ in top][:10][::-1]
    counts = np.asarray([c for _, c in top][:10][::-1], dtype=float)
    figure = _figure(3.4, 0.35 + 0.16 * len(labels))
    axes = figure.add_subplot()
    positions = np.arange(len(labels))
    if other is None:
        axes.barh(positions, counts, color=_BLUE)
        axes.set_xlabel("rows")
    else:
        lookup = {_short(v): c for v, c in other}
        other_counts = np.asarray([lookup.get(label, 0) for label in labels], dtype=float)
        total_a = sum(c for _, c in top) or 1
        total_b = sum(c for _, c in other) or 1
        axes.barh(positions + 0.2, counts / total_a, height=0.4, color=_BLUE, label="reference")
        axes.barh(positions - 0.2, other_counts / total_b, height=0.4, color=_ORANGE,
                  label="compared")  # fmt: skip
        axes.set_xlabel("share of top values")
        axes.legend(fontsize=7, frameon=False)
    axes.set_yticks(positions, labels)
    axes.tick_params(labelsize=7)
    return _svg(figure)


@_styled
def heatmap(matrix, rows: list[str], columns: list[str], title: str, signed: bool) -> str:
    import numpy as np

    values = np.asarray(matrix, dtype=float)
    size = max(len(rows), len(columns))
    cell = 0.32 if size <= 15 else max(0.12, 4.8 / size)
    figure = _figure(1.6 + cell * len(columns), 0.9 + cell * len(rows))
    axes = figure.add_subplot()
    image = axes.imshow(
        values,
        cmap="RdBu_r" if signed else "Blues",
        vmin=-1 if signed else 0,
        vmax=1,
        aspect="auto",
        interpolation="nearest",
    )
    labels_size = 7 if size <= 25 else 5
    axes.set_xticks(range(len(columns)), [_short(c, 18) for c in columns], rotation=60,
                    ha="right", fontsize=labels_size)  # fmt: skip
    axes.set_yticks(range(len(rows)), [_short(r, 18) for r in rows], fontsize=labels_size)
    axes.set_title(title)
    axes.spines[:].set_visible(False)
    if size <= 12:
        for i in range(len(rows)):
            for j in range(len(columns)):
                v = values[i, j]
                if not math.isnan(v):
                    axes.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6,
                              color="white" if abs(v) > 0.6 else "black")  # fmt: skip
    figure.colorbar(image, ax=axes, shrink=0.8)
    return _svg(figure)


@_styled
def bars(labels: list[str], values: list[float], xlabel: str, limit: float | None = None) -> str:
    import numpy as np

    labels = [_short(label, 24) for label in labels][::-1]
    values = np.nan_to_num(np.asarray(values, dtype=float)[::-1])
    figure = _figure(3.8, 0.35 + 0.16 * len(labels))
    axes = figure.add_subplot()
    axes.barh(np.arange(len(labels)), values, color=_BLUE)
    axes.set_yticks(np.arange(len(labels)), labels)
    axes.set_xlabel(xlabel)
    if limit is not None:
        axes.set_xlim(0, limit)
    axes.tick_params(labelsize=7)
    return _svg(figure)


def _short(value: Any, width: int = 22) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
